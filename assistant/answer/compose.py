"""The answer as the user reads it: chosen sentences joined, each with its marker and citation."""

from __future__ import annotations

import re

from assistant.answer.sentences import Sentence
from assistant.textutil import sentence_spans
from assistant.types import Answer, Citation

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
