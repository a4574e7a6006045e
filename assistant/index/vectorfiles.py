"""Reading and writing a matrix of vectors with its JSON metadata inside an index generation."""

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
    with open(gen_path / meta_name, "w", encoding="utf-8") as f:
        f.write(json.dumps(meta, separators=(",", ":")))
        f.flush()
        os.fsync(f.fileno())


def embed_reusing(settings, texts: list[str], keys: list[str], old: dict[str, np.ndarray],
                  progress, label: str, unit: str, batch: int = 128) -> tuple[np.ndarray, int]:
    """One vector per text: copied from `old` where its key is there, else embedded (with a progress bar).
    Returns (matrix, how many were embedded)."""
    from assistant.index.embeddings import get_embedder
    from assistant.index.progress import progress_bar

    todo = [i for i, k in enumerate(keys) if k not in old]
    embedder = get_embedder(settings) if todo else None
    dim = embedder.dim if embedder else (len(next(iter(old.values()))) if old else 384)
    vecs = np.zeros((len(texts), dim), dtype=np.float32)
    for i, k in enumerate(keys):
        if k in old:
            vecs[i] = old[k]
    bar = progress_bar(progress, len(todo), label, unit)
    for s in range(0, len(todo), batch):
        ids = todo[s:s + batch]
        vecs[ids] = embedder.encode([texts[i] for i in ids], batch_size=batch)
        bar(min(s + batch, len(todo)), len(todo), label)
    return vecs, len(todo)


def load_matrix(path: Path, rows: int, mmap: bool = False) -> np.ndarray | None:
    """The float32 matrix stored at path; None when it is missing, damaged or not `rows` long."""
    try:
        mat = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if mat.ndim != 2 or len(mat) != rows:
        return None
    return mat if mmap else mat.astype(np.float32, copy=False)
