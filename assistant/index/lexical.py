"""BM25 lexical index: finds names, years, acronyms and paragraph numbers that embeddings blur.

Stored in each generation as memory-mapped arrays (a fresh process opens it without building a
Python object per term):

    bm25/terms.*.npy      the vocabulary (packed.Strings: term -> position by hash)
    bm25/offsets.npy      postings of term j are rows offsets[j]:offsets[j+1] of
    bm25/docs.npy         ... the passage positions (int32, ascending)
    bm25/tf.npy           ... and the term's count in each (float32)
    bm25/doc_len.npy      tokens per passage (float32)
    bm25/idf.npy          idf per term (float64)
    bm25/params.json      k1, b

Generations written before this layout hold one bm25.json instead; it is still read.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from assistant.index.packed import Strings, load_array, save_array
from assistant.textutil import tokens

FOLDER, LEGACY = "bm25", "bm25.json"
_ARRAYS = ("offsets", "docs", "tf", "doc_len", "idf")


class Idf(Mapping):
    """term -> idf, read from the arrays on demand (behaves like the dict it replaces)."""

    def __init__(self, terms: Strings, values: np.ndarray):
        self._terms, self._values = terms, values
        self._list: list[float] | None = None

    def __getitem__(self, term: str) -> float:
        j = self._terms.find(term)
        if j < 0:
            raise KeyError(term)
        return float(self._values[j])

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._terms.find(term) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms.tolist())

    def __len__(self) -> int:
        return len(self._terms)

    def values(self) -> list[float]:  # type: ignore[override]  # max(idf.values()) on every question: one list
        if self._list is None:
            self._list = np.asarray(self._values, dtype=np.float64).tolist()
        return self._list


class BM25:
    """Okapi BM25 over a fixed list of texts, with an inverted index held as CSR arrays."""

    def __init__(self, terms: Strings, offsets: np.ndarray, docs: np.ndarray, tf: np.ndarray, doc_len: np.ndarray,
                 idf: np.ndarray, k1: float = 1.2, b: float = 0.75):
        self.terms, self.offsets, self.docs, self.tf, self.doc_len = terms, offsets, docs, tf, doc_len
        self.k1, self.b = k1, b
        self.n = len(doc_len)
        self.avgdl = float(doc_len.mean()) if self.n else 1.0
        self._idf = idf
        self.idf = Idf(terms, idf)

    @classmethod
    def build(cls, texts: list[str]) -> "BM25":
        """The index over these passages, in order (the Builder below, with nothing kept)."""
        builder = Builder()
        builder.add_texts(texts)
        return builder.build()

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray, float] | None:
        """(passage positions, term counts, idf) of a term; None when no passage has it."""
        j = self.terms.find(term)
        if j < 0:
            return None
        a, b = int(self.offsets[j]), int(self.offsets[j + 1])
        return self.docs[a:b], self.tf[a:b], float(self._idf[j])

    def search(self, query: str, top_n: int) -> list[tuple[int, float]]:
        """Best `top_n` (index, score) pairs, highest first; only texts sharing a term with the query."""
        return self.search_terms(dict.fromkeys(tokens(query), 1.0), top_n)

    def search_terms(self, weights: dict[str, float], top_n: int) -> list[tuple[int, float]]:
        """The same for already-tokenised terms, each term's contribution scaled by its weight."""
        if not weights or not self.n:
            return []
        scores = np.zeros(self.n, dtype=np.float32)
        norm = self.k1 * (1 - self.b + self.b * self.doc_len / self.avgdl)
        for t, w in weights.items():
            hit = self.postings(t)
            if hit is None:
                continue
            ix, tf, idf = hit
            scores[ix] += w * idf * tf * (self.k1 + 1) / (tf + norm[ix])
        hit = np.flatnonzero(scores)
        if not len(hit):
            return []
        top = hit[np.argsort(-scores[hit], kind="stable")[:top_n]]
        return [(int(i), float(scores[i])) for i in top]

    def score_among(self, weights: dict[str, float], positions: np.ndarray) -> np.ndarray:
        """BM25 of the given passages (positions), each word's idf and the mean length counted among them alone.

        Ranking a question's candidates against each other needs weights that do not move when unrelated
        documents join the library: beside a thousand council pages "strengths" turns rare and outweighs every
        other word of a question about strengths-based practice, although it is in most passages competing for
        the answer. Among the candidates it is as common as it was in the guidance alone."""
        out = np.zeros(len(positions), dtype=np.float64)
        if not weights or not len(positions) or not self.n:
            return out
        order = np.argsort(positions, kind="stable")
        pos = np.asarray(positions, dtype=np.int64)[order]
        lens = self.doc_len[pos].astype(np.float64)
        norm = self.k1 * (1 - self.b + self.b * lens / (lens.mean() or 1.0))  # passage length among them too
        scores = np.zeros(len(pos), dtype=np.float64)
        for t, w in weights.items():
            hit = self.postings(t)
            if hit is None:
                continue
            ix, tf, _ = hit
            j = np.minimum(np.searchsorted(ix, pos), len(ix) - 1)  # postings are in ascending passage order
            has = ix[j] == pos
            df = int(has.sum())
            if not df:
                continue
            f = np.where(has, tf[j], 0.0)
            scores += w * _idf(len(pos), df) * f * (self.k1 + 1) / (f + norm)
        out[order] = scores
        return out

    def save(self, gen_path: Path) -> None:
        folder = gen_path / FOLDER
        folder.mkdir(exist_ok=True)
        self.terms.save(folder / "terms")
        for name in _ARRAYS:
            save_array(folder / f"{name}.npy", getattr(self, name) if name != "idf" else self._idf)
        with open(folder / "params.json", "w", encoding="utf-8") as f:
            f.write(json.dumps({"k1": self.k1, "b": self.b, "terms": len(self.terms)}))
            f.flush()
            os.fsync(f.fileno())

    @staticmethod
    def is_packed(gen_path: Path) -> bool:
        """Is the generation's index in the array layout (not an older bm25.json)?"""
        return (gen_path / FOLDER / "params.json").is_file()

    @classmethod
    def open(cls, gen_path: Path) -> "BM25":
        """The generation's index: mapped from bm25/ or, for an older generation, parsed from bm25.json."""
        if cls.is_packed(gen_path):
            return cls.load(gen_path / FOLDER)
        return cls.load_json(gen_path / LEGACY)

    @classmethod
    def load(cls, folder: Path) -> "BM25":
        params = json.loads((folder / "params.json").read_text(encoding="utf-8"))
        terms = Strings.load(folder / "terms")
        arrays = {name: load_array(folder / f"{name}.npy") for name in _ARRAYS}
        if len(terms) != params["terms"] or len(arrays["offsets"]) != len(terms) + 1 or len(arrays["idf"]) != len(terms) \
                or len(arrays["docs"]) != len(arrays["tf"]) or int(arrays["offsets"][-1]) != len(arrays["docs"]):
            raise ValueError(f"{folder}: the keyword index files disagree with each other")
        return cls(terms, **arrays, k1=params["k1"], b=params["b"])

    @classmethod
    def load_json(cls, path: Path) -> "BM25":
        """An index saved as one JSON file (generations written before the array layout)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        posts = data["postings"]
        df = np.array([len(ix) for ix, _ in posts.values()], dtype=np.int64)
        offsets = np.zeros(len(posts) + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        docs = np.array([i for ix, _ in posts.values() for i in ix], dtype=np.int32)
        tf = np.array([x for _, f in posts.values() for x in f], dtype=np.float32)
        n = len(data["doc_len"])
        idf = np.array([_idf(n, int(d)) for d in df], dtype=np.float64)
        return cls(Strings.build(posts), offsets, docs, tf, np.asarray(data["doc_len"], dtype=np.float32), idf,
                   data["k1"], data["b"])


class Builder:
    """Builds a BM25 passage by passage, without keeping the texts: new passages are tokenised, a passage
    kept from the previous generation brings its postings from that generation's arrays instead.

    Kept passages score every query exactly as they would tokenised again (term numbering may differ, which
    nothing reads)."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self._terms: list[np.ndarray] = []
        self._docs: list[np.ndarray] = []
        self._tf: list[np.ndarray] = []
        self._lens: list[np.ndarray] = []
        self.n = 0
        self._old: tuple | None = None  # (old BM25, postings sorted by passage, their starts, old term -> new id)

    def add_texts(self, texts: list[str]) -> None:
        """New passages, in index order after those already added."""
        lens = np.zeros(len(texts), dtype=np.float32)
        term_col: list[int] = []
        doc_col: list[int] = []
        for i, text in enumerate(texts):
            toks = tokens(text)
            lens[i] = len(toks)
            term_col.extend(self.ids.setdefault(t, len(self.ids)) for t in toks)
            doc_col.extend([self.n + i] * len(toks))
        if term_col:
            key = np.asarray(term_col, dtype=np.int64) << 32 | np.asarray(doc_col, dtype=np.int64)
            pairs, counts = np.unique(key, return_counts=True)
            self._push((pairs >> 32).astype(np.int32), (pairs & 0xFFFFFFFF).astype(np.int32),
                       counts.astype(np.float32))
        self._lens.append(lens)
        self.n += len(texts)

    def add_kept(self, old: "BM25", start: int, stop: int) -> None:
        """Passages start:stop of the previous generation's index, unchanged, next in index order."""
        if self._old is None or self._old[0] is not old:
            order = np.argsort(np.asarray(old.docs), kind="stable")
            by_pos = np.searchsorted(np.asarray(old.docs)[order], np.arange(old.n + 1))
            term_of = np.repeat(np.arange(len(old.terms), dtype=np.int64), np.diff(np.asarray(old.offsets)))
            remap = np.fromiter((self.ids.setdefault(t, len(self.ids)) for t in old.terms.tolist()),
                                dtype=np.int32, count=len(old.terms))
            self._old = (old, order, by_pos, term_of, remap)
        _, order, by_pos, term_of, remap = self._old
        rows = order[by_pos[start]:by_pos[stop]]
        self._push(remap[term_of[rows]], (np.asarray(old.docs)[rows] - start + self.n).astype(np.int32),
                   np.asarray(old.tf)[rows])
        self._lens.append(np.asarray(old.doc_len[start:stop], dtype=np.float32))
        self.n += stop - start

    def _push(self, terms: np.ndarray, docs: np.ndarray, tf: np.ndarray) -> None:
        self._terms.append(terms)
        self._docs.append(docs)
        self._tf.append(tf)

    def build(self) -> "BM25":
        """The index over every passage added (terms no passage uses any more are left out)."""
        cat = (lambda parts, dt: np.concatenate(parts).astype(dt, copy=False) if parts else np.zeros(0, dt))
        terms, docs, tf = cat(self._terms, np.int64), cat(self._docs, np.int64), cat(self._tf, np.float32)
        lens = cat(self._lens, np.float32)
        order = np.argsort(terms << 32 | docs, kind="stable")  # by term, then passage
        terms, docs, tf = terms[order], docs[order], tf[order]
        df_all = np.bincount(terms, minlength=len(self.ids))
        used = np.flatnonzero(df_all)
        new_id = np.full(len(self.ids), -1, dtype=np.int64)
        new_id[used] = np.arange(len(used))
        names = list(self.ids)
        df = df_all[used]
        offsets = np.zeros(len(used) + 1, dtype=np.int64)
        np.cumsum(df, out=offsets[1:])
        idf = np.array([_idf(self.n, int(d)) for d in df], dtype=np.float64)
        return BM25(Strings.build(names[j] for j in used), offsets, docs.astype(np.int32), tf, lens, idf)


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
