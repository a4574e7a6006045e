"""Writing one generation's files as documents come, copying what an unchanged document already has.

An ingest hands documents over one at a time, in index order. A document whose content the previous
generation already holds brings its passages' lines, keyword postings, sentence rows and word counts
from that generation (no re-reading, re-tokenising or re-embedding); a new or changed one is chunked,
tokenised and embedded. Work is flushed in batches of about BATCH passages, so an ingest holds one
batch's texts and vectors at a time, however large the library: the model sees each batch's passages
and sentences in one length-sorted pass (vectorfiles.embed_all), and the library's words at the end.

The vector store (Chroma) is not written here: each flush returns the batch's passage vectors and the
ingest (store.py) adds them, so the embedded and server stores stay the store's business.
Nothing here is visible to a reader until the ingest publishes the generation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.index import passages, sentence_vectors, vectorfiles, word_vectors
from assistant.index.lexical import Builder
from assistant.settings import Settings
from assistant.textutil import TOKENS_VERSION, sha1
from assistant.types import Chunk, Document

BATCH = 2000  # passages per flush: the texts and vectors an ingest holds at once


def lexical_text(chunk: Chunk, doc: Document) -> str:
    """What BM25 indexes for a passage (and where the library's words come from)."""
    return " ".join([doc.title, doc.publisher, doc.author, " ".join(doc.aliases), chunk.section,
                     chunk.locator, chunk.text])


def lexical_key(doc: Document) -> str:
    """Changes whenever a kept passage's lexical_text would (the passages themselves follow content_hash)."""
    return sha1("\x1f".join([doc.content_hash, *doc.aliases, "tokens " + TOKENS_VERSION]))


@dataclass
class Kept:
    """Where an unchanged document's passages lie in the previous generation."""

    start: int
    stop: int
    lexical: bool  # its keyword postings and word counts can be copied too


@dataclass
class Segment:
    """Passages for the vector store, in index order; `vectors` None: the previous generation has them."""

    ids: list[str]
    vectors: np.ndarray | None = None
    metadatas: list[dict] = field(default_factory=list)


@dataclass
class _Item:
    doc: Document
    kept: Kept | None
    chunks: list[Chunk] | None  # None: copied from the previous generation
    sentences: vectorfiles.Pending | None = None
    lexical: list[str] | None = None


class Writer:
    """The files of a new generation (all but the vector store's), filled document by document."""

    def __init__(self, settings: Settings, path: Path, old, reuse: Callable[[list[str]], dict[str, np.ndarray]]):
        """`old`: the previous generation (store.Index) or None; `reuse(hashes)`: stored passage vectors by
        content hash, from the vector store."""
        self.settings, self.path, self.old, self.reuse = settings, path, old, reuse
        self.passages = passages.Writer(path)
        self.lexical = Builder()
        old_rows = (sentence_vectors.OldRows.open(old.path, len(old.chunks))
                    if old is not None and settings.sentence_vectors else None)
        self.sentences = sentence_vectors.Writer(path, old_rows) if settings.sentence_vectors else None
        self.old_pieces = word_vectors.load_pieces(old.path) if old is not None and settings.query_expansion else {}
        self.vocabulary = word_vectors.Vocabulary() if settings.query_expansion else None
        self._pieces = open(path / word_vectors.PIECES, "w", encoding="utf-8") if self.vocabulary else None  # noqa: SIM115 (closed by finish)
        self._documents = open(path / passages.DOCUMENTS, "w", encoding="utf-8")  # noqa: SIM115 (closed by finish)
        self.layout: dict[str, tuple[int, int]] = {}  # doc_id -> (first position, passages)
        self.embedded = 0  # passages embedded (not found in the vector store by content)
        self._queue: list[_Item] = []
        self._queued = 0
        self._batches = 0

    def add(self, doc: Document, kept: Kept | None, chunks: list[Chunk] | None) -> bool:
        """Queue a document: `kept` from the previous generation, else its `chunks`. True when a flush is due."""
        remake_lexical = kept is None or not kept.lexical or (self.vocabulary is not None and not self._old_piece(doc))
        if kept is not None and (remake_lexical or (self.sentences is not None and self.sentences.old is None)):
            chunks = list(self.old.chunks[kept.start:kept.stop])  # some of its pieces must be made again
        item = _Item(doc, kept, chunks)
        if remake_lexical:
            item.lexical = [lexical_text(c, doc) for c in chunks]
        if self.sentences is not None and (kept is None or self.sentences.old is None):
            item.sentences = self.sentences.plan(chunks, doc)
        self._queue.append(item)
        self._queued += (kept.stop - kept.start) if kept else len(chunks)
        return self._queued >= BATCH

    def _old_piece(self, doc: Document) -> dict | None:
        got = self.old_pieces.get(doc.doc_id)
        return got[1] if got and got[0] == lexical_key(doc) else None

    def flush(self, progress=False) -> list[Segment]:
        """Embed what the queued documents lack, write their files, and return their passages for the store."""
        new = [c for it in self._queue if it.kept is None for c in it.chunks]
        hashes = [c.content_hash for c in new]
        todo = vectorfiles.Pending([c.embed_text for c in new], hashes, self.reuse(sorted(set(hashes))) if new else {})
        plans = [todo] + [it.sentences for it in self._queue if it.sentences is not None]
        self._batches += 1
        vectorfiles.embed_all(self.settings, plans, progress,
                              f"Embedding passages and sentences (batch {self._batches})", "text")
        self.embedded += len(todo.todo)
        out, row = [], 0
        for it in self._queue:
            out.append(self._write(it, todo.matrix, row))
            row += 0 if it.kept else len(it.chunks)
        self._queue, self._queued = [], 0
        return out

    def _write(self, it: _Item, vectors: np.ndarray, row: int) -> Segment:
        first = len(self.passages.ids)
        if it.kept:
            self.passages.copy(self.old.chunks, it.kept.start, it.kept.stop)
        else:
            self.passages.add(it.chunks)
        ids = self.passages.ids[first:]
        self.layout[it.doc.doc_id] = (first, len(ids))
        if self.sentences is not None:
            if it.sentences is not None:
                self.sentences.write(it.sentences)
            else:
                self.sentences.copy(it.kept.start, it.kept.stop)
        if it.lexical is None:
            self.lexical.add_kept(self.old.bm25, it.kept.start, it.kept.stop)
        else:
            self.lexical.add_texts(it.lexical)
        if self.vocabulary is not None:
            piece = self._old_piece(it.doc) if it.lexical is None else word_vectors.piece(it.lexical)
            self.vocabulary.add(piece)
            self._pieces.write(word_vectors.piece_line(it.doc.doc_id, lexical_key(it.doc), piece))
        self._documents.write(it.doc.model_dump_json() + "\n")
        if it.kept:
            return Segment(ids)
        return Segment(ids, vectors[row:row + len(ids)],
                       [{"doc_id": c.doc_id, "hash": c.content_hash} for c in it.chunks])

    def finish(self, progress=False) -> int:
        """Embed the library's words, write the keyword index and close every file; returns the passages."""
        if self.vocabulary is not None:
            plan = word_vectors.Plan(self.settings, None, self.old.path if self.old is not None else None,
                                     vocab=self.vocabulary.result(word_vectors.MAX_TERMS))
            vectorfiles.embed_all(self.settings, [plan.pending], progress, "Embedding the library's words", "word")
            plan.save(self.path)
            vectorfiles.close_synced(self._pieces)
        self.lexical.build().save(self.path)
        self.passages.finish()
        if self.sentences is not None:
            self.sentences.finish(self.passages.ids)
        vectorfiles.close_synced(self._documents)
        return len(self.passages.ids)
