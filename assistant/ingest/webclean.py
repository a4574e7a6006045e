"""Pages saved from websites: cookie banners, menus, feedback widgets, footers and link lists removed.

Works on Markdown (a page saved as .md, or the Markdown that trafilatura makes of an HTML page):

- blocks (paragraphs, lists) that are mostly link text are navigation and go;
- a cookie banner goes as a block, a feedback widget with its Yes/No lines, footer lines one by one;
- a furniture heading ("Cookies on …", "Contents", "Popular on …") goes with the blocks up to the next
  heading, and a
  heading whose every block went goes too, so no passage inherits a banner as its section;
- a heading mark alone on its line ("###") is joined to the line after it;
- links and images are reduced to their text, emphasis marks dropped;
- a Markdown table becomes one line per row, each cell named by its column ("Service: Carer's
  assessment; Cost: Free"), so a row can be quoted as it reads;
- setext headings (a line underlined with === or ---) become `#` headings.

The phrases are data: boilerplate.yaml beside this module.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_BARE_URL = re.compile(r"^\s*(?:[-*]\s+|\d{1,3}\.?\s+)?<?(?:https?://|www\.)\S+>?\s*$")
_LONE_HASHES = re.compile(r"^(#{1,6})\s*$")
# A marker escaped with a backslash ("\\*", "\\_") is the page's own character, never emphasis.
_EMPHASIS = re.compile(r"(?<!\\)(\*\*|__)(?=\S)(.+?)(?<=[^\s\\])\1"
                       r"|(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s\\])\*(?![\w*])")


@functools.cache
def _patterns() -> dict[str, re.Pattern]:
    data = yaml.safe_load((Path(__file__).with_name("boilerplate.yaml")).read_text(encoding="utf-8"))
    return {k: re.compile(r"^\s*(?:" + "|".join(v) + r")\s*$", re.IGNORECASE) for k, v in data.items()}


def link_density(block: str) -> float:
    """Share of a block's visible characters (spaces aside) that are link text."""
    linked = "".join(m.group(1) for pat in (_LINK, _REF_LINK) for m in pat.finditer(block))
    visible = len(re.sub(r"\s+", "", _strip_links(block)))
    return min(1.0, len(re.sub(r"\s+", "", linked)) / visible) if visible else 0.0


def _strip_links(text: str) -> str:
    text = _LINK.sub(lambda m: "" if m.group(0).startswith("!") else m.group(1), text)
    return _AUTOLINK.sub("", _REF_LINK.sub(r"\1", text))


def clean_web_markdown(text: str) -> str:
    """The page's own content, as Markdown without links; see the module docstring."""
    pats = _patterns()
    lines = _tables_to_rows(_setext(_join_lone_hashes(text.split("\n"))))
    blocks = _blocks(lines)
    kept: list[tuple[str, list[str]]] = []  # (kind, lines): kind is "heading" or "body"
    dropped_under: dict[int, int] = {}
    skip_level = 0  # inside a furniture heading's section: everything up to the next heading
    for block in blocks:
        head = _HEADING.match(block[0]) if len(block) == 1 else None
        if head:
            skip_level = len(head.group(1)) if pats["furniture_headings"].match(_strip_links(head.group(2))) else 0
            if not skip_level:
                kept.append(("heading", block))
            continue
        if skip_level:
            continue
        body = _clean_block(block, pats)
        owner = max((i for i, (k, _) in enumerate(kept) if k == "heading"), default=-1)
        if body:
            kept.append(("body", body))
        else:
            dropped_under[owner] = dropped_under.get(owner, 0) + 1
    out: list[str] = []
    for i, (kind, block) in enumerate(kept):
        if kind == "heading":
            title = _HEADING.match(block[0]).group(2)
            has_body = i + 1 < len(kept) and kept[i + 1][0] == "body"
            if dropped_under.get(i) and not has_body:
                continue
            block = [_HEADING.match(block[0]).group(1) + " " + _plain(title)]
        else:
            block = [_plain(x) for x in block]
        out.append("\n".join(block))
    return "\n\n".join(b for b in out if b.strip()) + "\n"


def _join_lone_hashes(lines: list[str]) -> list[str]:
    """'###' alone on a line, then the heading text on the next non-blank line."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if _LONE_HASHES.match(line):
            pending = line.strip()
            continue
        if pending and line.strip():
            out.extend([pending + " " + line.strip(), ""])
            pending = ""
            continue
        out.append(line)
    return out


_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _tables_to_rows(lines: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _TABLE_ROW.match(lines[i]) and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            head = _cells(lines[i])
            i += 2
            rows = []
            while i < len(lines) and _TABLE_ROW.match(lines[i]):
                cells = _cells(lines[i])
                pairs = [f"{h}: {c}" if h else c for h, c in zip(head + [""] * len(cells), cells) if c]
                if pairs:
                    rows.append("; ".join(pairs))
                i += 1
            out.extend(["", "\n".join(rows), ""])
            continue
        out.append(lines[i])
        i += 1
    return out


def _setext(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        under = re.fullmatch(r"\s*(=+|-+)\s*", line)
        if under and out and out[-1].strip() and not _HEADING.match(out[-1]) and not out[-1].lstrip().startswith(("- ", "* ", "|")) \
                and len(under.group(1)) >= 3:
            out[-1] = ("# " if under.group(1)[0] == "=" else "## ") + out[-1].strip()
            out.append("")
            continue
        out.append(line)
    return out


def _blocks(lines: list[str]) -> list[list[str]]:
    """Blank-line separated blocks; a heading line is always a block of its own."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            blocks.append([])
        elif _HEADING.match(line):
            blocks.extend([[line], []])
        else:
            blocks[-1].append(line)
    return [b for b in blocks if b]


def _clean_block(block: list[str], pats: dict[str, re.Pattern]) -> list[str]:
    text = "\n".join(block)
    n_links = len(_LINK.findall(text)) + len(_REF_LINK.findall(text))
    density = link_density(text) if n_links else 0.0
    if n_links >= 2 and density > 0.6:
        return []  # a menu, a list of related links, a footer's link row
    if n_links == 1 and density > 0.85 and len(_strip_links(text).split()) <= 8:
        return []  # a lone link or button ("Donate", "Find out more"): no sentence to quote
    plain = [_strip_links(x) for x in block]
    if any(pats["cookie_lines"].match(x) for x in plain):
        return []
    keep = []
    for raw, line in zip(block, plain):
        if pats["feedback_lines"].match(line) or pats["footer_lines"].match(line) or _BARE_URL.match(raw):
            continue
        keep.append(raw)
    return keep if any(_strip_links(x).strip() for x in keep) else []


def _plain(line: str) -> str:
    line = _strip_links(line)
    line = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), line)
    return re.sub(r"[ \t]+", " ", line).rstrip()
