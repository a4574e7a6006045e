"""A matrix of vectors with its JSON metadata inside an index generation, and the one embedding pass that fills them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


def read_meta(path: Path) -> dict | None:
    """The metadata file's content; None when it is missing or damaged."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save(gen_path: Path, matrix_name: str, meta_name: str, vecs: np.ndarray, meta: dict) -> None:
    """Write both files and fsync them: the generation is published only after this returns."""
    with open(gen_path / matrix_name, "wb") as f:
        np.save(f, vecs, allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())
    save_meta(gen_path, meta_name, meta)


def save_meta(gen_path: Path, meta_name: str, meta: dict) -> None:
    with open(gen_path / meta_name, "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, separators=(",", ":")))
        f.flush()
        os.fsync(f.fileno())


def close_synced(f) -> None:
    """Flush, fsync and close a file being written into a generation."""
    f.flush()
    os.fsync(f.fileno())
    f.close()


class Pending:
    """One stage's vectors: reused by key where an older generation has them, the rest to embed.

    Stages (passages, sentences, words) each make one; `embed_all` then embeds what all of them lack in
    a single pass, so the model sees every text once, sorted by length over the whole ingest."""

    def __init__(self, texts: list[str], keys: list[str], old: dict[str, np.ndarray]):
        self.texts, self.keys, self.old = texts, keys, old
        self.todo = [i for i, k in enumerate(keys) if k not in old]
        self.matrix: np.ndarray | None = None

    def start(self, dim: int) -> None:
        """Allocate the matrix and copy the reused vectors in; embed_all writes the others straight into it."""
        self.matrix = np.zeros((len(self.texts), dim), dtype=np.float32)
        for i, k in enumerate(self.keys):
            if k in self.old:
                self.matrix[i] = self.old[k]


# Texts handed to the model per call: enough for its token sort to pad little, few enough for a live bar.
SLICE = 512


def embed_all(settings, pending: list[Pending], progress, label: str = "Embedding", unit: str = "text") -> int:
    """Embed every text the stages lack, once (duplicates across stages too), longest first, writing each
    vector straight into the stages' matrices (no second copy held). Returns how many distinct texts."""
    from assistant.index.embeddings import get_embedder
    from assistant.index.progress import progress_bar

    targets: dict[str, list[tuple[Pending, int]]] = {}
    for p in pending:
        for i in p.todo:
            targets.setdefault(p.texts[i], []).append((p, i))
    # Sorted by length here as well, so each slice holds similar lengths and the model's own sort pads little.
    texts = sorted(targets, key=len, reverse=True)
    embedder = get_embedder(settings) if texts else None
    dim = embedder.dim if embedder else next((len(next(iter(p.old.values()))) for p in pending if p.old), 384)
    for p in pending:
        p.start(dim)
    bar = progress_bar(progress, len(texts), label, unit)
    for s in range(0, len(texts), SLICE):
        part = texts[s:s + SLICE]
        for t, v in zip(part, embedder.encode(part, batch_size=SLICE)):
            for p, i in targets[t]:
                p.matrix[i] = v
        bar(min(s + SLICE, len(texts)), len(texts), label)
    return len(texts)


def load_matrix(path: Path, rows: int, mmap: bool = False) -> np.ndarray | None:
    """The float32 matrix stored at path; None when it is missing, damaged or not `rows` long."""
    try:
        mat = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if mat.ndim != 2 or len(mat) != rows:
        return None
    return mat if mmap else mat.astype(np.float32, copy=False)
