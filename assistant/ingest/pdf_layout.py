"""PDF page layout: characters with positions and font sizes become lines, then paragraphs in reading order.

What a print layout adds and a reader must take away again:

- running headers and footers: lines in a page's top or bottom margin whose text (digits aside) repeats on
  several pages, bare page numbers there, and lines printed on the same row as a page number;
- footnote markers: small raised digits touching a word or a number ("45-day⁷") are taken off the word
  and the footnote itself, printed small at the page foot, is kept as its own paragraph of that page;
- columns: a page whose lines sit in a left and a right column is read left column first;
- hard-wrapped lines: joined into paragraphs (a wider gap, a short last line or a list mark starts a new
  one), and a sentence that runs on over a column or page break is joined too;
- headings: short lines larger or bolder than the body text become `#` Markdown headings, deeper for
  smaller type, so chunking gives every passage its section path;
- contents pages: entries with leader dots and a page number are dropped (they are not guidance).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_ROMAN = re.compile(r"(?:page\s+)?[ivxlc]{1,7}", re.IGNORECASE)
_LEADER = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\s*$|…{2,}\s*\d{1,4}\s*$|(?:_\s?){4,}\s*\d{1,4}\s*$")
_LIST_START = re.compile(r"^(?:[-•●▪◦‣⁃]\s)")  # what clean_text turns into "- "
_NUMBER_START = re.compile(r"^(?:\(?\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[a-z]{1,3}\)|[a-z]\.)\s+\S")
_SENTENCE_END = re.compile(r"[.:;!?][\"'”’)\]]*$")
_UNMAPPED = re.compile(r"\(cid:\d+\)|\ufffd")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
LINE_HYPHEN = "\u2027"  # (hyphenation point) marks a hyphen that ended a printed line, until the document's own words decide it
MARGIN_LINES = 3  # lines at the top and at the foot of a page that may be furniture


@dataclass
class Line:
    """One printed line (or one column's part of it)."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    text: str
    lead_mark: str = ""  # a raised footnote number printed before the text (a footnote's own number)
    marks: list[str] = field(default_factory=list)
    chars: list[dict] = field(default_factory=list, repr=False)  # kept until superscripts are folded in


# ---------------------------------------------------------------- characters -> lines


def page_lines(chars: list[dict], page: int) -> list[Line]:
    """The page's lines, each split at wide horizontal gaps (column gutters), superscripts folded in."""
    glyphs = [c for c in chars if c.get("text", "").strip() and c.get("upright", True)]
    rows: list[list[dict]] = []
    for c in sorted(glyphs, key=lambda c: (round(c["bottom"], 1), c["x0"])):
        if rows and abs(c["bottom"] - rows[-1][-1]["bottom"]) <= 0.3 * max(c["size"], rows[-1][-1]["size"]):
            rows[-1].append(c)
        else:
            rows.append([c])
    lines = [ln for row in rows for ln in _segments(row, page)]
    return _fold_superscripts(lines)


def _segments(row: list[dict], page: int) -> list[Line]:
    row = sorted(row, key=lambda c: c["x0"])
    parts: list[list[dict]] = [[row[0]]]
    for c in row[1:]:
        prev = parts[-1][-1]
        if c["x0"] - prev["x1"] > 1.5 * max(prev["size"], c["size"]):
            parts.append([c])
        else:
            parts[-1].append(c)
    # A bullet drawn apart from its item (a hanging indent) belongs to the item, not to another column.
    merged: list[list[dict]] = []
    for p in parts:
        if merged and len(merged[-1]) == 1 and _bulletish(merged[-1][0]["text"]):
            merged[-1] = merged[-1] + [{**p[0], "x0": merged[-1][0]["x1"] + 1}] + p[1:]
        else:
            merged.append(p)
    return [_line(p, page) for p in merged]


def _line(chars: list[dict], page: int) -> Line:
    sizes = Counter(round(c["size"], 1) for c in chars)
    size = sizes.most_common(1)[0][0]
    bold = sum(bool(_BOLD.search(c.get("fontname", ""))) for c in chars) > len(chars) / 2
    line = Line(page, chars[0]["x0"], max(c["x1"] for c in chars), min(c["top"] for c in chars),
                max(c["bottom"] for c in chars), size, bold, "", chars=chars)
    # Footnote digits raised only a little can land in the line's own row: small, raised, digits.
    base = statistics.median(c["bottom"] for c in chars if round(c["size"], 1) == size)
    raised = [i for i, c in enumerate(chars) if c["size"] < 0.8 * size and c["bottom"] < base - 0.1 * size
              and c["text"].isdigit()]
    drop: set[int] = set()
    for run in _runs(raised):
        if run[0] > 0:  # a mark after a word; one before the text is a footnote's own number: kept
            line.marks.append("".join(chars[i]["text"] for i in run))
            drop.update(run)
    line.text = _join_chars([c for i, c in enumerate(chars) if i not in drop])
    return line


def _runs(indexes: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indexes:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _bulletish(t: str) -> bool:
    """A bullet glyph: a bullet character, or a symbol-font glyph with no Unicode (often one)."""
    return t in "•●▪◦‣⁃■□➢➤✓" or bool(_UNMAPPED.fullmatch(t)) or (len(t) == 1 and 0xE000 <= ord(t) <= 0xF8FF)


def _join_chars(chars: list[dict]) -> str:
    out, prev = [], None
    for c in chars:
        t = c["text"]
        if not out and _bulletish(t) and len(chars) > 1:
            out.append("• ")  # an unmapped glyph before an item is its bullet
            prev = c
            continue
        if prev is not None and c["x0"] - prev["x1"] > 0.15 * min(prev["size"], c["size"]) and out[-1] != "• ":
            out.append(" ")
        out.append(t)
        prev = c
    return _UNMAPPED.sub("", "".join(out)).translate(_LIGATURES).strip()


def _fold_superscripts(lines: list[Line]) -> list[Line]:
    """Small lines sitting on a bigger line's upper half are its superscripts: footnote marks or ordinals."""
    out: list[Line] = []
    for ln in lines:
        host = next((h for h in lines if h is not ln and ln.size < 0.8 * h.size
                     and h.top - 1 <= ln.bottom < h.bottom - 0.15 * h.size
                     and h.x0 - h.size <= ln.x0 <= h.x1 + h.size), None)
        if host is None:
            out.append(ln)
            continue
        chars = host.chars
        if re.fullmatch(r"\d{1,3}(?:[,–-]\d{1,3})*|[*†‡§]", ln.text):
            if ln.x1 <= chars[0]["x0"] + 0.5:
                host.lead_mark = ln.text
            else:
                host.marks.append(ln.text)
            continue
        if len(ln.text) > 3:  # small type above a line (a caption, a label) is text of its own
            out.append(ln)
            continue
        # "5th", "1st": letters raised after a word are part of it
        merged = sorted(chars + ln.chars, key=lambda c: c["x0"])
        host.text = _join_chars(merged)
    return out


# ---------------------------------------------------------------- pages -> furniture, footnotes, order


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def split_furniture(pages: list[list[Line]], size: float) -> tuple[list[list[Line]], list[list[Line]]]:
    """(body lines, furniture lines) per page: margin lines repeated across pages, page numbers, and what
    shares a row with a page number. A repeated line set larger than the body text is a heading that
    happens to open several pages ("Key points"), not a running header."""
    n = len(pages)
    seen: Counter = Counter()
    for lines in pages:
        seen.update({_key(ln.text) for ln in _margins(lines)})
    need = max(2, 0.2 * n)
    offset = _page_number_offset(pages)
    bodies, furniture = [], []
    for i, lines in enumerate(pages):
        margins = _margins(lines)
        numbers = [ln for ln in margins if offset is not None and _PAGE_NUMBER.match(ln.text)
                   and int(re.search(r"\d+", ln.text).group()) - i == offset]
        drop = {id(ln) for ln in margins
                if ln in numbers or (n >= 3 and seen[_key(ln.text)] >= need and not re.search(r"[.!?]$", ln.text)
                                     and ln.size <= 1.05 * size and not _PAGE_NUMBER.match(ln.text)
                                     and len(ln.text.split()) <= 12)  # running heads are short
                or any(abs(ln.bottom - p.bottom) < 2 for p in numbers)
                or (n > 1 and _ROMAN.fullmatch(ln.text))}  # front matter numbered i, ii, iii…
        bodies.append([ln for ln in lines if id(ln) not in drop])
        furniture.append([ln for ln in lines if id(ln) in drop])
    return bodies, furniture


def _page_number_offset(pages: list[list[Line]]) -> int | None:
    """How printed page numbers relate to page positions (printed = position + offset), read from the
    margins: a number there is a page number only when it fits the count, so a contents entry's
    page number or a figure at the foot of a page is not taken for one."""
    offsets: Counter = Counter()
    for i, lines in enumerate(pages):
        found = {int(re.search(r"\d+", ln.text).group()) - i for ln in _margins(lines) if _PAGE_NUMBER.match(ln.text)}
        offsets.update(found)
    if not offsets:
        return None
    offset, count = offsets.most_common(1)[0]
    return offset if count >= 2 or len(pages) == count else None


def _margins(lines: list[Line]) -> list[Line]:
    rows = sorted({round(ln.bottom) for ln in lines})
    k = max(1, min(MARGIN_LINES, len(rows) // 3))  # a short page has fewer lines to spare for furniture
    edge = set(rows[:k] + rows[-k:])
    return [ln for ln in lines if round(ln.bottom) in edge]


def body_size(pages: list[list[Line]]) -> float:
    """The type size most of the text is set in."""
    sizes: Counter = Counter()
    for lines in pages:
        for ln in lines:
            sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def split_footnotes(lines: list[Line], size: float) -> tuple[list[Line], list[Line]]:
    """Footnotes: the small-type lines below the page's last line of body text, starting with a number."""
    body_bottom = max((ln.bottom for ln in lines if ln.size >= 0.92 * size), default=None)
    if body_bottom is None:
        return lines, []
    tail = sorted((ln for ln in lines if ln.top > body_bottom and ln.size < 0.92 * size), key=lambda ln: ln.top)
    if not tail or not (tail[0].lead_mark or re.match(r"\d{1,3}\b|\d{1,3}(?=[A-Z])", tail[0].text)):
        return lines, []
    notes = {id(ln) for ln in tail}
    return [ln for ln in lines if id(ln) not in notes], tail


def drop_contents(lines: list[Line], width: float, pages: int) -> list[Line]:
    """A contents page without leader dots: most rows end in a page number, set apart at the right.
    Its entries are not guidance; a page with a few numbers at line ends is left alone."""
    rows: dict[int, list[Line]] = {}
    for ln in lines:
        rows.setdefault(round(ln.bottom), []).append(ln)
    entries = []
    for row in rows.values():
        last = max(row, key=lambda ln: ln.x1)
        number = re.search(r"(?:^|\s)(\d{1,4})$", last.text)
        if number and int(number.group(1)) <= pages and last.x1 > 0.6 * width and len(row[0].text.split()) <= 14:
            entries.append(row)
    if len(entries) < 4 or len(entries) < 0.5 * len(rows):
        return lines
    gone = {id(ln) for row in entries for ln in row}
    return [ln for ln in lines if id(ln) not in gone]


def reading_order(lines: list[Line], width: float) -> list[tuple[int, Line]]:
    """(column, line) pairs: full-width lines split the page into bands; in a band, left column first."""
    lines = sorted(lines, key=lambda ln: (round(ln.top), ln.x0))
    mid = width / 2
    left = [ln for ln in lines if ln.x1 <= mid + 0.02 * width]
    right = [ln for ln in lines if ln.x0 >= mid - 0.02 * width]
    if len(left) < 3 or len(right) < 3 or Counter(round(ln.x0) for ln in right).most_common(1)[0][1] < len(right) / 2:
        return [(0, ln) for ln in lines]
    out: list[tuple[int, Line]] = []
    band: list[Line] = []

    def flush():
        out.extend((1, ln) for ln in band if ln.x1 <= mid + 0.02 * width)
        out.extend((2, ln) for ln in band if not ln.x1 <= mid + 0.02 * width)
        band.clear()

    for ln in lines:
        if ln.x0 < mid - 0.02 * width < mid + 0.02 * width < ln.x1:
            flush()
            out.append((0, ln))
        else:
            band.append(ln)
    flush()
    return out


# ---------------------------------------------------------------- lines -> blocks


@dataclass
class Block:
    lines: list[Line]
    kind: str = "text"  # text | heading | footnote
    level: int = 0
    full_last_line: bool = False  # the last line reaches the column's right edge: the paragraph may go on

    @property
    def text(self) -> str:
        out = ""
        for ln in self.lines:
            t = ln.text
            if not out:
                out = t
            elif re.search(r"[A-Za-z]-$", out) and t[:1].islower():
                out += LINE_HYPHEN + t
            else:
                out += " " + t
        return out


def blocks(ordered: list[tuple[int, Line]], size: float, pitch: float) -> list[Block]:
    """Group a page's lines into paragraphs and headings."""
    out: list[Block] = []
    right_edge: dict[int, float] = {}
    for col, ln in ordered:
        right_edge[col] = max(right_edge.get(col, 0.0), ln.x1)
    prev: tuple[int, Line] | None = None
    for col, ln in ordered:
        if _LEADER.search(ln.text) or not ln.text:
            prev = None
            continue
        if prev is None or _starts_block(prev, (col, ln), size, pitch, right_edge):
            out.append(Block([ln], "heading" if _heading_like(ln, size) else "text"))
        else:
            out[-1].lines.append(ln)
        prev = (col, ln)
    for b in out:
        last = b.lines[-1]
        col = next(c for c, ln in ordered if ln is last)
        b.full_last_line = len(b.lines) > 1 and last.x1 >= right_edge[col] - 0.03 * max(right_edge[col] - last.x0, 1)
        if b.kind == "heading" and (len(b.lines) > 3 or len(b.text.split()) > 18 or b.text.endswith(".")
                                    and not re.match(r"^\d+(?:\.\d+)*\.$", b.text.split()[0] + ".")):
            b.kind = "text"
    return out


def _heading_like(ln: Line, size: float) -> bool:
    return ln.size >= 1.12 * size or (ln.bold and ln.size >= 0.95 * size)


def _starts_block(prev: tuple[int, Line], cur: tuple[int, Line], size: float, pitch: float,
                  right_edge: dict[int, float]) -> bool:
    (pcol, p), (col, ln) = prev, cur
    if _heading_like(p, size) != _heading_like(ln, size) or abs(p.size - ln.size) > 0.6 or p.bold != ln.bold:
        return True
    if _LIST_START.match(ln.text):
        return True
    ended = bool(_SENTENCE_END.search(p.text))
    if _NUMBER_START.match(ln.text) and ended:
        return True
    if col != pcol or ln.top < p.top:  # the text goes on in the next column
        return ended
    if ln.top - p.top > 1.3 * pitch:
        return True
    width = right_edge[col] - min(p.x0, ln.x0)
    return ended and p.x1 < right_edge[col] - 0.12 * max(width, 1)


def line_pitch(pages: list[list[Line]], size: float) -> float:
    """The usual distance from one body line to the next."""
    gaps = []
    for lines in pages:
        body = sorted((ln for ln in lines if abs(ln.size - size) < 0.6), key=lambda ln: (round(ln.x0 / 50), ln.top))
        gaps.extend(b.top - a.top for a, b in zip(body, body[1:]) if 0 < b.top - a.top < 3 * size)
    return statistics.median(gaps) if gaps else 1.3 * size


def heading_levels(all_blocks: list[Block]) -> None:
    """Larger type is a higher heading; bold at the same size ranks above regular."""
    styles = sorted({(b.lines[0].size, b.lines[0].bold) for b in all_blocks if b.kind == "heading"}, reverse=True)
    rank = {s: i + 1 for i, s in enumerate(styles)}
    for b in all_blocks:
        if b.kind == "heading":
            b.level = min(rank[(b.lines[0].size, b.lines[0].bold)], 6)
