"""What the earlier turns of a conversation hold: the documents an answer cites, the people it names, the item a
message picks from a listed answer, and what an answer said that another document is asked about."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from assistant.textutil import normalise, tokens
from assistant.types import Document, Turn

QUOTED = re.compile(r"“([^”]{12,})”")
MARKERS = re.compile(r"\s*\[\d+\]")


def cited_documents(turn: Turn, documents: Mapping[str, Document]) -> list[str]:
    """The documents an assistant turn quotes, in the order it quotes them."""
    if turn.doc_ids:
        return [d for d in dict.fromkeys(turn.doc_ids) if d in documents]
    text = MARKERS.sub("", turn.content)
    quoted = list(QUOTED.finditer(text))
    pieces = [(m.group(1), m.start()) for m in quoted] or \
        [(piece, 0) for piece in re.split(r"(?<=[.!?:])\s+|\n+", text)]
    norm = {d: normalise(doc.text) for d, doc in documents.items()}
    titles = {d: normalise(doc.title) for d, doc in documents.items()}
    out: list[str] = []
    for piece, at in pieces:
        p = normalise(re.sub(r"^[-•*]\s+", "", piece.strip()))
        if len(p) < 12:
            continue
        hit = [d for d, t in norm.items() if p in t] or [d for d, t in titles.items() if p == t]
        if len(hit) > 1:  # a sentence two documents share: the one the answer names as its source
            hit = _attributed(text[:at], hit, documents) or hit
        out.extend(d for d in hit if d not in out)
    return out


def _attributed(before: str, hit: list[str], documents: Mapping[str, Document]) -> list[str]:
    """Of the documents a quote is found in, the one whose title the answer names last before the quote
    ("<title> says: “…”")."""
    said = normalise(before)
    where = {d: said.rfind(normalise(re.sub(r"[?!]", "", documents[d].title)).strip(" .:;'’")) for d in hit}
    best = max(where.values())
    return [d for d, at in where.items() if at == best] if best >= 0 else []


_NAME = re.compile(r"\b[A-Z][a-z’']+(?:[ -][A-Z][a-z’']+){1,2}\b")


def named_people(text: str, docs: list[Document], library: Mapping[str, Document] | None = None) -> list[str]:
    """People an answer names, last named first: runs of two or three capitalised words that the library never
    writes in lower case (so "Alex Fox" and "Lyn Romeo", not "Social Care" or "Chief Social Worker")."""
    body = re.sub(r"^.*?\bsays:\s*", "", MARKERS.sub("", text), count=1)  # not the "<title> says:" attribution
    lower = _lower_words(tuple((d.doc_id, d.text) for d in (library or {}).values()) or
                         tuple((d.doc_id, d.text) for d in docs))
    titles = " ".join(d.title for d in docs)
    found, after = [], -1
    for m in _NAME.finditer(body):
        if after >= 0 and re.fullmatch(r"[\s,A-Z]*,\s*", body[after:m.start()]):
            after = m.end()
            continue  # "Alex Fox, OBE, Chief Executive, …": the titles that follow a name are not people
        words = re.split(r"[ -]", m.group(0))
        while words and words[0].lower() in lower:
            words.pop(0)
        name = " ".join(words)
        of = body[m.end():m.end() + 4] == " of "  # "London Borough of Bexley", "Department of Health": a body
        if len(words) >= 2 and not of and not any(w.lower() in lower for w in words) and name not in titles:
            found.append(name)
            after = m.end()
    known = {p for d in docs for p in (d.author, *d.aliases) if p}
    authors = {d.author for d in docs if d.author}
    found = list(dict.fromkeys(reversed(found)))
    # an author's name first, then one the answer introduces as a person ("Alex Fox, Chief Executive"), then other
    # names the documents go by (an alias may be an organisation: "Mayday Trust")
    introduced = {p for p in found if re.search(re.escape(p) + r",\s+[A-Z]", body)}
    return sorted(found, key=lambda p: (p not in authors, p not in introduced, p not in known))


@functools.lru_cache(maxsize=8)
def _lower_words(texts: tuple[tuple[str, str], ...]) -> frozenset[str]:
    return frozenset(w for _, t in texts for w in re.findall(r"\b[a-z][a-z’']+\b", t))


ORDINALS = {w: n for n, ws in enumerate((("first", "1st"), ("second", "2nd"), ("third", "3rd"), ("fourth", "4th"),
                                          ("fifth", "5th"), ("sixth", "6th"), ("seventh", "7th"), ("eighth", "8th")), 1)
             for w in ws}
# "the second one", "the 4th point", "and the first?": an item by its place in a list (or "the last one")
ORDINAL = re.compile(r"\bthe\s+(" + "|".join(ORDINALS) + r"|last)(?:\s+(?:one|item|point|bullet|bit)\b|\s*(?=[?.!]*\s*$))",
                      re.I)
_BULLET = re.compile(r"^\s*[-•*]\s+“(.+?)”", re.M)


def listed_item(question: str, history: list[Turn]) -> str:
    """The item a message picks by its place ("expand on the 4th one") from the bullet list the previous answer
    showed ('' when the message names no place, the previous answer is no list, or the list is shorter)."""
    m = ORDINAL.search(question)
    answer = next((t.content for t in reversed(history) if t.role == "assistant"), "")
    items = _BULLET.findall(answer) if m else []
    if not items:
        return ""
    n = len(items) if m.group(1).lower() == "last" else ORDINALS[m.group(1).lower()]
    return items[n - 1] if n <= len(items) else ""


def said_before(answer: str, doc: Document) -> str:
    """What the previous answer said that a message asks another document about ("does the cyp page say the same
    thing?"): of its quotes, the first that document also holds word for word (dashes and apostrophes aside), else
    its first quote ('' if none)."""
    quotes = [m.group(1) for m in QUOTED.finditer(MARKERS.sub("", answer))]
    text = f" {' '.join(tokens(doc.text, keep_stopwords=True))} "  # word for word, whatever its dashes and apostrophes
    return next((q for q in quotes if f" {' '.join(tokens(q, keep_stopwords=True))} " in text),
                quotes[0] if quotes else "")
