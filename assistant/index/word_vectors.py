"""Term vectors: the library's own words, embedded one by one, to widen a keyword search to near-synonyms.

BM25 only scores words a question shares with a passage. A practitioner asking about "bosses" or
"problems" gets no keyword help from passages that say "management" or "deficits". At ingest every
word of the library's lexical index is embedded once (its most frequent spelling stands for its
stem); at search time each word of the question brings in the library words closest to it in
meaning, as extra BM25 terms at a reduced weight. The widening can only reach words the library
really uses, so it never invents vocabulary, and a name or number still has to match exactly.

Stored in each index generation beside bm25.json, written before the generation is published:

    terms.npy     float32 matrix, one row per term
    terms.json    {"recipe", "model", "terms": [stems], "words": [spellings embedded]}
    terms.pieces.jsonl   each document's words and counts (piece()), so the next ingest re-reads only
                  the documents that changed

Vectors are reused by spelling from the previous generation, so an incremental ingest embeds only
new words.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from assistant.index import vectorfiles
from assistant.settings import Settings
from assistant.textutil import STOPWORDS, stem, tokens, words

RECIPE = "term-v1"
MATRIX, META, PIECES = "terms.npy", "terms.json", "terms.pieces.jsonl"
MIN_SIMILARITY = 0.5  # a library word joins the query only when at least this close to a question word
PER_WORD = 5          # and only the closest few per question word
MAX_TERMS = 8000      # a big library keeps its 8,000 most widespread words: search cost stays a few ms


def _plain_words(text: str) -> Iterable[str]:
    for w in words(text.replace("-", " ").replace("–", " ")):
        lw = w.lower()
        if len(lw) >= 3 and lw.isalpha() and lw not in STOPWORDS:
            yield lw


def vocabulary(texts: Iterable[str], limit: int | None = None) -> tuple[list[str], list[str]]:
    """(stems, spelling to embed for each): every alphabetic non-stopword of the texts, grouped by stem;
    beyond `limit` stems, those in the most texts (a near-synonym worth adding is not a one-off word)."""
    v = Vocabulary()
    v.add(piece(texts))
    return v.result(limit)


def piece(texts: Iterable[str]) -> dict[str, list]:
    """One document's share of the vocabulary: stem -> [texts holding it, {spelling: count}], in the order
    first seen. Stored per document in a generation, so an ingest re-reads only the documents that changed."""
    out: dict[str, list] = {}
    for text in texts:
        seen = set()
        for w in _plain_words(text):
            t = stem(w)
            entry = out.get(t)
            if entry is None:
                entry = out[t] = [0, {}]
            entry[1][w] = entry[1].get(w, 0) + 1
            seen.add(t)
        for t in seen:
            out[t][0] += 1
    return out


class Vocabulary:
    """vocabulary() of many texts from their documents' pieces, added in order (ties between spellings go
    to the first seen, as in one pass). Holds one counter per stem, not the texts."""

    def __init__(self):
        self.spellings: dict[str, Counter] = {}
        self.df: Counter = Counter()

    def add(self, piece: dict[str, list]) -> None:
        for t, (n, spelled) in piece.items():
            c = self.spellings.get(t)
            if c is None:
                self.spellings[t] = Counter(spelled)
            else:
                c.update(spelled)
            self.df[t] += n

    def result(self, limit: int | None = None) -> tuple[list[str], list[str]]:
        terms = sorted(self.spellings)
        if limit is not None and len(terms) > limit:
            terms = sorted(t for t, _ in sorted(self.df.items(), key=lambda x: (-x[1], x[0]))[:limit])
        return terms, [self.spellings[t].most_common(1)[0][0] for t in terms]


def piece_line(doc_id: str, key: str, piece: dict[str, list]) -> str:
    """One line of terms.pieces.jsonl."""
    return json.dumps({"doc": doc_id, "key": key, "vocab": piece}, separators=(",", ":")) + "\n"


def load_pieces(gen_path: Path) -> dict[str, tuple[str, dict]]:
    """doc_id -> (key, piece) of a generation ({} when it has none: written before pieces were kept)."""
    try:
        with open(gen_path / PIECES, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        return {r["doc"]: (r["key"], r["vocab"]) for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def up_to_date(settings: Settings, gen_path: Path) -> bool:
    if not settings.query_expansion:
        return True
    meta = _read_meta(gen_path)
    return meta is not None and meta.get("recipe") == RECIPE and meta.get("model") == settings.model


class Plan:
    """The term vectors a new generation needs: reused by spelling, the rest waiting for embed_all."""

    def __init__(self, settings: Settings, texts: list[str] | None, old_path: Path | None,
                 vocab: tuple[list[str], list[str]] | None = None):
        self.model = settings.model
        self.terms, spelled = vocab if vocab is not None else vocabulary(texts or [], MAX_TERMS)
        self.pending = vectorfiles.Pending(spelled, spelled, _old_vectors(old_path, settings.model))

    def save(self, gen_path: Path) -> int:
        """Write the files (after embed_all filled the matrix); returns how many words were embedded."""
        p = self.pending
        _save(gen_path, p.matrix, {"recipe": RECIPE, "model": self.model, "terms": self.terms, "words": p.texts})
        return len(p.todo)


def plan(settings: Settings, old_path: Path | None, texts: list[str]) -> Plan | None:
    """What to embed for the term vectors (None when query expansion is off)."""
    return Plan(settings, texts, old_path) if settings.query_expansion else None


def write(settings: Settings, gen_path: Path, old_path: Path | None, texts: list[str],
          progress: bool | Callable[[int, int, str], None] = False) -> int:
    """Embed (or reuse) a vector for every term of the texts into the new generation; returns how many were embedded."""
    p = plan(settings, old_path, texts)
    if p is None:
        return 0
    vectorfiles.embed_all(settings, [p.pending], progress, "Embedding words", "word")
    return p.save(gen_path)


def _old_vectors(old_path: Path | None, model: str) -> dict[str, np.ndarray]:
    meta = _read_meta(old_path) if old_path else None
    if not meta or meta.get("recipe") != RECIPE or meta.get("model") != model:
        return {}
    mat = vectorfiles.load_matrix(old_path / MATRIX, len(meta["words"]))
    if mat is None:
        return {}
    return dict(zip(meta["words"], mat))


def _read_meta(gen_path: Path) -> dict | None:
    return vectorfiles.read_meta(gen_path / META)


def _save(gen_path: Path, vecs: np.ndarray, meta: dict) -> None:
    vectorfiles.save(gen_path, MATRIX, META, vecs, meta)


class TermVectors:
    """A generation's term vectors in memory."""

    def __init__(self, terms: list[str], matrix: np.ndarray):
        self.terms, self.matrix = terms, matrix
        self.position = {t: i for i, t in enumerate(terms)}

    @classmethod
    def load(cls, gen_path: Path, model: str) -> "TermVectors | None":
        """None when the generation has none (built with expansion off, by another model, or damaged)."""
        meta = _read_meta(gen_path)
        if not meta or meta.get("recipe") != RECIPE or meta.get("model") != model:
            return None
        matrix = vectorfiles.load_matrix(gen_path / MATRIX, len(meta.get("terms", [])))
        if matrix is None:
            return None
        return cls(meta["terms"], matrix)

    def expand(self, query: str, encode: Callable[[list[str]], np.ndarray], weight: float) -> dict[str, float]:
        """BM25 term weights for the query: its own terms at 1, the library's near-synonyms of them at
        weight × similarity (the best one when several question words bring in the same term)."""
        out = dict.fromkeys(tokens(query), 1.0)
        qwords = list(dict.fromkeys(_plain_words(query)))
        if not qwords or not len(self.terms) or weight <= 0:
            return out
        sims = self._similarities(encode(qwords))  # terms × question words
        k = min(PER_WORD + 1, len(self.terms))
        for j in range(sims.shape[1]):
            col = sims[:, j]
            for i in np.argpartition(-col, k - 1)[:k]:
                t = self.terms[i]
                if col[i] >= MIN_SIMILARITY and out.get(t, 0.0) < 1.0:
                    out[t] = max(out.get(t, 0.0), weight * float(col[i]))
        return out

    def closest(self, vectors: np.ndarray) -> list[float]:
        """For each vector, the similarity of the library word closest to it."""
        if not len(self.terms):
            return [0.0] * len(vectors)
        return self._similarities(vectors).max(axis=0).tolist()

    def _similarities(self, vectors: np.ndarray) -> np.ndarray:
        """terms × vectors cosine similarities. A matrix product wakes the BLAS thread pool, whose spinning
        threads then slow the next model call (measured: 8 → 25 ms per search), so a small vocabulary takes
        one matrix-vector product per word, and a large one a single pass on one BLAS thread."""
        if len(self.matrix) <= 2000:
            return np.stack([self.matrix @ v for v in vectors], axis=1)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return self.matrix @ np.asarray(vectors).T
