"""List-shaped answers: the document's own list (its lead-in and items), found among the answer candidates.

"What are the key elements of an SBA for children?" is answered with the guidance's "An SBA to social care
essentially:" and its bullet items, each quoted verbatim; "in 3 bullet points" takes the first three items.
A list counts when one of its items or its lead-in is among the few best candidates.
"""

from __future__ import annotations

import re

from assistant.answer.compose import Quote
from assistant.answer.sentences import Sentence
from assistant.search.query import term_set
from assistant.textutil import sentence_spans

LIST_SHARE = 0.6  # a list answers when its best sentence scores at least this share of the best candidate
LIST_RANK = 4  # … and is among this many best candidates
MAX_ITEMS = 8
_ITEM = re.compile(r"(?:[-*•]|\d+[.)])\s+")


def list_at(text: str, start: int) -> tuple[tuple[int, int], list[tuple[int, int]]] | None:
    """(the lead-in span, the item spans) of the list holding the line at start (an item or its lead-in)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    pos = line_start
    if not text[line_start:line_end].rstrip().endswith(":"):  # an item: walk up to its lead-in
        while pos > 0:
            prev = text.rfind("\n", 0, pos - 1) + 1
            line = text[prev:pos - 1]
            if line.rstrip().endswith(":"):
                pos = prev
                break
            if not _ITEM.match(line):
                return None
            pos = prev
        else:
            return None
    lead_end = text.find("\n", pos)
    if lead_end < 0:
        return None
    lead = (pos + len(text[pos:lead_end]) - len(text[pos:lead_end].lstrip()), lead_end)
    items, cur = [], lead_end + 1
    while cur < len(text):
        end = text.find("\n", cur)
        end = len(text) if end < 0 else end
        m = _ITEM.match(text, cur)
        if not m or m.start() != cur:
            break
        items.append((m.end(), end))
        cur = end + 1
    return (lead, items) if items else None


def best_list(cands: list[Sentence], documents, n: int | None = None) -> list[Quote] | None:
    """The lead-in and items of the best-scoring list among the candidates, as quotes; None if none is close
    enough to the best candidate."""
    return _first_list(cands, documents, n, lambda k, c: c.kind in ("item", "lead-in"))


def echoed_list(cands: list[Sentence], documents, terms: set[str], n: int | None = None) -> list[Quote] | None:
    """The list whose lead-in echoes the question ("what is an SBA essentially?": "An SBA to social care
    essentially:"), as quotes: a lead-in among the few best candidates that has every one of the question's words,
    one of them a word no better candidate has. None otherwise."""
    if not terms:
        return None
    return _first_list(cands, documents, n, lambda k, c: c.kind == "lead-in" and terms <= term_set(c.text) and
                       bool(terms - set().union(*(term_set(o.text) for o in cands[:k]))))


ENUMERATED_WORDS = 4  # words of each item after the first of a sentence that enumerates
ENUMERATION_SHARE = 0.8  # a list whose best sentence scores below this share of a top sentence that enumerates loses


def enumerates(c: Sentence) -> bool:
    """A plain sentence that is itself a list of three or more ("…can include knowledge, people, spaces, networks
    and services.")."""
    pieces = c.text.rstrip(" .;").split(", ")[1:]  # the first piece holds what the list is of
    return c.kind == "sentence" and len(pieces) >= 2 and all(len(p.split()) <= ENUMERATED_WORDS for p in pieces) \
        and bool(re.search(r"\b(?:and|or)\b", pieces[-1]))


def _first_list(cands: list[Sentence], documents, n: int | None, fits) -> list[Quote] | None:
    """The list of the first of the few best candidates that `fits` (its rank, it) and is in a list, as quotes.
    None too when the best candidate is a sentence that enumerates the answer itself and scores clearly higher."""
    if not cands:
        return None
    top = cands[0].score
    share = ENUMERATION_SHARE if enumerates(cands[0]) else LIST_SHARE
    for k, c in enumerate(cands[:LIST_RANK]):
        if c.score < share * top:
            return None
        if not fits(k, c):
            continue
        doc = documents.get(c.passage.doc_id)
        found = list_at(doc.text, c.start) if doc is not None else None
        if found:
            return _quotes(doc.text, c, *found, n)
    return None


def _quotes(text: str, c: Sentence, lead: tuple[int, int], items: list[tuple[int, int]], n: int | None):
    out = [Quote(c.passage, lead[0], lead[1], text[lead[0]:lead[1]], "lead-in")]
    for s, e in items[:n or MAX_ITEMS]:
        # an item of two sentences is quoted as two, each with its own marker, on the one bullet line
        for k, (qs, qe) in enumerate(sentence_spans(text, s, e)):
            out.append(Quote(c.passage, qs, qe, text[qs:qe], "item" if k == 0 else "item-more"))
    return out
