"""The answer stage's front door: extractive by default, through the LLM when one is configured or given."""

from __future__ import annotations

from assistant.answer.extractive import extractive_answer
from assistant.answer.llm_answer import llm_answer_stream
from assistant.answer.sentences import DEPTH
from assistant.search.followup import read_followup
from assistant.search.retrieve import Retriever
from assistant.search.understand import search_understood, understand
from assistant.settings import Settings
from assistant.types import Answer, Turn


def answer_question(retriever: Retriever, question: str, history: list[Turn], settings: Settings,
                    chat_model=None) -> Answer:
    """Answer from the guidance: extractive by default, through the LLM when one is configured or given."""
    for step in answer_stream(retriever, question, history, settings, chat_model):
        if isinstance(step, Answer):
            return step
    raise AssertionError("an answer stream always ends on an Answer")


def answer_stream(retriever: Retriever, question: str, history: list[Turn], settings: Settings, chat_model=None):
    """As answer_question, but an LLM's draft text (str, not yet verified) is yielded as it is written; the last
    item is always the Answer to show. The extractive answerer yields only its Answer."""
    if settings.llm_provider or chat_model is not None:
        query = read_followup(question, history, retriever.index.documents).query
        u = understand(retriever, query)
        passages = search_understood(retriever, u, max(DEPTH, settings.search_k))
        yield from llm_answer_stream(retriever, question, u.corrected, passages, settings, model=chat_model,
                                     history=history)
        return
    yield extractive_answer(retriever, question, history, settings)
