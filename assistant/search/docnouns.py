"""The words that name a kind of document, one data table (corpus/search/document_nouns.yaml) for every reader:
which document a message names (search.naming), the words that say where to look rather than what to find
(answer.sentences), and answer sentences that describe their own document ("This note sets out…")."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from assistant.errors import InputError
from assistant.settings import REPO_DIR

DOCUMENT_NOUNS = REPO_DIR / "corpus" / "search" / "document_nouns.yaml"


@functools.cache
def load_document_nouns(path: Path = DOCUMENT_NOUNS) -> dict[str, tuple[str, ...]]:
    """{'nouns', 'naming_only', 'generic'}: lower-case words, as the table lists them."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read the document-noun table {path} ({e}): restore it from the repository.") from e
    out = {}
    for key in ("nouns", "naming_only", "generic"):
        words = data.get(key) if isinstance(data, dict) else None
        if not isinstance(words, list) or not all(isinstance(w, str) and re.fullmatch(r"[A-Za-z]+", w.strip())
                                                  for w in words):
            raise InputError(f"{path}: '{key}' must be a list of single words.")
        out[key] = tuple(w.strip().lower() for w in words)
    if not out["nouns"]:
        raise InputError(f"{path}: 'nouns' must list at least one word.")
    return out


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of the words, longest first."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
