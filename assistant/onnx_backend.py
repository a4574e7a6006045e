"""ONNX Runtime embedding backend (faster queries). Falls back to sentence-transformers when unavailable."""

from __future__ import annotations

from .embeddings import Embedder


def try_load(name: str, required: bool = False) -> Embedder | None:
    """Return an ONNX embedder for `name`, or None so the caller uses the torch path."""
    if required:
        from .errors import SettingsError

        raise SettingsError("The ONNX embedding backend is not available in this build; unset ASSISTANT_EMBEDDING_BACKEND.")
    return None
