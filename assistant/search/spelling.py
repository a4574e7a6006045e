"""Spelling: a query word that neither the library nor English knows is read as the closest library word.

"assessmnts" becomes "assessments" when the library uses that word: the candidates are the library's own
words within a small edit distance (one edit for short words, two for long ones), and among equally close
ones the most frequent wins; failing those, the commonest English word one edit away ("paperwokr" ->
"paperwork"). The parts of a hyphenated word are words too ("co-rpoducers"). A word English knows
("hoarding", "weather") is never changed, even when the library lacks it: that is a different topic, not a
typo, and abstaining on it is right. Everyday shorthand ("pls", "ppl", "mgmt": corpus/search/shorthand.yaml)
that the library never uses is read as the word it stands for.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from assistant.search.abbreviations import is_known
from assistant.search.rarity import as_typed, rarity
from assistant.errors import InputError
from assistant.search.retrieve import Retriever
from assistant.settings import REPO_DIR
from assistant.textutil import STOPWORDS, stem

SHORTHAND = REPO_DIR / "corpus" / "search" / "shorthand.yaml"

MIN_LENGTH = 4  # shorter words have too many neighbours one edit away to guess from
_WORD = re.compile(r"(?<![\w'’&])(?:[a-z]+|[A-Z][a-z]+|[a-z]+\d)(?![\w'’&])")
_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s*|\n\s*)$")
_VOCAB: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Correction:
    written: str
    corrected: str


def library_words(retriever: Retriever) -> Counter:
    """How often each lower-case word occurs in the live index's passages (worked out once per generation)."""
    idx = retriever.index
    if idx not in _VOCAB:
        counts: Counter = Counter()
        for c in idx.chunks:
            counts.update(w for w in re.findall(r"[a-z]+", c.text.lower()) if len(w) >= MIN_LENGTH - 1)
        _VOCAB[idx] = counts
    return _VOCAB[idx]


@functools.cache
def load_shorthand(path: Path = SHORTHAND) -> dict[str, str]:
    """{'pls': 'please', 'mgmt': 'management', …}: lower-case shorthand and the words it stands for."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read the shorthand list {path} ({e}): restore it from the repository.") from e
    entries = data.get("shorthand") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not all(
            isinstance(k, str) and re.fullmatch(r"[a-z0-9]+", k) and isinstance(v, str) and v.strip()
            for k, v in entries.items()):
        raise InputError(f"{path} must hold 'shorthand:', mapping lower-case shorthand to the words it stands for.")
    return {k: v.strip() for k, v in entries.items()}


@functools.cache
def _english():
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)


def is_english(word: str) -> bool:
    return word.lower() in _english()


def max_edits(word: str) -> int:
    return 1 if len(word) < 8 else 2


def closest_word(retriever: Retriever, word: str) -> str | None:
    """The library word a misspelt word most likely means, or None when none is close enough."""
    vocab = library_words(retriever)
    limit = max_edits(word)
    near = [w for w in vocab if abs(len(w) - len(word)) <= limit]
    hits = process.extract(word, near, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None)
    if not hits:
        return None
    best = min(d for _, d, _ in hits)
    return max((w for w, d, _ in hits if d == best), key=lambda w: (vocab[w], w))


ENGLISH_MIN = 6  # shorter words are too often slang or shorthand ("meds") one edit from another word ("mess")
# British spellings the (American) word list lacks: "neighbour", "organisation", "centre", "analyse", "travelled".
_BRITISH = [("our", "or"), ("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"), ("tre", "ter"),
            ("yse", "yze"), ("ogue", "og"), ("ence", "ense"), ("lled", "led"), ("lling", "ling"), ("mme", "m")]


def british(word: str) -> bool:
    """Whether the word is a British spelling of a word the English list holds in its American spelling."""
    sp = _english()
    return any(b in word and word.replace(b, a) in sp for b, a in _BRITISH)


def english_word(word: str) -> str | None:
    """The English word one edit away (a swap, a slip, a missed or doubled letter) that English uses most, for a
    typo of a word the library never uses ("paperwokr" -> "paperwork"); None when there is none, for a short
    word and for a British spelling ("neighbour" is not a typo of "neighbor")."""
    if len(word) < ENGLISH_MIN or british(word):
        return None
    sp = _english()
    best = sp.correction(word)
    return best if best and best != word and best in sp else None


def function_word(retriever: Retriever, word: str) -> str | None:
    """The function word a short unknown word is typed for, with a letter missed or two swapped ("wht" -> "what",
    "hw" -> "how", "teh" -> "the"); None for a word English, the library or the glossary knows ("la", "pip") and
    when no function word is that close. Among several, the commonest in English."""
    w = word.lower()
    if len(w) < 2 or w in STOPWORDS or stem(w) in retriever.index.bm25.idf or is_english(w) or is_known(retriever, w):
        return None
    near = [f for f in STOPWORDS if f.isalpha() and (
        len(f) == len(w) + 1 and any(f[:i] + f[i + 1:] == w for i in range(len(f)))
        or len(f) == len(w) and sorted(f) == sorted(w) and DamerauLevenshtein.distance(f, w) == 1)]
    return min(near, key=lambda f: (rarity(f), f)) if near else None


def corrections(retriever: Retriever, query: str) -> list[Correction]:
    """Words of the query the library has never seen, nor English, each with the library word it stands for."""
    idf = retriever.index.bm25.idf
    out = []
    for m in _WORD.finditer(query):
        if m.group(0)[0].isupper() and not _SENTENCE_START.search(query[:m.start()]):
            continue  # a capital inside a sentence marks a name, not a typo
        word = m.group(0).lower()
        if word in load_shorthand() and stem(word) not in idf:
            long = load_shorthand()[word]
            out.append(Correction(m.group(0), long[0].upper() + long[1:] if m.group(0)[0].isupper() else long))
            continue
        if len(word) < MIN_LENGTH and (fixed := function_word(retriever, word)):
            out.append(Correction(m.group(0), fixed.capitalize() if m.group(0)[0].isupper() else fixed))
            continue
        if len(word) < MIN_LENGTH or word in STOPWORDS or stem(word) in idf or is_english(word) \
                or is_known(retriever, word) or "'" in as_typed(word):  # 'dont' is "don't", not a typo
            continue
        fixed = closest_word(retriever, word) or english_word(word)
        if fixed and fixed != word:
            out.append(Correction(m.group(0), fixed.capitalize() if m.group(0)[0].isupper() else fixed))
    return out


def correct_spelling(retriever: Retriever, query: str) -> str:
    """The query with its misspelt words replaced by the library words they stand for (unchanged if none)."""
    fixes = {c.written: c.corrected for c in corrections(retriever, query)}
    if not fixes:
        return query
    return _WORD.sub(lambda m: fixes.get(m.group(0), m.group(0)), query)
