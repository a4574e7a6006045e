"""Hybrid retrieval: dense (Chroma, cosine) + BM25, fused into one score."""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

import numpy as np
from pydantic import ConfigDict

from assistant.index.embeddings import Embedder, get_embedder
from assistant.index.sentence_vectors import SentenceVectors
from assistant.index.store import Index
from assistant.index.word_vectors import TermVectors
from assistant.inputs import validate_query
from assistant.search.rarity import term_weights
from assistant.settings import Settings, get_settings
from assistant.textutil import tokens
from assistant.types import Passage

# "this way of working", "working like this", "Is this new?": in a question on its own these mean the
# library's subject (strengths-based practice), which the words themselves do not say.
_TOPIC_ANAPHOR = re.compile(
    r"\b(?:this|that) (?:way of (?:working|doing things|thinking)|approach|way|model|kind of (?:work|practice)|practice)\b"
    r"|\bwork(?:ing)? (?:like this|this way|in this way)\b|(?<=\bfor )this(?= to (?:work|stick|succeed|happen)\b)"
    r"|\bthis\b(?=\s*(?:[?.!,;]|$|(?:is|was|will|would|can|could|should|does|do|has|have|mean|means|work|works|"
    r"apply|applies|help|helps|need|needs|take|takes|cost|costs|save|saves|fit|fits|just|only|really|still|new)\b))",
    re.I)


def resolve_topic(query: str, topic: str) -> str | None:
    """The query with "this way of working" and the like replaced by the library's topic; None when it has none."""
    if not topic or not _TOPIC_ANAPHOR.search(query):
        return None
    return _TOPIC_ANAPHOR.sub(topic, query)


class Retriever:
    """Searches the live index generation; picks up a newer one as soon as an ingest publishes it."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None):
        self.settings = settings or get_settings()
        self._embedder = embedder
        self._index: Index | None = None
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}
        self._chunk_cache: dict[tuple[str, str], np.ndarray] = {}
        self._sentences: tuple[str, SentenceVectors | None] | None = None
        self._terms: tuple[str, TermVectors | None] | None = None
        self._topic: dict[str, np.ndarray] = {}
        self._doc_terms: tuple[str, dict[str, frozenset[str]]] = ("", {})

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def index(self) -> Index:
        with self._lock:
            if self._index is None or self._index.is_stale():
                self._index = Index.open(self.settings)
            return self._index

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding; when it says "this way of working", averaged with the query naming the
        library's topic instead (the words alone match any passage about any way of working)."""
        qvec = self.embedder.encode_query(query)
        resolved = resolve_topic(query, self.settings.library_topic)
        if resolved is None:
            return qvec
        v = qvec + self.embedder.encode_query(resolved)
        return (v / (np.linalg.norm(v) or 1.0)).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(texts)

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        """Vectors for short texts (sentences), remembered across calls: warm answers skip the model."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            for t, v in zip(todo, self.embedder.encode(todo)):
                self._cache[t] = v
            while len(self._cache) > 50_000:
                self._cache.pop(next(iter(self._cache)))
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, self.embedder.dim), np.float32)

    def chunk_vectors(self, idx: Index, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """Stored passage vectors, remembered per index generation (a store lookup costs milliseconds)."""
        key = str(idx.path)
        todo = [c for c in chunk_ids if (key, c) not in self._chunk_cache]
        if todo:
            if len(self._chunk_cache) > 20_000:
                self._chunk_cache.clear()
            self._chunk_cache.update({(key, c): v for c, v in idx.embeddings_for(todo).items()})
        return {c: self._chunk_cache[(key, c)] for c in chunk_ids if (key, c) in self._chunk_cache}

    def sentence_vectors(self, idx: Index) -> SentenceVectors | None:
        """The generation's sentence vectors (loaded once per generation); None when off or not built."""
        if not self.settings.sentence_vectors:
            return None
        key = str(idx.path)
        if self._sentences is None or self._sentences[0] != key:
            self._sentences = (key, SentenceVectors.load(idx.path, idx.chunks.ids))
        return self._sentences[1]

    def term_vectors(self, idx: Index) -> TermVectors | None:
        """The generation's word vectors (loaded once per generation); None when off or not built."""
        if not self.settings.query_expansion:
            return None
        key = str(idx.path)
        if self._terms is None or self._terms[0] != key:
            self._terms = (key, TermVectors.load(idx.path, self.settings.model))
        return self._terms[1]

    def keyword_terms(self, query: str, idx: Index) -> dict[str, float]:
        """BM25 terms of the query with their weights: its own words, plus near-synonyms from the library."""
        terms = self.term_vectors(idx)
        if terms is None:
            return dict.fromkeys(tokens(query), 1.0)
        return terms.expand(query, self.embed_cached, self.settings.expansion_weight)

    def search(self, query: str, k: int | None = None, qvec: np.ndarray | None = None,
               terms: dict[str, float] | None = None) -> list[Passage]:
        """Best k passages for the query, with provenance and scores (terms: keyword weights worked out by the
        caller, e.g. a long question's asking sentence weighted above its case context)."""
        query = validate_query(query, self.settings.max_question_chars, "search query")
        k = k or self.settings.search_k
        idx = self.index
        if not idx.chunks:
            return []
        n = min(self.settings.candidate_k, len(idx.chunks))
        qvec = self.query_vector(query) if qvec is None else qvec
        res = idx.collection.query(query_embeddings=[qvec], n_results=n, include=["distances"])
        dense = {cid: 1.0 - float(d) for cid, d in zip(res["ids"][0], res["distances"][0])}
        terms = self.keyword_terms(query, idx) if terms is None else terms
        lexical = {idx.chunks[i].chunk_id: s for i, s in idx.bm25.search_terms(terms, n)}
        sentences = self.sentence_vectors(idx)
        # Scanning every sentence finds passages the passage vectors missed; in a large library that scan
        # costs more than the search itself, so there sentences only rescore the candidates.
        scan = sentences is not None and len(sentences.matrix) <= self.settings.sentence_scan_limit
        best = sentences.best(qvec) if scan else None
        if best is not None:  # passages whose one sentence matches well join the candidates too
            for i in np.argpartition(-best, n - 1)[:n] if n < len(best) else range(len(best)):
                dense.setdefault(idx.chunks[i].chunk_id, None)
        missing = [c for c in lexical if c not in dense] + [c for c, v in dense.items() if v is None]
        if missing:  # strong keyword hits the dense search did not reach still get a real similarity
            dense.update({c: float(v @ qvec) for c, v in self.chunk_vectors(idx, missing).items()})
            dense = {c: v for c, v in dense.items() if v is not None}
        # Score fusion on standardised scores: in a focused corpus every passage is "about" the topic,
        # so raw cosines bunch together; z-scores let a strong keyword match compete with them.
        # Chosen over reciprocal rank fusion and raw-score sums on the dev questions (recall@5, MRR).
        cids = list(dense)
        pos = np.array([idx.position[c] for c in cids])
        if self.settings.lexical_scope == "pool":
            lx = idx.bm25.score_among(terms, pos)
            lexical = dict(zip(cids, lx.tolist()))
        else:
            lx = np.array([lexical.get(c, 0.0) for c in cids])
        signals = [(1.0, np.array([dense[c] for c in cids]))]
        if sentences is not None:
            # A passage's best sentence, standardised the same way: paraphrases of one sentence in a
            # three-sentence passage match that sentence far better than the passage's blended vector.
            w = self.settings.sentence_weight
            sent = best[pos] if best is not None else sentences.best_of(qvec, pos)
            if self.settings.sentence_floor is not None:
                # A passage vector carries its document's title, its sentences' vectors do not: a long sentence listing
                # who a paper is for matches "who is the strengths-based areas paper for" far worse alone than in its
                # passage. Its best sentence is never taken as much worse than the passage itself.
                sent = np.maximum(sent, signals[0][1] - self.settings.sentence_floor)
            signals = [((1 - w), signals[0][1]), (w, sent)]
        signals.append((self.settings.lexical_weight, lx))
        z = _fuse(signals, None)
        ref = self.settings.fusion_reference
        if 0 < ref < len(cids):
            # Standardised again against the passages that compete for the top: a crowd of unrelated ones further
            # down (bus timetables in a library of guidance) would otherwise set each signal's spread.
            z = _fuse(signals, np.argpartition(-z, ref - 1)[:ref])
        z = z - self.off_topic_penalty(idx, cids)
        if self.settings.document_weight > 0:
            z = z + self.settings.document_weight * self.document_cover(idx, query, cids)
        fused = dict(zip(cids, z.tolist()))
        top = sorted(fused, key=lambda c: (-fused[c], idx.position[c]))[:k]
        return [self._passage(idx, r + 1, cid, fused[cid], dense.get(cid, 0.0), lexical.get(cid, 0.0))
                for r, cid in enumerate(top)]

    def topic_vector(self) -> np.ndarray | None:
        """The library topic's query vector, worked out once (None when the library has no topic)."""
        topic = self.settings.library_topic
        if not topic or self.settings.off_topic_weight <= 0:
            return None
        if topic not in self._topic:
            self._topic[topic] = self.embedder.encode_query(topic)
        return self._topic[topic]

    def off_topic_penalty(self, idx: Index, cids: list[str]) -> np.ndarray:
        """Fused-score loss of candidates whose passage is far from what the library is about: in a library of
        guidance with council pages beside it, "check how far my own council has got" otherwise finds five
        council-tax passages, which share one word with it and nothing of its subject. A passage at least
        off_topic_floor from the topic loses nothing (every passage of the shipped guidance is above 0.43)."""
        tv = self.topic_vector() if self.settings.off_topic_weight > 0 else None
        if tv is None:
            return np.zeros(len(cids))
        vecs = self.chunk_vectors(idx, cids)
        sim = np.array([float(vecs[c] @ tv) if c in vecs else 1.0 for c in cids])
        return self.settings.off_topic_weight * np.clip(self.settings.off_topic_floor - sim, 0.0, None)

    def document_terms(self, idx: Index, doc_id: str) -> frozenset[str]:
        """The content tokens of a whole document (title and text), worked out once per index generation."""
        key = str(idx.path)
        if self._doc_terms[0] != key:
            self._doc_terms = (key, {})
        cache = self._doc_terms[1]
        if doc_id not in cache:
            doc = idx.documents.get(doc_id)
            cache[doc_id] = frozenset(tokens(f"{doc.title} {doc.text}")) if doc is not None else frozenset()
        return cache[doc_id]

    def document_cover(self, idx: Index, query: str, cids: list[str]) -> np.ndarray:
        """For each candidate, the share of the query's words (weighted by their rarity in English) that its
        whole document has."""
        weights = term_weights(resolve_topic(query, self.settings.library_topic) or query)
        total = sum(weights.values())
        if not total:
            return np.zeros(len(cids))
        share: dict[str, float] = {}
        for c in cids:
            d = idx.by_id[c].doc_id
            if d not in share:
                have = self.document_terms(idx, d)
                share[d] = sum(w for t, w in weights.items() if t in have) / total
        return np.array([share[idx.by_id[c].doc_id] for c in cids])

    def keyword_hits(self, query: str, n: int, qvec: np.ndarray | None = None) -> list[Passage]:
        """The n best BM25 passages alone (no fusion), with their real cosine similarity to the query.

        A long passage holding the one distinctive word of a question can rank low after fusion when its
        other sentences are about something else; the answerer looks at these as well."""
        idx = self.index
        hits = idx.bm25.search(query, n)
        if not hits:
            return []
        qvec = self.query_vector(query) if qvec is None else qvec
        cids = [idx.chunks[i].chunk_id for i, _ in hits]
        vecs = self.chunk_vectors(idx, cids)
        return [self._passage(idx, r + 1, cid, lx, float(vecs[cid] @ qvec) if cid in vecs else 0.0, lx)
                for r, (cid, (_, lx)) in enumerate(zip(cids, hits))]

    @staticmethod
    def _passage(idx: Index, rank: int, cid: str, score: float, dense: float, lexical: float) -> Passage:
        c = idx.by_id[cid]
        return Passage(rank=rank, chunk_id=cid, doc_id=c.doc_id, title=c.title, publisher=c.publisher, url=c.url,
                       text=c.text, score=round(score, 6), dense=round(dense, 4), lexical=round(lexical, 4),
                       section=c.section, locator=c.locator, start=c.start, end=c.end)


def _z(x: np.ndarray, ref: np.ndarray | None = None) -> np.ndarray:
    r = x if ref is None else x[ref]
    return (x - r.mean()) / (r.std() + 1e-6)


def _fuse(signals: list[tuple[float, np.ndarray]], ref: np.ndarray | None) -> np.ndarray:
    """Weighted sum of the signals, each standardised by its mean and spread over ref (all when None)."""
    return sum(w * _z(x, ref) for w, x in signals)


def as_langchain_retriever(retriever: Retriever, k: int | None = None):
    """The same hybrid search as a LangChain BaseRetriever (documents carry full provenance metadata)."""
    return _langchain_class()(retriever=retriever, k=k or retriever.settings.search_k)


@functools.cache
def _langchain_class():
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document as LCDocument
    from langchain_core.retrievers import BaseRetriever

    class GuidanceRetriever(BaseRetriever):
        """LangChain retriever over the assistant's hybrid index."""

        model_config = ConfigDict(arbitrary_types_allowed=True)
        retriever: Any
        k: int = 5

        def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                    **kwargs: Any) -> list[LCDocument]:
            k = kwargs.get("k", self.k)
            return [LCDocument(page_content=p.text, metadata=p.model_dump(exclude={"text"}))
                    for p in self.retriever.search(query, k=k)]

    return GuidanceRetriever


def __getattr__(name: str):
    # LangChain is imported only when the adapter is used: keeps CLI start-up fast.
    if name == "GuidanceRetriever":
        return _langchain_class()
    raise AttributeError(name)
