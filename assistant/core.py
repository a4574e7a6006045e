"""The library's front door: one Assistant object that the CLI and the app both call."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from assistant.errors import IndexBusyError, NoIndexError
from assistant.index.store import Index, derived_up_to_date, ingest, remove_documents
from assistant.inputs import validate_query
from assistant.search.retrieve import Retriever
from assistant.settings import Settings, get_settings
from assistant.types import (
    Answer,
    CheckReport,
    DocInfo,
    IngestReport,
    Passage,
    PromptSet,
    Turn,
)

log = logging.getLogger(__name__)


class Assistant:
    """Search, answer, prompt, check and manage the guidance library."""

    def __init__(self, settings: Settings | None = None, retriever: Retriever | None = None, chat_model=None):
        self.settings = settings or get_settings()
        self.retriever = retriever or Retriever(self.settings)
        self.chat_model = chat_model  # a LangChain chat model; None: from settings (or extractive)
        self._build_lock = threading.Lock()

    # -- library
    def has_index(self) -> bool:
        try:
            self.retriever.index
            return True
        except NoIndexError:
            return False

    def ensure_index(self, progress=True) -> IngestReport | None:
        """Build the index from the corpus if there is none yet (first run); add what an index built by an
        older version lacks (sentence or word vectors) without re-embedding its passages."""
        with self._build_lock:
            if self.has_index():
                if derived_up_to_date(self.settings, self.retriever.index.path):
                    return None
                log.info("Adding sentence/word vectors to the index built by an older version")
                try:
                    return self.ingest(progress=progress)
                except IndexBusyError:  # another process is ingesting: it adds them; search works meanwhile
                    return None
            log.info("No index yet: building it from %s", self.settings.corpus_path)
            try:
                return self.ingest(progress=progress)
            except IndexBusyError:
                if not self.settings.chroma_host:
                    raise
                return self._wait_for_library()

    def _wait_for_library(self, poll: float = 2.0) -> None:
        """Server mode: another app server is building the shared library; start once it is published."""
        log.info("Another app server is building the library on the Chroma server: waiting for it")
        while not self.has_index():
            time.sleep(poll)
            try:  # the other writer may have died: then this one takes over once its lock lapses
                return self.ingest(progress=False)
            except IndexBusyError:
                continue
        return None

    def ingest(self, paths: list[Path] | None = None, rebuild: bool = False, progress=True,
               clear_refused: bool = False) -> IngestReport:
        return ingest(self.settings, paths, rebuild=rebuild, progress=progress, clear_refused=clear_refused)

    def remove(self, doc_ids: list[str], progress=False) -> IngestReport:
        return remove_documents(self.settings, doc_ids, progress=progress)

    def docs(self) -> list[DocInfo]:
        return self.retriever.index.doc_infos()

    @property
    def index(self) -> Index:
        return self.retriever.index

    # -- capabilities
    def search(self, query: str, k: int | None = None) -> list[Passage]:
        from assistant.search.understand import search

        return search(self.retriever, validate_query(query, self.settings.max_question_chars, "search query"), k)

    def ask(self, question: str, history: list[Turn] | list[dict] | None = None) -> Answer:
        from assistant.answer.answerer import answer_question

        question = validate_query(question, self.settings.max_question_chars)
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in (history or [])]
        return answer_question(self.retriever, question, turns, self.settings, self.chat_model)

    def ask_stream(self, question: str, history: list[Turn] | list[dict] | None = None):
        """As ask, for a chat that shows an LLM's draft while it is written: yields the draft text (str, not yet
        verified) and ends on the Answer to show, whose sentences have all been verified."""
        from assistant.answer.answerer import answer_stream

        question = validate_query(question, self.settings.max_question_chars)
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in (history or [])]
        yield from answer_stream(self.retriever, question, turns, self.settings, self.chat_model)

    def check(self, text: str) -> CheckReport:
        from assistant.check.verify import check_text

        return check_text(self.retriever, validate_query(text, self.settings.max_text_chars, "text to check"))

    def prompts(self, situation: str, setting: str = "adults", stage: str | None = None, n: int = 10) -> PromptSet:
        from assistant.prompts.generate import generate

        situation = validate_query(situation, self.settings.max_text_chars, "situation")
        model = self.chat_model
        if model is None and self.settings.llm_provider:  # optional: extra prompts, each checked before shown
            from assistant.llm import chat_model

            model = chat_model(self.settings)
        return generate(situation, setting=setting, stage=stage, n=n, chat_model=model)

    def reframe(self, text: str):
        from assistant.safety.language import reframe

        return reframe(validate_query(text, self.settings.max_text_chars, "text"))
