"""Offline embedding models: the bundled all-MiniLM-L6-v2, local models, and a fake for plumbing tests."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading

import numpy as np

from assistant.errors import SettingsError
from assistant.index.embedder import Embedder, resolve_model_path
from assistant.settings import Settings

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder(Embedder):
    """The reference path: sentence-transformers on torch, CPU."""

    def __init__(self, name: str):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars are noise on a CLI's stderr
        hf_logging.set_verbosity_error()
        path = resolve_model_path(name)
        try:
            self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as e:  # OSError, ValueError, HF errors: all mean "not here"
            raise SettingsError(
                f"Embedding model '{name}' is not available offline. Use the bundled model "
                "(unset ASSISTANT_MODEL) or set ASSISTANT_MODEL to a local model folder."
            ) from e
        self.name = name
        self.dim = int(self.model.get_embedding_dimension())
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads at once

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)
        return vecs.astype(np.float32, copy=False)


class FakeHashEmbedder(Embedder):
    """Deterministic bag-of-words hashing: texts sharing words are similar. For plumbing tests only."""

    def __init__(self, name: str = "fake-hash", dim: int = 384):
        self.name, self.dim = name, dim

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        from assistant.textutil import tokens

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for tok in tokens(t) or ["<empty>"]:
                h = int.from_bytes(hashlib.md5(tok.encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0 if h & 1 << 31 else -1.0
            norm = np.linalg.norm(out[i])
            out[i] /= norm if norm else 1.0
        return out


_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _cached(name: str, backend: str) -> Embedder:
    if name == "fake-hash":
        return FakeHashEmbedder()
    if backend in ("auto", "onnx"):
        from assistant.index import onnx_backend

        emb = onnx_backend.try_load(name, required=backend == "onnx")
        if emb is not None:
            return emb
    log.info("loading embedding model %s", name)
    return SentenceTransformerEmbedder(name)


def get_embedder(settings: Settings) -> Embedder:
    """The embedder for these settings, loaded once per process."""
    with _lock:
        return _cached(settings.model, settings.embedding_backend)


def model_fingerprint(settings: Settings) -> str:
    """What changes the vectors: the model. (The backend does not: ONNX reproduces torch's vectors.)"""
    return settings.model.lower()


def cached_vectors(path, shape: tuple[int, int] | None, compute, what: str) -> np.ndarray:
    """Vectors read from `path` when it holds `shape` (any width when the width is None), else computed
    with `compute()` and written there atomically. A damaged file is computed again; a folder that cannot
    be written only costs the computing next time. `what` names them in log lines."""
    from pathlib import Path

    path = Path(path) if path is not None else None
    if path is not None and path.is_file():
        try:
            vecs = np.load(path)
            if shape is None or vecs.shape == shape or (shape[1] is None and vecs.shape[0] == shape[0]):
                return vecs
        except (OSError, ValueError):
            pass  # damaged: embed again
    log.info("Embedding %s (once)", what)
    vecs = np.asarray(compute(), dtype=np.float32)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vecs)
            tmp.replace(path)
        except OSError as e:
            log.warning("Could not cache %s at %s (%s)", what, path, e)
    return vecs

