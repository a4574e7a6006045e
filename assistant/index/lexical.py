"""BM25 lexical index: finds names, years, acronyms and paragraph numbers that embeddings blur."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from assistant.textutil import tokens


class BM25:
    """Okapi BM25 over a fixed list of texts, with an inverted index held as numpy arrays."""

    def __init__(self, postings: dict[str, tuple[np.ndarray, np.ndarray]], doc_len: np.ndarray,
                 k1: float = 1.2, b: float = 0.75):
        self.postings, self.doc_len, self.k1, self.b = postings, doc_len, k1, b
        self.n = len(doc_len)
        self.avgdl = float(doc_len.mean()) if self.n else 1.0
        self.idf = {t: math.log(1 + (self.n - len(ix) + 0.5) / (len(ix) + 0.5)) for t, (ix, _) in postings.items()}

    @classmethod
    def build(cls, texts: list[str]) -> "BM25":
        acc: dict[str, dict[int, int]] = {}
        lens = np.zeros(len(texts), dtype=np.float32)
        for i, text in enumerate(texts):
            toks = tokens(text)
            lens[i] = len(toks)
            for t in toks:
                acc.setdefault(t, {})
                acc[t][i] = acc[t].get(i, 0) + 1
        postings = {t: (np.fromiter(d.keys(), dtype=np.int32, count=len(d)),
                        np.fromiter(d.values(), dtype=np.float32, count=len(d))) for t, d in acc.items()}
        return cls(postings, lens)

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
            if t not in self.postings:
                continue
            ix, tf = self.postings[t]
            scores[ix] += w * self.idf[t] * tf * (self.k1 + 1) / (tf + norm[ix])
        hit = np.flatnonzero(scores)
        if not len(hit):
            return []
        top = hit[np.argsort(-scores[hit], kind="stable")[:top_n]]
        return [(int(i), float(scores[i])) for i in top]

    def save(self, path: Path) -> None:
        data = {"k1": self.k1, "b": self.b, "doc_len": self.doc_len.tolist(),
                "postings": {t: [ix.tolist(), tf.tolist()] for t, (ix, tf) in self.postings.items()}}
        path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "BM25":
        data = json.loads(path.read_text(encoding="utf-8"))
        postings = {t: (np.asarray(ix, dtype=np.int32), np.asarray(tf, dtype=np.float32))
                    for t, (ix, tf) in data["postings"].items()}
        return cls(postings, np.asarray(data["doc_len"], dtype=np.float32), data["k1"], data["b"])
