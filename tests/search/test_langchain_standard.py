"""Our hybrid retriever passes LangChain's standard retriever contract suite (langchain-tests)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.search.retrieve import GuidanceRetriever, Retriever

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@functools.cache
def _retriever() -> Retriever:
    """A real Chroma + BM25 index of the shipped corpus (fake embeddings: this suite is about the contract)."""
    from assistant.index.store import ingest
    from assistant.settings import Settings

    d = Path(tempfile.mkdtemp(prefix="lc-standard-"))
    settings = Settings(model="fake-hash", corpus_dir=CORPUS, index_dir=d, home=d)
    ingest(settings, progress=False)
    return Retriever(settings)


class TestGuidanceRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[GuidanceRetriever]:
        return GuidanceRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"retriever": _retriever()}

    @property
    def retriever_query_example(self) -> str:
        return "community strengths and assets"
