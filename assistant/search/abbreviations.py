"""Practitioners' abbreviations: "LA", "SWs", "CYP", "s42" read as their long forms.

The glossary is data (corpus/search/abbreviations.yaml); acronyms that the indexed documents define themselves
("Social Care Institute for Excellence (SCIE)", found by search.query.acronyms) join it and win over it. A query
is searched with each abbreviation's long form beside it, and the question as understood (for deciding whether
the guidance answers it) reads the long form in its place.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import InputError
from assistant.search.query import acronyms
from assistant.search.rarity import rarity
from assistant.search.retrieve import Retriever
from assistant.settings import REPO_DIR

GLOSSARY = REPO_DIR / "corpus" / "search" / "abbreviations.yaml"
# A word written with capitals (and perhaps digits, "&" or a plural s), or a section number such as "s42".
_CANDIDATE = re.compile(r"(?<![\w&])(?:[A-Za-z]*[A-Z][A-Za-z]*&?[A-Za-z]*|[sS]\d{1,3})(?![\w&])")
# The same typed in lower case; taken only when English hardly uses the word ("cyp", "asc"; not "la", "nice").
_LOWER = re.compile(r"(?<![\w&])[a-z]{2,6}(?![\w&])")
RARE = 13.0  # rarity in English (search.rarity) at or above which a lower-case word may be an abbreviation


@dataclass(frozen=True)
class Abbreviation:
    """One abbreviation as written in a query, with its long forms."""

    written: str  # as typed: "SWs"
    key: str  # as listed: "SW"
    long_forms: tuple[str, ...]


@functools.cache
def load_glossary(path: Path = GLOSSARY) -> dict[str, tuple[str, ...]]:
    """{'LA': ('local authority',), 'OT': ('occupational therapist', 'occupational therapy'), …}."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read the abbreviation glossary {path} ({e}): restore it from the repository.") from e
    entries = data.get("abbreviations") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise InputError(f"{path} must hold 'abbreviations:' mapping each abbreviation to its long form(s).")
    out: dict[str, tuple[str, ...]] = {}
    for short, long in entries.items():
        forms = [long] if isinstance(long, str) else long
        if not isinstance(short, str) or not isinstance(forms, list) or not forms or \
                not all(isinstance(f, str) and f.strip() for f in forms):
            raise InputError(f"{path}: entry {short!r} needs a long form (text, or a list of texts).")
        out[short] = tuple(f.strip() for f in forms)
    return out


@functools.cache
def _lookup(path: Path = GLOSSARY) -> dict[str, str]:
    """Every accepted spelling of a key -> the key: 'SW', 'SWs', 'DOLS' for 'DoLS', 's42' and 'S42'."""
    out: dict[str, str] = {}
    for key in load_glossary(path):
        for form in {key, key.upper()} | ({key.lower()} if re.fullmatch(r"s\d+", key) else set()):
            out.setdefault(form, key)
            if form[-1:].isalpha() and not form.endswith("s"):
                out.setdefault(form + "s", key)
    return out


def find_abbreviations(retriever: Retriever | None, text: str) -> list[Abbreviation]:
    """The abbreviations in a query that the glossary or the library's own documents define, in order."""
    defined = acronyms(retriever) if retriever is not None else {}
    glossary, lookup = load_glossary(), _lookup()
    found: dict[str, Abbreviation] = {}
    for m in _CANDIDATE.finditer(text):
        word = m.group(0)
        if len(word) < 2 or word in found or (word[0].isupper() and word[1:].islower() and len(word) > 3):
            continue  # "Care", "Leeds": ordinary capitalised words are not abbreviations
        base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
        if base.isupper() and base.lower() in defined:
            found[word] = Abbreviation(word, base, (defined[base.lower()],))
        elif word in lookup:
            key = lookup[word]
            found[word] = Abbreviation(word, key, glossary[key])
    for m in _LOWER.finditer(text):  # "cyp", "asc", "dols": typed in lower case, and no English word
        word = m.group(0)
        if word in found or rarity(word) < RARE:
            continue
        base = word[:-1] if word.endswith("s") and rarity(word[:-1]) >= RARE else word
        if base in defined:
            found[word] = Abbreviation(word, base.upper(), (defined[base],))
        elif word.upper() in lookup or base.upper() in lookup:
            key = lookup.get(word.upper()) or lookup[base.upper()]
            found[word] = Abbreviation(word, key, glossary[key])
    return list(found.values())


def is_known(retriever: Retriever | None, word: str) -> bool:
    """Whether a word of a question is an abbreviation the glossary or the library defines."""
    return bool(find_abbreviations(retriever, word))


def expand_abbreviations(retriever: Retriever | None, query: str) -> str:
    """The query plus, in brackets, the long forms of its abbreviations that it does not already spell out."""
    low = query.lower()
    extra = [f for a in find_abbreviations(retriever, query) for f in a.long_forms if f.lower() not in low]
    return f"{query} ({'; '.join(dict.fromkeys(extra))})" if extra else query


def spell_out(retriever: Retriever | None, query: str) -> str:
    """The query with each abbreviation replaced by its first long form ('the LA' -> 'the local authority')."""
    found = {a.written: a.long_forms[0] for a in find_abbreviations(retriever, query)}
    if not found:
        return query
    pattern = re.compile(r"(?<![\w&])(?:" + "|".join(map(re.escape, sorted(found, key=len, reverse=True)))
                         + r")(?![\w&])")
    return pattern.sub(lambda m: found[m.group(0)], query)
