"""Greetings, hedges and thanks taken off a query: "hi all, quick q - …? thanks in advance!" asks only the middle.

The phrases are data (corpus/search/chatter.yaml). They dilute what a question asks: its words count in the
share of the question a passage covers, and "advance" in "thanks in advance" looked like a topic the library
never mentions.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from assistant.errors import InputError
from assistant.settings import REPO_DIR

CHATTER = REPO_DIR / "corpus" / "search" / "chatter.yaml"
_SEP = r"[\s,.:;!\-–—~]"


def read_words(path: Path, what: str, shape: str, fits=lambda w: bool(w.strip()), key: str = "words",
               empty: bool = False) -> list[str]:
    """The `key` list ('words:') of a data file beside chatter.yaml (corpus/search/), each stripped; a file that
    cannot be read, or whose list is missing, empty (unless `empty`) or holds an entry that does not `fit`, is
    refused naming the file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read the {what} {path} ({e}): restore it from the repository.") from e
    words = data.get(key) if isinstance(data, dict) else None
    if not (isinstance(words, list) and (words or empty) and all(isinstance(w, str) and fits(w) for w in words)):
        raise InputError(f"{path} must hold '{key}:', {shape}.")
    return [w.strip() for w in words]


@functools.cache
def load_chatter(path: Path = CHATTER) -> tuple[re.Pattern, re.Pattern]:
    """(an opener at the start of a query, a closer at its end), longest phrases first. A one-word closer must
    follow punctuation ("Is it a quick fix? Cheers"), so "what is ta" keeps its last word."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read the chatter list {path} ({e}): restore it from the repository.") from e
    lists = [data.get(k) if isinstance(data, dict) else None for k in ("openers", "closers")]
    if not all(isinstance(x, list) and x and all(isinstance(p, str) and p.strip() for p in x) for x in lists):
        raise InputError(f"{path} must hold 'openers:' and 'closers:', each a list of phrases.")

    def alt(phrases: list[str]) -> str:
        return r"|".join(re.escape(p.strip()) for p in sorted(phrases, key=len, reverse=True))

    openers, closers = (list(x) for x in lists)
    words = [p for p in closers if " " in p.strip()]
    single = [p for p in closers if " " not in p.strip()]
    ends = [rf"(?:^|(?<={_SEP}))(?:{alt(words)})"] if words else []
    ends += [rf"(?:^|(?<=[?.!,;:\-–—]))\s*(?:{alt(single)})"] if single else []
    return (re.compile(rf"^\s*(?:{alt(openers)})(?:{_SEP}+|$)", re.I),
            re.compile(rf"(?:{'|'.join(ends)})\b{_SEP}*$", re.I))


def strip_chatter(query: str) -> str:
    """The query without the greetings before it and the thanks after it (as typed when nothing else is left)."""
    opener, closer = load_chatter()
    text = query
    while (m := opener.match(text)) and m.end() < len(text):
        text = text[m.end():]
    while (m := closer.search(text)) and m.start() > 0:
        text = text[:m.start()].rstrip(" ,;:-–—~")
    text = text.strip()
    return text if text else query
