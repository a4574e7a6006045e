"""Structure-aware chunking: passages of a few sentences that never cross a heading.

Each chunk is a verbatim span [start, end) of the document's cleaned text, so a
quote taken from it can always be found and highlighted in context.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from assistant.textutil import sentence_spans, sha1
from assistant.types import Chunk, Document

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
# A paragraph number is followed by the paragraph's first word, capitalised: "5.8 million people" is a figure.
_PARA_NUMBER = re.compile(r"^(?:-\s+)?(?:para(?:graph)?\.?\s*)?(\d{1,3}(?:\.\d{1,3}){1,3})[.)]?\s+[\"'“‘(\[]?[A-Z]")


@dataclass
class _Para:
    start: int
    end: int
    section: str
    locator: str
    sentences: list[tuple[int, int]]


def paragraphs(doc: Document) -> list[_Para]:
    """Paragraph blocks with their heading path and paragraph number, in document order."""
    text, out = doc.text, []
    stack: list[tuple[int, str]] = []
    pos = 0
    for block in re.split(r"(\n\s*\n)", text):
        b_start, pos = pos, pos + len(block)
        if not block.strip():
            continue
        lines_pos = b_start
        body_start = None
        for line in block.split("\n"):
            m = _HEADING.match(line)
            if m:
                level = len(m.group(1))
                stack = [h for h in stack if h[0] < level] + [(level, m.group(2))]
            elif line.strip() and body_start is None:
                body_start = lines_pos
            lines_pos += len(line) + 1
        if body_start is None:
            continue
        sents = sentence_spans(text, body_start, b_start + len(block))
        if not sents:
            continue
        num = _PARA_NUMBER.match(text[body_start:b_start + len(block)].lstrip())
        section = " > ".join(h[1] for h in stack)
        out.append(_Para(sents[0][0], sents[-1][1], section, num.group(1) if num else "", sents))
    if sum(bool(p.locator) for p in out) < 2:  # one number at a paragraph start is a figure, not a numbering
        for p in out:
            p.locator = ""
    return out


def chunk_document(doc: Document, target: int = 320, max_chars: int = 520) -> list[Chunk]:
    """Pack sentences into passages of about `target` characters (never over `max_chars` unless one sentence is)."""
    groups: list[tuple[list[tuple[int, int]], _Para, list[str]]] = []
    for para in paragraphs(doc):
        cur: list[tuple[int, int]] = []
        for s in para.sentences:
            if cur and (s[1] - cur[0][0] > max_chars or cur[-1][1] - cur[0][0] >= target):
                groups.append((cur, para, [para.locator]))
                cur = []
            cur.append(s)
        if cur:
            prev = groups[-1] if groups else None
            # A short paragraph joins the previous passage of the same section if it fits.
            if (prev and prev[1].section == para.section and prev[1] is not para
                    and (prev[0][-1][1] - prev[0][0][0] < target * 0.6 or cur[-1][1] - cur[0][0] < 100)
                    and cur[-1][1] - prev[0][0][0] <= max_chars):
                prev[0].extend(cur)
                prev[2].append(para.locator)
            else:
                groups.append((cur, para, [para.locator]))
    return [_make_chunk(doc, g, para, locs) for g, para, locs in groups]


def _make_chunk(doc: Document, sents: list[tuple[int, int]], para: _Para, locs: list[str]) -> Chunk:
    start, end = sents[0][0], sents[-1][1]
    text = doc.text[start:end]
    nums = [n for n in locs if n]
    locator = nums[0] if len(nums) == 1 else (f"{nums[0]}–{nums[-1]}" if nums else "")
    if doc.pages:
        page = bisect.bisect_right(doc.pages, start)
        locator = f"{locator}, p. {page}" if locator else f"p. {page}"
    return Chunk(
        chunk_id=sha1(f"{doc.doc_id}:{start}:{text}")[:16], doc_id=doc.doc_id, text=text, start=start, end=end,
        section=para.section, locator=locator, title=doc.title, publisher=doc.publisher, url=doc.url,
    )
