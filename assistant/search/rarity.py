"""How telling a query word is, measured against everyday English rather than against the library.

A library's own idf moves as it grows: among five guidance documents "care" is everywhere and tells nothing,
beside a thousand council pages it is rare and looks decisive. Deciding whether the library answers a question
needs weights that mean the same at 40 and at 4,000 passages, so they come from the word frequencies of
general English that ship with pyspellchecker (a word English does not list, such as a name, weighs most).
"""

from __future__ import annotations

import functools
import math
import re

from assistant.textutil import is_stopword, stem, tokens

# Words that say what kind of question it is, not what it is about.
QUESTION_WORDS = frozenset(tokens("what which who whom whose when where why how does do did is are can could "
                                   "should would tell explain describe mean meaning guidance say says according "
                                   "about please give list example examples", keep_stopwords=True))


@functools.cache
def _frequencies():
    from spellchecker import SpellChecker

    wf = SpellChecker(distance=1).word_frequency
    return wf, float(wf.total_words)


@functools.lru_cache(maxsize=50_000)
def rarity(word: str) -> float:
    """-log of a word's share of English text (about 3 for 'the', 12 for 'assessment', 21 if unlisted)."""
    wf, total = _frequencies()
    w = word.lower().replace("’", "'")
    w = w[:-2] if w.endswith("'s") else w
    return math.log(total / (1 + wf[w]))


EVERYDAY = 9.5  # rarity below which a word is everyday English ('name' 7.6, 'line' 8.9, 'meant' 9.0; 'bus' 9.9)


def as_typed(word: str) -> str:
    """A contraction typed without its apostrophe, with it back ('dont' -> "don't", 'theyre' -> "they're");
    any other word unchanged."""
    w = word.lower()
    if rarity(w) < EVERYDAY:
        return w
    for i in (1, 2, 3):
        if len(w) > i + 1:
            c = f"{w[:-i]}'{w[-i:]}"
            if rarity(c) < EVERYDAY:
                return c
    return w


def everyday(word: str) -> bool:
    """Whether a word is common in everyday English (its contraction read with the apostrophe it lacks)."""
    return rarity(as_typed(word)) < EVERYDAY


def term_weights(query: str) -> dict[str, float]:
    """The query's content terms (stems, as textutil.tokens makes them) weighted by their rarity in English."""
    out: dict[str, float] = {}
    for w in re.findall(r"[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*", query.replace("-", " ")):
        lw = w.lower()
        if is_stopword(lw):
            continue
        t = stem(lw)
        if t in QUESTION_WORDS:
            continue
        out[t] = max(out.get(t, 0.0), rarity(lw))
    return out
