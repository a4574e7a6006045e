"""The answer as the user reads it: chosen sentences joined, each with its marker and citation."""

from __future__ import annotations

import re

from assistant.answer.sentences import Sentence
from assistant.textutil import sentence_spans
from assistant.types import Answer, Citation, Document

ABSTAIN_TEXT = ("The guidance in the library does not cover this question, so there is no grounded answer to give. "
                "The closest passages found are listed below; they may help you decide where to look next.")
VAGUE_NOTICE = "The question has no words to search for on its own: add what you want to know about."


def compose(question: str, query: str, chosen: list[Sentence]) -> Answer:
    """Join the chosen sentences, each followed by its marker, with one citation per quote."""
    parts, cites = [], []
    for n, s in enumerate(chosen, 1):
        marker = f"[{n}]"
        text = s.text.rstrip()
        parts.append(f"{text} {marker}")
        p = s.passage
        cites.append(Citation(marker=marker, chunk_id=p.chunk_id, doc_id=p.doc_id, title=p.title,
                              publisher=p.publisher, url=p.url, quote=text, start=s.start, end=s.start + len(text),
                              section=p.section, locator=p.locator))
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=cites,
                  searched_query=query)


# A question about a document's own details: which detail it asks for, and how the answer says it.
_DETAILS = (("author", re.compile(r"\bwho (?:wrote|is the author of|authored)\b|\bwritten by\b|\bauthor\b", re.I),
             "was written by"),
            ("publisher", re.compile(r"\bwho (?:published|publishes|puts? out|issued|produced)\b|\bpublisher\b",
                                     re.I), "is published by"),
            ("date", re.compile(r"\bwhen (?:was|is|did) (?:it|that|this|the \w+) (?:published|written|come out|"
                                r"released|issued)\b|\bpublication date\b", re.I), "is dated"))


def document_detail(question: str) -> str:
    """'author', 'publisher' or 'date' when the question asks for that detail of a document, else ''."""
    return next((name for name, pattern, _ in _DETAILS if pattern.search(question)), "")


def detail_answer(question: str, query: str, doc: Document, detail: str) -> Answer:
    """The answer from the document's own details ("who published that guidance?"), cited to that detail."""
    verb = next(v for name, _, v in _DETAILS if name == detail)
    value = getattr(doc, detail).strip()
    cite = Citation(marker="[1]", chunk_id=f"{doc.doc_id}#{detail}", doc_id=doc.doc_id, title=doc.title,
                    publisher=doc.publisher, url=doc.url, quote=value, start=0, end=0,
                    section="Document details", source_field=detail)
    return Answer(question=question, answer=f"“{doc.title}” {verb} {value}. [1]", abstained=False,
                  citations=[cite], searched_query=query)


def split_answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, each keeping its trailing citation markers."""
    out = []
    for s, e in sentence_spans(text):
        piece = text[s:e]
        m = re.match(r"^(\s*(?:\[\d+\]\s*)+)", piece)
        if m and out:  # markers that sentence splitting pushed to the next sentence
            out[-1] += " " + m.group(1).strip()
            piece = piece[m.end():]
        if piece.strip():
            out.append(piece.strip())
    return out
