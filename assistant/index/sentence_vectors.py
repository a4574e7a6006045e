"""Sentence vectors: one embedding per sentence of every passage, so a passage can be found by its best sentence.

A passage's own vector mixes two or three sentences; a question paraphrasing one of them matches
that sentence far better than the blend. Each sentence is embedded alone, except that a sentence
opening with a pronoun or connective ("It may also…", "This means…") carries the sentence before
it, which holds what it refers to.

Stored in each index generation beside chunks.jsonl, written before the generation is published
(so crash safety is the generation's):

    sentences.npy         float32 matrix, one row per sentence, rows grouped by passage in chunks.jsonl order
    sentences.counts.npy  sentences per passage (int32)
    sentences.hashes.npy  hash of each embedded text (40-byte sha1 hex), for reuse by the next ingest
    sentences.json        {"recipe", "layout": 2, "chunks_digest": sha1 of the chunk ids, "rows"}

The matrix is memory-mapped when searched, so opening it costs nothing however large the library.
Generations written before this layout keep chunk_ids, counts and hashes in sentences.json; they
are still read, and the next ingest rewrites them.

Vectors are reused by the hash of the exact text embedded (recipe version included), like passages.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.index import vectorfiles
from assistant.index.packed import load_array, save_array
from assistant.settings import Settings
from assistant.textutil import sentence_spans, sha1
from assistant.types import Chunk, Document

RECIPE = "sentence+antecedent-v1"  # bump when the embedded text changes: old vectors are then not reused
MATRIX, META = "sentences.npy", "sentences.json"
COUNTS, HASHES = "sentences.counts.npy", "sentences.hashes.npy"
LAYOUT = 2
_NEEDS_ANTECEDENT = re.compile(
    r"^[\"'‘“(]*(it|its|this|these|that|those|they|their|them|such|he|she|his|her|there|here|"
    r"however|but|also|so|hence|thus|therefore|instead|likewise|similarly|moreover|furthermore)\b", re.I)


def units(chunks: list[Chunk], docs: dict[str, Document]) -> list[list[str]]:
    """The texts to embed for each passage: its sentences, pronoun-led ones with their antecedent."""
    out: list[list[str]] = []
    prev: tuple[str, str, str] | None = None  # (doc_id, section, last sentence) of the passage before
    for c in chunks:
        doc = docs.get(c.doc_id)
        sents = [doc.text[a:b] for a, b in sentence_spans(doc.text, c.start, c.end)] if doc else []
        sents = [s for s in sents if s.strip()] or [c.text]
        before = prev[2] if prev and prev[:2] == (c.doc_id, c.section) else ""
        texts = []
        for s in sents:
            texts.append(f"{before} {s}" if before and _NEEDS_ANTECEDENT.match(s) else s)
            before = s
        out.append(texts)
        prev = (c.doc_id, c.section, sents[-1])
    return out


def up_to_date(settings: Settings, gen_path: Path) -> bool:
    """Does this generation hold what the settings ask for (sentence vectors of this recipe, or none wanted)?"""
    if not settings.sentence_vectors:
        return True
    meta = _read_meta(gen_path)
    return meta is not None and meta.get("recipe") == RECIPE and meta.get("layout") == LAYOUT


def chunks_digest(chunk_ids: list[str]) -> str:
    """Names exactly which passages, in which order, the rows belong to."""
    return sha1("\n".join(chunk_ids))


class Plan:
    """The sentence vectors a new generation needs: reused ones known, the rest waiting for embed_all."""

    def __init__(self, chunks: list[Chunk], docs: list[Document], old_path: Path | None):
        self.per_chunk = units(chunks, {d.doc_id: d for d in docs})
        flat = [t for texts in self.per_chunk for t in texts]
        self.chunk_ids = [c.chunk_id for c in chunks]
        self.pending = vectorfiles.Pending(flat, [sha1(f"{RECIPE}\n{t}") for t in flat], _old_vectors(old_path))

    def save(self, gen_path: Path) -> int:
        """Write the files (after embed_all filled the matrix); returns how many sentences were embedded."""
        p = self.pending
        save_array(gen_path / COUNTS, np.array([len(t) for t in self.per_chunk], dtype=np.int32))
        save_array(gen_path / HASHES, np.array(p.keys, dtype="S40"))
        _save(gen_path, p.matrix, {"recipe": RECIPE, "layout": LAYOUT, "rows": len(p.texts),
                                   "chunks_digest": chunks_digest(self.chunk_ids)})
        return len(p.todo)


def plan(settings: Settings, old_path: Path | None, chunks: list[Chunk], docs: list[Document]) -> Plan | None:
    """What to embed for the sentence vectors (None when the settings want none)."""
    return Plan(chunks, docs, old_path) if settings.sentence_vectors else None


def write(settings: Settings, gen_path: Path, old_path: Path | None, chunks: list[Chunk], docs: list[Document],
          progress: bool | Callable[[int, int, str], None] = False) -> int:
    """Embed (or reuse) every passage's sentence vectors into the new generation; returns how many were embedded."""
    p = plan(settings, old_path, chunks, docs)
    if p is None:
        return 0
    vectorfiles.embed_all(settings, [p.pending], progress, "Embedding sentences", "sentence")
    return p.save(gen_path)


class OldRows:
    """A previous generation's sentence rows, to copy a kept document's rows or reuse a vector by its text."""

    def __init__(self, matrix: np.ndarray, hashes: list[str], starts: np.ndarray):
        self.matrix, self.hashes, self.starts = matrix, hashes, starts
        self._row: dict[str, int] | None = None

    @classmethod
    def open(cls, gen_path: Path | None, passages: int) -> "OldRows | None":
        """None when the generation has no usable rows of this recipe for its `passages` passages."""
        meta = _read_meta(gen_path) if gen_path else None
        if not meta or meta.get("recipe") != RECIPE:
            return None
        try:
            hashes, counts = _hashes_and_counts(gen_path, meta)
        except (OSError, ValueError, KeyError):
            return None
        mat = vectorfiles.load_matrix(gen_path / MATRIX, len(hashes), mmap=True)
        if mat is None or len(counts) != passages or int(counts.sum()) != len(hashes):
            return None
        return cls(mat, hashes, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))

    def vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The stored vector of every key the generation has."""
        if self._row is None:
            self._row = {h: i for i, h in enumerate(self.hashes)}
        return {k: np.asarray(self.matrix[self._row[k]]) for k in keys if k in self._row}


class Writer:
    """A new generation's sentence vectors, written as passages come (rows never all held in memory)."""

    def __init__(self, gen_path: Path, old: OldRows | None):
        self.path, self.old = gen_path, old
        self._rows = open(gen_path / (MATRIX + ".part"), "wb")  # noqa: SIM115 (closed by finish)
        self.counts: list[int] = []
        self.hashes = bytearray()  # 40 bytes a row: a few MB at 100,000 passages, not a Python object per row
        self.dim: int | None = None

    def plan(self, chunks: list[Chunk], doc: Document) -> vectorfiles.Pending:
        """What one document's new passages need embedded (their rows, by text hash, reused where stored)."""
        flat, counts = [], []
        for texts in units(chunks, {doc.doc_id: doc}):
            flat.extend(texts)
            counts.append(len(texts))
        keys = [sha1(f"{RECIPE}\n{t}") for t in flat]
        pending = vectorfiles.Pending(flat, keys, self.old.vectors(keys) if self.old else {})
        pending.counts = counts
        return pending

    def write(self, pending: vectorfiles.Pending) -> None:
        """Append a planned document's rows (after embed_all filled them)."""
        self._append(pending.matrix, pending.counts, "".join(pending.keys).encode("ascii"))

    def copy(self, start: int, stop: int) -> None:
        """Append the previous generation's rows of its passages start:stop, unchanged."""
        a, b = int(self.old.starts[start]), int(self.old.starts[stop])
        self._append(np.asarray(self.old.matrix[a:b], dtype=np.float32), np.diff(self.old.starts[start:stop + 1]).tolist(),
                     "".join(self.old.hashes[a:b]).encode("ascii"))

    def _append(self, rows: np.ndarray, counts: list[int], hashes: bytes) -> None:
        if len(rows):
            self.dim = rows.shape[1]
            self._rows.write(np.ascontiguousarray(rows, dtype=np.float32).tobytes())
        self.counts.extend(int(c) for c in counts)
        self.hashes += hashes

    def finish(self, chunk_ids: list[str]) -> None:
        """The .npy files and the metadata (last: without it the rows are not read)."""
        self._rows.close()
        part = self.path / (MATRIX + ".part")
        rows, dim = len(self.hashes) // 40, self.dim or 384
        with open(self.path / MATRIX, "wb") as out, open(part, "rb") as raw:
            np.lib.format.write_array_header_1_0(out, {"descr": "<f4", "fortran_order": False, "shape": (rows, dim)})
            shutil.copyfileobj(raw, out, 1 << 22)
            out.flush()
            os.fsync(out.fileno())
        part.unlink()
        save_array(self.path / COUNTS, np.array(self.counts, dtype=np.int32))
        save_array(self.path / HASHES, np.frombuffer(bytes(self.hashes), dtype="S40"))
        vectorfiles.save_meta(self.path, META, {"recipe": RECIPE, "layout": LAYOUT, "rows": rows,
                                                "chunks_digest": chunks_digest(chunk_ids)})


def _hashes_and_counts(gen_path: Path, meta: dict) -> tuple[list[str], np.ndarray]:
    """(hash per row, sentences per passage) in either layout; ValueError / OSError when damaged."""
    if meta.get("layout") == LAYOUT:
        counts = np.asarray(load_array(gen_path / COUNTS), dtype=np.int64)
        hashes = load_array(gen_path / HASHES)
        if len(hashes) != meta["rows"]:
            raise ValueError("sentence hashes and rows disagree")
        return [h.decode("ascii") for h in hashes.tolist()], counts
    return meta["hashes"], np.asarray(meta["counts"], dtype=np.int64)


def _old_vectors(old_path: Path | None) -> dict[str, np.ndarray]:
    meta = _read_meta(old_path) if old_path else None
    if not meta or meta.get("recipe") != RECIPE:
        return {}
    try:
        hashes, _ = _hashes_and_counts(old_path, meta)
    except (OSError, ValueError, KeyError):
        return {}
    mat = vectorfiles.load_matrix(old_path / MATRIX, len(hashes), mmap=True)
    if mat is None:
        return {}
    return {h: np.asarray(mat[i]) for i, h in enumerate(hashes)}


def _read_meta(gen_path: Path) -> dict | None:
    return vectorfiles.read_meta(gen_path / META)


def _save(gen_path: Path, vecs: np.ndarray, meta: dict) -> None:
    vectorfiles.save(gen_path, MATRIX, META, vecs, meta)


class SentenceVectors:
    """A generation's sentence vectors in memory: the best sentence similarity of every passage to a query."""

    def __init__(self, matrix: np.ndarray, starts: np.ndarray):
        self.matrix, self.starts = matrix, starts
        self.ends = np.append(starts[1:], len(matrix))

    @classmethod
    def load(cls, gen_path: Path, chunk_ids: list[str]) -> "SentenceVectors | None":
        """None when the generation has no usable sentence vectors (built with them off, or damaged)."""
        meta = _read_meta(gen_path)
        if not meta or meta.get("recipe") != RECIPE:
            return None
        if meta.get("chunks_digest", None) != chunks_digest(chunk_ids) and meta.get("chunk_ids") != chunk_ids:
            return None
        try:
            counts = (np.asarray(load_array(gen_path / COUNTS), dtype=np.int64) if meta.get("layout") == LAYOUT
                      else np.asarray(meta["counts"], dtype=np.int64))
        except (OSError, ValueError, KeyError):
            return None
        if len(counts) != len(chunk_ids) or (counts < 1).any():
            return None
        matrix = vectorfiles.load_matrix(gen_path / MATRIX, int(counts.sum()), mmap=True)
        if matrix is None:
            return None
        return cls(matrix, np.concatenate([[0], np.cumsum(counts)[:-1]]))

    def best(self, qvec: np.ndarray) -> np.ndarray:
        """Highest cosine similarity of any sentence of each passage (passages in chunks.jsonl order)."""
        return np.maximum.reduceat(self.matrix @ qvec, self.starts)

    def best_of(self, qvec: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The same for a few passages only (by position): cost grows with the candidates, not the library."""
        starts, ends = self.starts[positions], self.ends[positions]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])
        return np.maximum.reduceat(self.matrix[rows] @ qvec, np.concatenate([[0], np.cumsum(ends - starts)[:-1]]))
