"""Everyday questions that no guidance answers, told apart in any library.

A bank of ordinary off-topic questions (weather, trains, recipes, football, "Is this page useful?") lives in
corpus/search/offtopic_probes.yaml. A question is everyday when it is about as close to one of them as two
questions of the bank are to each other (the bank's own leave-one-out median, worked out when it is loaded)
and closer to that probe than, less a margin, to the best sentence the library holds for it. So a library that
also holds bus timetables or a page footer saying "Is this page useful? Yes" still does not answer "When is the
next bus?" from them, while a question about the guidance, however it is worded, never looks everyday.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import yaml

from assistant.errors import InputError
from assistant.search.retrieve import Retriever
from assistant.settings import REPO_DIR
from assistant.types import Passage

PROBES = REPO_DIR / "corpus" / "search" / "offtopic_probes.yaml"
MARGIN = 0.1  # how much better than the probe the library's best sentence must match (chosen on eval/dev)


@functools.cache
def load_probes(path: Path = PROBES) -> tuple[str, ...]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read the off-topic question bank {path} ({e}): restore it from the repository.") from e
    probes = data.get("probes") if isinstance(data, dict) else None
    if not isinstance(probes, list) or len(probes) < 5 or not all(isinstance(p, str) and p.strip() for p in probes):
        raise InputError(f"{path} must hold 'probes:', a list of at least five questions.")
    return tuple(p.strip() for p in probes)


_BANKS: dict[str, tuple[np.ndarray, float]] = {}


def probe_bank(retriever: Retriever) -> tuple[np.ndarray, float]:
    """(the probes' vectors, the bank's leave-one-out median similarity) for the retriever's model."""
    key = retriever.settings.model
    if key not in _BANKS:
        vecs = np.stack([retriever.embedder.encode_query(p) for p in load_probes()]).astype(np.float32)
        sims = vecs @ vecs.T
        np.fill_diagonal(sims, -1.0)
        _BANKS[key] = (vecs, float(np.median(sims.max(axis=1))))
    return _BANKS[key]


def best_sentence(retriever: Retriever, qvec: np.ndarray, passages: list[Passage]) -> float:
    """The highest similarity of any sentence of the on-topic passages to the query (passage similarity without
    them)."""
    idx = retriever.index
    passages = on_topic(retriever, passages)
    sentences = retriever.sentence_vectors(idx)
    dense = max((p.dense for p in passages), default=0.0)
    pos = np.array([idx.position[p.chunk_id] for p in passages if p.chunk_id in idx.position])
    if sentences is None or not len(pos):
        return dense
    return max(dense, float(sentences.best_of(qvec, pos).max()))


def on_topic(retriever: Retriever, passages: list[Passage]) -> list[Passage]:
    """The passages near enough the library's topic to lose nothing in search: a weather or leisure-centre page kept
    beside the guidance is no reason to answer "is the leisure centre open on boxing day"."""
    ids = [p.chunk_id for p in passages]
    penalty = retriever.off_topic_penalty(retriever.index, ids) if ids else []
    return [p for p, x in zip(passages, penalty) if x <= 0]


def everyday(retriever: Retriever, qvec: np.ndarray, passages: list[Passage], named: bool = False) -> bool:
    """Whether the question is an everyday one the library's guidance does not answer. A question that names
    someone or something (named) must be a margin closer to the bank: "What is Ewan King's job?" matches
    little in any sentence, since names mean little to the embedding model, yet his name is in the guidance."""
    vecs, level = probe_bank(retriever)
    nearest = float((vecs @ qvec).max())
    return nearest >= level + (MARGIN if named else 0.0) and nearest >= best_sentence(retriever, qvec, passages) - MARGIN
