"""The words that name a kind of document, one data table (corpus/search/document_nouns.yaml) for every reader:
which document a message names (search.naming), the words that say where to look rather than what to find
(answer.sentences), and answer sentences that describe their own document ("This note sets out…")."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from assistant.search.chatter import read_words
from assistant.settings import REPO_DIR

DOCUMENT_NOUNS = REPO_DIR / "corpus" / "search" / "document_nouns.yaml"


@functools.cache
def load_document_nouns(path: Path = DOCUMENT_NOUNS) -> dict[str, tuple[str, ...]]:
    """{'nouns', 'naming_only', 'generic'}: lower-case words, as the table lists them."""
    def single(w: str) -> bool:
        return bool(re.fullmatch(r"[A-Za-z]+", w.strip()))
    return {key: tuple(w.lower() for w in read_words(path, "document-noun table", "a list of single words", single,
                                                      key=key, empty=key != "nouns"))
            for key in ("nouns", "naming_only", "generic")}


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of the words, longest first."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
