"""Deficit language in case notes: find it, explain it, suggest strengths-based wording.

The lexicon is a data file (corpus/safety/deficit_terms.yaml) so a practitioner or trainer can read and
extend it.
Suggestions are prompts to rethink a sentence, not automatic corrections: the
reframed text replaces each phrase with its first alternative, which reads well
in most sentences but is always worth a second look.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from assistant.errors import InputError, SettingsError
from assistant.settings import REPO_DIR

_I = re.IGNORECASE


@dataclass(frozen=True)
class Entry:
    """One lexicon row: a case-insensitive pattern, suggested wording and why it matters."""

    pattern: re.Pattern[str]
    alternatives: tuple[str, ...]
    reason: str


def _e(pattern: str, alternatives: str | tuple[str, ...], reason: str) -> Entry:
    alts = (alternatives,) if isinstance(alternatives, str) else alternatives
    return Entry(re.compile(pattern, _I), alts, reason)


DATA = REPO_DIR / "corpus" / "safety" / "deficit_terms.yaml"
_MACRO = re.compile(r"\{\{(\w+)\}\}")


def load_lexicon(path: Path = DATA) -> tuple[Entry, ...]:
    """The deficit-language table from its data file; a broken file says which entry and why."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    macros, reasons = data.get("macros", {}), data.get("reasons", {})
    out = []
    for n, row in enumerate(data["entries"], 1):
        try:
            pattern = _MACRO.sub(lambda m: macros[m.group(1)], row["pattern"])
            why = _MACRO.sub(lambda m: reasons[m.group(1)], row["why"])
            out.append(_e(pattern, tuple(row["use"]) if isinstance(row["use"], list) else row["use"], why))
        except (KeyError, TypeError, re.error) as err:
            raise SettingsError(f"{path}: entry {n} is malformed ({err}); fix it or restore the file") from err
    return tuple(out)


LEXICON: tuple[Entry, ...] = load_lexicon()


@dataclass
class DeficitHit:
    """One deficit phrase found in text, with offsets into the input."""

    start: int
    end: int
    phrase: str
    alternatives: list[str] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


class Reframe(BaseModel):
    """A checked text: every deficit phrase found, and the text with first alternatives put in."""

    text: str = Field(description="The text as given")
    suggested: str = Field(description="The text with each phrase replaced by its first alternative")
    hits: list[DeficitHit] = Field(default_factory=list)


def find_deficits(text: str) -> list[DeficitHit]:
    """Every deficit phrase in text, in order, never overlapping (the longest wins at a tie)."""
    if not isinstance(text, str):
        raise InputError("There is nothing to check: pass the note as text.")
    candidates: list[tuple[int, int, int, Entry, re.Match[str]]] = []
    for order, entry in enumerate(LEXICON):
        for m in entry.pattern.finditer(text):
            if m.end() > m.start():
                candidates.append((m.start(), -(m.end() - m.start()), order, entry, m))
    candidates.sort(key=lambda c: c[:3])
    hits: list[DeficitHit] = []
    taken_to = -1
    for start, _neg_len, _order, entry, m in candidates:
        if start < taken_to:
            continue
        alts = [a.format(*_groups(m)) for a in entry.alternatives]
        hits.append(DeficitHit(start, m.end(), m.group(0), alts, entry.reason))
        taken_to = m.end()
    return hits


def _groups(m: re.Match[str]) -> list[str]:
    """Captured words for the alternatives; a capital that only marks a sentence start is dropped."""
    out = []
    for i, g in enumerate(m.groups(), start=1):
        g = g or ""
        if m.start(i) == m.start() and g[:1].isupper() and g[1:].islower():
            g = g.lower()
        out.append(g)
    return out


def reframe(text: str) -> Reframe:
    """Check text for deficit language and suggest a strengths-based rewording."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("There is nothing to check: paste or type some text (a case note, a plan) and try again.")
    from assistant.settings import (
        get_settings,  # only here: find_deficits stays free of settings
    )

    limit = get_settings().max_text_chars
    if len(text) > limit:
        raise InputError(f"The text is {len(text):,} characters; the limit is {limit:,}. Check it in smaller parts.")
    hits = find_deficits(text)
    return Reframe(text=text, suggested=_apply(text, hits), hits=hits)


def _apply(text: str, hits: list[DeficitHit]) -> str:
    out: list[str] = []
    pos = 0
    for hit in hits:
        out.append(text[pos:hit.start])
        new = _match_case(hit.phrase, hit.alternatives[0])
        _fix_article(out, new)
        out.append(new)
        pos = hit.end
    out.append(text[pos:])
    return "".join(out)


def _match_case(old: str, new: str) -> str:
    if old[:1].isupper() and new[:1].islower():
        return new[:1].upper() + new[1:]
    return new


_ARTICLE = re.compile(r"\b(a|an|A|An)(\s+)$")


def _fix_article(out: list[str], new: str) -> None:
    """Make 'a'/'an' just before a replacement agree with the new first word."""
    if not out:
        return
    m = _ARTICLE.search(out[-1])
    if not m:
        return
    word = m.group(1)
    wanted = "an" if _vowel_sound(new) else "a"
    if word.lower() != wanted:
        fixed = wanted.capitalize() if word[0].isupper() else wanted
        out[-1] = out[-1][: m.start(1)] + fixed + m.group(2)


def _vowel_sound(word: str) -> bool:
    w = word.lower()
    if w.startswith(("use", "usu", "uni", "eu", "one", "once")):
        return False
    return w[:1] in "aeiou" or w.startswith(("hour", "honest"))


_AUX = (
    "do", "does", "did", "is", "are", "was", "were", "can", "could", "will", "would", "have", "has", "had",
    "should", "shall", "may", "might", "must", "am", "isn't", "aren't", "don't", "doesn't", "didn't", "can't",
    "couldn't", "won't", "wouldn't", "haven't", "hasn't", "hadn't", "shouldn't", "wasn't", "weren't",
)
_LEAD_BREAK = re.compile(r"\s[—–-]\s|—|–|:\s|[.!?…]\s")
# "What — if anything — would help?": an aside between two dashes is not the asking clause.
_ASIDE = re.compile(r"\s*(?:\s[—–-]\s|[—–])[^—–?]*?(?:\s[—–-]\s|[—–])\s*(?=[^—–]*\?$)")
_FILLERS = frozenset({"and", "so", "but", "then", "also", "okay", "ok", "now", "well"})


def is_open_question(text: str) -> bool:
    """True for an open question: ends with '?' and the asking clause doesn't open with a yes/no verb.

    The asking clause is the last one: after any lead-in such as "You mentioned the choir — ".
    """
    if not isinstance(text, str):
        return False
    t = text.strip().replace("’", "'")
    if not t.endswith("?"):
        return False
    t = _ASIDE.sub(" ", t)
    clause = _LEAD_BREAK.split(t)[-1]
    return bool(re.search(r"[A-Za-z]", clause)) and not _starts_with_aux(clause)


def _starts_with_aux(clause: str) -> bool:
    words = re.findall(r"[A-Za-z']+", clause.lower())
    while words and words[0] in _FILLERS:
        words = words[1:]
    return bool(words) and words[0] in _AUX
