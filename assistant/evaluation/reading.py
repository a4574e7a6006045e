"""Whether an answer reads as an answer: it does not open on a reference to nothing, and it quotes no fragments.

Judged on the answer text and its citations only (no assistant internals), so the figures mean the same
whatever the answerer does:
- an answer *opens unresolved* when its first quoted sentence starts with This / It / These / Such / They…
  and nothing before it in the answer says what that is (a quoted sentence before it, or a source named
  before "This guide / report / paper…");
- a quote is a *fragment* when it is a heading, a lead-in ending in ':' (unless bullets follow it in the
  answer) or a question heading, a pointer
  ('See also…', '…here'), a piece shorter than four words, a piece starting in lower case, or a list item
  quoted as running prose (not shown as a bullet).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from assistant.search.docnouns import alternation, load_document_nouns

_MARKERS = re.compile(r"\s*\[\d+\]")
ANAPHOR = re.compile(r"^[\"“‘']?(?:this|these|those|it|its|they|their|them|such|he|she|his|her|that)\b", re.I)
DOC_NOUN = re.compile(r"^[\"“‘']?(?:this|these|the) (?:(?:new|latest|recent|updated|short|quick|full|original|online) )?(?:"
                      + alternation(load_document_nouns()["nouns"]) + r")s?\b", re.I)
_POINTER = re.compile(r"^(?:see also|see |click|read (?:more|her|his|their|our|the)|watch|listen)|\bhere\W*$", re.I)
_QUOTED = re.compile(r"“([^”]+)”")


def opening_quote(answer: str) -> tuple[str, str]:
    """(what the answer says before its first quote, the first quoted sentence); the whole first sentence
    when nothing is in curly quotes."""
    text = _MARKERS.sub("", answer).strip()
    text = re.sub(r"^[-•*]\s+", "", text)
    m = _QUOTED.search(text)
    if m and m.start() < 200:
        return text[:m.start()], m.group(1)
    return "", text


def opens_unresolved(answer: str) -> bool:
    """The answer's first quoted sentence leans on something the reader has not been shown."""
    before, quote = opening_quote(answer)
    if not ANAPHOR.match(quote):
        return False
    return not (DOC_NOUN.match(quote) and before.strip())


def is_fragment(quote: str, doc_text: str, start: int, answer: str) -> bool:
    """A quoted piece that is not a sentence standing on its own (see the module docstring)."""
    q = quote.strip()
    line_start = doc_text.rfind("\n", 0, start) + 1
    prefix = doc_text[line_start:start]
    if prefix.lstrip().startswith("#"):
        return True  # a heading
    if q.rstrip("'’\"”").endswith(":") and re.search(re.escape(q) + r"[”\"]?\s*(?:\[\d+\]\s*)*\n\s*[-•*]\s", answer):
        return False  # the lead-in of the bullets that follow it
    if q.rstrip("'’\"”").endswith((":", "?")) or _POINTER.search(q):
        return True
    if len(q.split()) < 4 or q[:1].islower():
        return True
    bullet = prefix.strip() in ("-", "*", "•") or re.fullmatch(r"\s*(?:[-*•]|\d+[.)])\s*", prefix or "x")
    if bullet:  # a list item reads as one only when the answer shows it as a bullet
        return not re.search(r"(?m)^\s*[-•*]\s+(?:\*\*[^*]*\*\*\s*)?[“\"]?" + re.escape(q[:40]), answer)
    return False


def fragment_count(answer: str, citations: Sequence, documents: Mapping) -> int:
    """How many of the answer's quotes are fragments."""
    n = 0
    for c in citations:
        doc = documents.get(c.doc_id)
        if getattr(c, "source_field", ""):
            continue  # a document detail (its publisher, author…), not a sentence
        if doc is not None and is_fragment(c.quote, doc.text, c.start, answer):
            n += 1
    return n
