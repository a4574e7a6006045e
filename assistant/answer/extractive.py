"""The extractive answerer: verbatim sentences from the guidance, each cited, and no LLM.

It works in three steps:
1. retrieve passages for the question (search.query folds follow-ups with the conversation and expands
   acronyms the guidance defines), and add the best keyword passages that fusion ranked lower as answer
   candidates;
2. decide whether the guidance answers it at all (answer.abstain);
3. pick sentences (answer.sentences) and join them with their citations (answer.compose).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.abstain import asked_names, confidence
from assistant.answer.compose import ABSTAIN_TEXT, VAGUE_NOTICE, compose
from assistant.answer.sentences import (
    DEPTH,
    KEYWORD_HITS,
    Sentence,
    candidate_sentences,
    choose,
)
from assistant.search.query import (
    keyword_style,
    question_terms,
    rewrite_query,
)
from assistant.search.retrieve import Retriever
from assistant.search.understand import query_vector, search_understood, understand
from assistant.settings import Settings
from assistant.types import Answer, Passage, Turn


class _Pinned:
    """The retriever with its index looked up once per answer (the live index is checked on every access)."""

    def __init__(self, retriever: Retriever):
        self._retriever = retriever
        self.index = retriever.index
        self.embedder = retriever.embedder
        self.settings = retriever.settings

    def embed_cached(self, texts: list[str]):
        return self._retriever.embed_cached(texts)

    def term_vectors(self, idx):
        return self._retriever.term_vectors(idx)

    def sentence_vectors(self, idx):
        return self._retriever.sentence_vectors(idx)

    def keyword_terms(self, query: str, idx):
        return self._retriever.keyword_terms(query, idx)

    def query_vector(self, query: str):
        return self._retriever.query_vector(query)

    def search(self, *args, **kwargs):
        return self._retriever.search(*args, **kwargs)

    def keyword_hits(self, *args, **kwargs):
        return self._retriever.keyword_hits(*args, **kwargs)


def extractive_answer(retriever: Retriever, question: str, history: list[Turn], settings: Settings) -> Answer:
    """Answer with the guidance's own sentences, or abstain with the closest passages."""
    retriever = _Pinned(retriever) if isinstance(retriever, Retriever) else retriever
    a = assess(retriever, question, history, settings)
    if a.confidence < settings.abstain_threshold:
        vague = not question_terms(retriever, a.query)
        return Answer(question=question, answer=ABSTAIN_TEXT, abstained=True, searched_query=a.query,
                      closest=a.passages[:3], notices=[VAGUE_NOTICE] if vague else [])
    chosen = choose(a.candidates, settings.answer_max_sentences, keyword_style(retriever, question))
    return compose(question, a.query, chosen)


@dataclass
class Assessment:
    """What the extractive answerer found for a question, before deciding to answer or abstain."""

    query: str  # the question as searched (follow-ups folded with the conversation)
    passages: list[Passage]
    candidates: list[Sentence]
    confidence: float  # compared with settings.abstain_threshold


def assess(retriever: Retriever, question: str, history: list[Turn], settings: Settings) -> Assessment:
    """Retrieve, score the candidate sentences and work out the confidence that the guidance answers it."""
    retriever = _Pinned(retriever) if isinstance(retriever, Retriever) else retriever
    query = rewrite_query(question, history)
    u = understand(retriever, query)
    asked = u if query == question else understand(retriever, question)
    qvec = query_vector(retriever, u)
    passages = search_understood(retriever, u, max(DEPTH, settings.search_k), qvec)
    # What the question asks is read from the sentence that asks, abbreviations spelt out; names and numbers it
    # must find from the words as typed, less the abbreviations the glossary or the library knows.
    meaning = u.meaning_focus if u.context else u.meaning
    cands = candidate_sentences(retriever, asked.meaning_focus, meaning, qvec,
                                with_keyword_hits(retriever, u.search_text, qvec, passages))
    conf = confidence(retriever, asked.focus, u.focus if u.context else u.corrected, passages, settings, cands,
                      names=asked_names(retriever, asked.focus), qvec=qvec) if passages else 0.0
    return Assessment(u.corrected, passages, cands, conf)


def with_keyword_hits(retriever: Retriever, query: str, qvec, passages: list[Passage]) -> list[Passage]:
    """The top fused passages, then the best keyword passages that fusion ranked lower (answer candidates)."""
    top = passages[:DEPTH]
    have = {p.chunk_id for p in top}
    extra = [p for p in retriever.keyword_hits(query, KEYWORD_HITS, qvec) if p.chunk_id not in have]
    return top + [p.model_copy(update={"rank": len(top) + i + 1}) for i, p in enumerate(extra)]
