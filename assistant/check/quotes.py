"""Quotation checking: is a quoted passage verbatim in the guidance, altered (which words changed), or not there?"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from rapidfuzz import fuzz

from assistant.textutil import normalise_with_map
from assistant.types import Document, QuoteCheck

MIN_QUOTE_WORDS = 3
# An altered quote keeps most of its words in order; below this share of matched words it is not found at all.
ALTERED_MIN_SHARE = 0.6

_QUOTES = re.compile(
    r"“(?P<curly>[^“”]+)”"
    r'|"(?P<straight>[^"]+)"'
    # Single curly quotes only where they cannot be apostrophes: opening after a space or bracket,
    # closing before a non-letter; apostrophes inside ("person’s") are allowed.
    r"|(?:(?<=^)|(?<=[\s(\[—–]))‘(?P<single>(?:[^‘’]|’(?=[A-Za-z]))+)’(?![A-Za-z])"
    # Straight single quotes the same way: an apostrophe inside a word ("person's") does not close one.
    r"|(?:(?<=^)|(?<=[\s(\[—–]))'(?P<plain>(?=\S)(?:[^'\n]|'(?=[A-Za-z]))+(?<=\S))'(?![A-Za-z])")
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)\s*")
_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")
_EDGE_PUNCT = " .,;:!?'\"()[]"
# Dashes and hyphens normalise() leaves alone (one character for one, so offsets hold).
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2012\u2015\u2212\ufe58\ufe63\uff0d"})


@dataclass
class Found:
    """Where a quote sits in one document: offsets into its cleaned text."""

    doc_id: str
    start: int
    end: int


def find_quotes(text: str) -> list[str]:
    """Quoted passages of at least three words, in order (double or single quotes, straight or curly)."""
    out = []
    for m in _QUOTES.finditer(text):
        q = next(g for g in m.groups() if g is not None).strip()
        if len(_WORD.findall(q.lower())) >= MIN_QUOTE_WORDS:
            out.append(q)
    return out


def strip_quote_marks(text: str) -> str:
    return re.sub(r"[“”\"]|(?:(?<=^)|(?<=[\s(\[]))[‘']|(?<=\S)[’'](?=[\s.,;:!?)\]]|$)", "", text)


# ---------------------------------------------------------------- normalised documents

_cache: dict[tuple[str, int], tuple[str, list[int]]] = {}
_cache_lock = threading.Lock()


def fold(text: str) -> tuple[str, list[int]]:
    """normalise() (quote marks, dashes, whitespace, case, ellipses) plus spaces around dashes dropped, with offsets."""
    norm, idx = normalise_with_map(text.translate(_DASHES))
    out: list[str] = []
    omap: list[int] = []
    for i, ch in enumerate(norm):
        if ch == " " and ((i + 1 < len(norm) and norm[i + 1] == "-") or (out and out[-1] == "-")):
            continue
        out.append(ch)
        omap.append(idx[i])
    return "".join(out), omap


def _folded(doc: Document) -> tuple[str, list[int]]:
    key = (doc.doc_id, hash(doc.text))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is None:
        hit = fold(doc.text)
        with _cache_lock:
            if len(_cache) > 512:
                _cache.clear()
            _cache[key] = hit
    return hit


def quote_parts(quote: str) -> list[str]:
    """The folded quote cut at ellipses: each part must appear, in order, in one document."""
    folded, _ = fold(quote)
    parts = [p.strip(_EDGE_PUNCT) for p in _ELLIPSIS.split(folded)]
    return [p for p in parts if re.search(r"[a-z0-9]", p)]


# ---------------------------------------------------------------- verbatim


def locate(quote: str, documents: dict[str, Document]) -> list[Found]:
    """Every document holding the quote verbatim (after normalisation), with the span in its cleaned text."""
    parts = quote_parts(quote)
    if not parts:
        return []
    out = []
    for doc in documents.values():
        hay, omap = _folded(doc)
        span = _find_in_order(parts, hay)
        if span:
            out.append(Found(doc.doc_id, omap[span[0]], omap[span[1] - 1] + 1))
    return out


def _find_in_order(parts: list[str], hay: str) -> tuple[int, int] | None:
    start = _find_word(hay, parts[0], 0)
    while start >= 0:
        pos, ok = start + len(parts[0]), True
        for p in parts[1:]:
            j = _find_word(hay, p, pos)
            if j < 0:
                ok = False
                break
            pos = j + len(p)
        if ok:
            return start, pos
        start = _find_word(hay, parts[0], start + 1)
    return None


def _find_word(hay: str, needle: str, pos: int) -> int:
    """str.find that only accepts matches starting and ending at word boundaries."""
    j = hay.find(needle, pos)
    while j >= 0:
        before = hay[j - 1] if j else " "
        after = hay[j + len(needle)] if j + len(needle) < len(hay) else " "
        if not (before.isalnum() and needle[0].isalnum()) and not (after.isalnum() and needle[-1].isalnum()):
            return j
        j = hay.find(needle, j + 1)
    return -1


# ---------------------------------------------------------------- altered


@dataclass
class _Aligned:
    doc_id: str
    start: int
    end: int
    matched: int
    total: int
    changed: list[str]


def _align_part(part: str, doc: Document) -> _Aligned | None:
    """The closest span of the document to this quote part, aligned word by word."""
    hay, omap = _folded(doc)
    hit = fuzz.partial_ratio_alignment(part, hay, score_cutoff=50)
    qw = _WORD.findall(part)
    if hit is None or not qw:
        return None
    lo, hi = max(0, hit.dest_start - 60), min(len(hay), hit.dest_end + 60)
    hws = list(_WORD.finditer(hay, lo, hi))
    if not hws:
        return None
    breaks = {k for k in range(1, len(hws)) if re.search(r"[.!?]", hay[hws[k - 1].end():hws[k].start()])}
    steps = align_words(qw, [m.group() for m in hws], breaks)
    hits = [j for op, _, j in steps if op == "="]
    if not hits:
        return None
    js = [j for _, _, j in steps if j >= 0]
    start, end = omap[hws[js[0]].start()], omap[hws[js[-1]].end() - 1] + 1
    return _Aligned(doc.doc_id, start, end, len(hits), len(qw), describe_changes(qw, [m.group() for m in hws], steps))


_MATCH, _MISMATCH, _GAP = 2.0, -1.0, -1.5


def align_words(q: list[str], h: list[str], breaks: set[int] | None = None) -> list[tuple[str, int, int]]:
    """Align every quote word against a stretch of corpus words (free corpus ends).

    Returns steps (op, i, j): '=' same word, '~' substituted, '+' quote word not in corpus (j=-1),
    '-' corpus word missing from the quote (i=-1). Corpus words before the first and after the last
    aligned word are not steps. `breaks` holds corpus word indices that start a new sentence.
    """
    n, m = len(q), len(h)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        score[i][0], back[i][0] = score[i - 1][0] + _GAP, "+"
        for j in range(1, m + 1):
            same = q[i - 1] == h[j - 1]
            options = ((score[i - 1][j - 1] + (_MATCH if same else _MISMATCH), "=" if same else "~"),
                       (score[i - 1][j] + _GAP, "+"), (score[i][j - 1] + _GAP, "-"))
            score[i][j], back[i][j] = max(options, key=lambda o: o[0])
    j = max(range(m + 1), key=lambda c: score[n][c])
    i, steps = n, []
    while i > 0:
        op = back[i][j]
        steps.append((op, i - 1 if op != "-" else -1, j - 1 if op != "+" else -1))
        i, j = (i - 1, j - 1) if op in "=~" else (i - 1, j) if op == "+" else (i, j - 1)
    steps.reverse()
    return _trim_edges(steps, breaks or set())


def _trim_edges(steps: list[tuple[str, int, int]], breaks: set[int]) -> list[tuple[str, int, int]]:
    """A substitution at either end that reaches into another sentence is really a word the quote added."""
    eq = [k for k, s in enumerate(steps) if s[0] == "="]
    if not eq:
        return steps
    first_j, last_j = steps[eq[0]][2], steps[eq[-1]][2]
    out = []
    for k, (op, i, j) in enumerate(steps):
        outside = (k < eq[0] and any(first_j >= b > j for b in breaks)) or \
                  (k > eq[-1] and any(last_j < b <= j for b in breaks))
        if op == "~" and outside:
            out.append(("+", i, -1))
        elif op != "-" or eq[0] < k < eq[-1]:
            out.append((op, i, j))
    return out


def describe_changes(q: list[str], h: list[str], steps: list[tuple[str, int, int]]) -> list[str]:
    """'claim → corpus' for substituted runs, '+word' for words the quote added, '-word' for words it dropped."""
    out: list[str] = []
    run: list[tuple[str, int, int]] = []
    for step in steps + [("=", -1, -1)]:
        if step[0] != "=":
            run.append(step)
            continue
        if run:
            claim = " ".join(q[i] for _, i, _ in run if i >= 0)
            corpus = " ".join(h[j] for _, _, j in run if j >= 0)
            out.append(f"{claim} → {corpus}" if claim and corpus else f"+{claim}" if claim else f"-{corpus}")
            run = []
    return out


def _align(parts: list[str], doc: Document) -> _Aligned | None:
    got = [_align_part(p, doc) for p in parts]
    if any(g is None for g in got):
        return None
    first, last = got[0], got[-1]
    end = last.end if last.end > first.start else first.end
    return _Aligned(doc.doc_id, first.start, end, sum(g.matched for g in got), sum(g.total for g in got),
                    [c for g in got for c in g.changed])


def check_quote(quote: str, documents: dict[str, Document], prefer: list[str] | None = None) -> QuoteCheck:
    """verbatim | altered (closest span and the words that differ) | not_found, for one quoted passage."""
    prefer = prefer or []
    found = locate(quote, documents)
    if found:
        best = next((f for f in found if f.doc_id in prefer), found[0])
        doc = documents[best.doc_id]
        return QuoteCheck(text=quote, status="verbatim", doc_id=best.doc_id, matched=doc.text[best.start:best.end])
    parts = quote_parts(quote)
    if not parts:
        return QuoteCheck(text=quote, status="not_found")
    aligned = [a for a in (_align(parts, d) for d in documents.values()) if a is not None]
    if not aligned:
        return QuoteCheck(text=quote, status="not_found")
    best = max(aligned, key=lambda a: (a.matched / a.total, a.doc_id in prefer))
    doc = documents[best.doc_id]
    matched = doc.text[best.start:best.end]
    if best.matched == best.total and not best.changed:
        # Same words, only punctuation differs: still the guidance's words.
        return QuoteCheck(text=quote, status="verbatim", doc_id=best.doc_id, matched=matched)
    if best.matched < max(2, ALTERED_MIN_SHARE * best.total):
        return QuoteCheck(text=quote, status="not_found")
    return QuoteCheck(text=quote, status="altered", doc_id=best.doc_id, matched=matched, changed=best.changed)
