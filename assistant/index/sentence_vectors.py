"""Sentence vectors: one embedding per sentence of every passage, so a passage can be found by its best sentence.

A passage's own vector mixes two or three sentences; a question paraphrasing one of them matches
that sentence far better than the blend. Each sentence is embedded alone, except that a sentence
opening with a pronoun or connective ("It may also…", "This means…") carries the sentence before
it, which holds what it refers to.

Stored in each index generation beside chunks.jsonl, written before the generation is published
(so crash safety is the generation's):

    sentences.npy     float32 matrix, one row per sentence, rows grouped by passage in chunks.jsonl order
    sentences.json    {"recipe", "chunk_ids": [...], "counts": [...], "hashes": [...]}

Vectors are reused by the hash of the exact text embedded (recipe version included), like passages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.index import vectorfiles
from assistant.settings import Settings
from assistant.textutil import sentence_spans, sha1
from assistant.types import Chunk, Document

RECIPE = "sentence+antecedent-v1"  # bump when the embedded text changes: old vectors are then not reused
MATRIX, META = "sentences.npy", "sentences.json"
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
    return meta is not None and meta.get("recipe") == RECIPE


def write(settings: Settings, gen_path: Path, old_path: Path | None, chunks: list[Chunk], docs: list[Document],
          progress: bool | Callable[[int, int, str], None] = False) -> int:
    """Embed (or reuse) every passage's sentence vectors into the new generation; returns how many were embedded."""
    if not settings.sentence_vectors:
        return 0
    per_chunk = units(chunks, {d.doc_id: d for d in docs})
    flat = [t for texts in per_chunk for t in texts]
    hashes = [sha1(f"{RECIPE}\n{t}") for t in flat]
    vecs, embedded = vectorfiles.embed_reusing(settings, flat, hashes, _old_vectors(old_path), progress,
                                               "Embedding sentences", "sentence")
    _save(gen_path, vecs, {"recipe": RECIPE, "chunk_ids": [c.chunk_id for c in chunks],
                           "counts": [len(t) for t in per_chunk], "hashes": hashes})
    return embedded


def _old_vectors(old_path: Path | None) -> dict[str, np.ndarray]:
    meta = _read_meta(old_path) if old_path else None
    if not meta or meta.get("recipe") != RECIPE:
        return {}
    mat = vectorfiles.load_matrix(old_path / MATRIX, len(meta["hashes"]), mmap=True)
    if mat is None:
        return {}
    return {h: np.asarray(mat[i]) for i, h in enumerate(meta["hashes"])}


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
        if not meta or meta.get("recipe") != RECIPE or meta.get("chunk_ids") != chunk_ids:
            return None
        counts = np.asarray(meta["counts"], dtype=np.int64)
        matrix = vectorfiles.load_matrix(gen_path / MATRIX, int(counts.sum()))
        if matrix is None or (counts < 1).any():
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
