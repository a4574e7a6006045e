"""Interests found by meaning: phrases a note frames as someone's, weighed against a bank of examples.

The lexicon in corpus/prompts/details.yaml knows a few dozen activities by name; notes name thousands
("practising her Urdu", "his chess trophies", "back at the WI", "doing well at judo"). Here the noun
phrases a note puts after a possessive, a preposition or a verb ending in -ing are read by the bundled
sentence model and compared with corpus/prompts/interest_bank.yaml: short phrases of things people enjoy,
belong to or are proud of, and phrases of the same shape that are not interests (body parts, services,
errands, documents, problems). A phrase nearer the first list than the second by the calibrated margin in
details.yaml (`meaning_margin`) is an interest. Anyone can add phrases to either list; the vectors are
cached in the user's cache folder, keyed by the bank's content and the model.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.index.embeddings import cached_vectors
from assistant.prompts.library import (
    LibraryError,
    library_root,
    library_stamp,
    read_yaml,
)
from assistant.textutil import STOPWORDS

log = logging.getLogger(__name__)
NEAREST = 3  # a phrase's closeness to a list is the mean of its NEAREST most similar phrases there

_END = re.compile(r"[.,;:!?()\"“”\n]|\s[—–-]\s|\s(?:and|but|so|because|when|while|who|which|as|if|on|at|in|with"
                  r"|for|to|from|by|every|each|during|after|before|since|most|twice|once|daily|weekly|often"
                  r"|regularly|sometimes|is|was|are|were|has|had|says|said|that|than|again|now|too|then)\s|\s\w+n['’]t\b", re.I)
_WORDY = re.compile(r"[^\W\d_][\w'’&-]*")
# Frames that put a noun phrase forward as someone's: "her café job", "at judo", "practising her Urdu", and a plain
# activity verb from details.yaml's frame_verbs before a name or an article ("supports Arsenal", "runs the raffle").
_ING = (r"(?!(?:being|having|getting|feeling|going|saying|telling|asking|seeing|coming|trying|using"
        r"|paying|finding|struggling|missing|losing|sleeping|nothing|something|anything|everything|morning|evening"
        r"|during|bring|thing|king|ring|spring|sing|wing|ceiling|building|ping|sibling|wedding|meeting|stuffing"
        r"|bedding|clothing|heating|parking|housing|funding|booking|setting|timing|ending)\b)[a-z]{3,}ing")


@functools.lru_cache(maxsize=8)
def _frames(verbs: tuple[str, ...]) -> re.Pattern[str]:
    plain = "|".join(re.escape(v) for v in verbs)
    verb = _ING + (rf"|(?:{plain})(?=\s+(?:the\s+|a\s+|an\s+)?[A-Z0-9]|\s+(?:the|a|an)\s)" if plain else "")
    return re.compile(
        r"\b(?P<own>her|his|their|my)\s+(?=\S)"
        r"|\b(?P<prep>at|for|about|into|in|of)\s+(?:(?:the|a|an)\s+)?(?=\S)"
        rf"|\b(?P<verb>{verb})\s+(?:(?:her|his|their|the|a|an|some)\s+)?(?=\S)", re.I)


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    text: str  # as written: "her café job", "judo", "practising her Urdu"
    frame: str  # own | prep | verb


def candidates(text: str, verbs: tuple[str, ...] = ()) -> list[Candidate]:
    """Noun phrases (up to four words) that a note frames as someone's interest, pursuit or belonging; `verbs`
    are plain activity verbs that frame one too (details.yaml's frame_verbs)."""
    out: list[Candidate] = []
    for m in _frames(tuple(verbs)).finditer(text):
        frame = next(k for k in ("own", "prep", "verb") if m.group(k))
        rest = text[m.end():m.end() + 80]
        cut = _END.search(" " + rest + " ")
        words = [w for w in _WORDY.findall((" " + rest)[: cut.start() if cut else None])][:4]
        raw = (" " + rest)[: cut.start() if cut else None]
        while words and words[-1].lower() in STOPWORDS:
            words.pop()
        if not words or not any(len(w) >= 2 and w.lower() not in STOPWORDS for w in words):
            continue
        phrase_end = m.end() + _span_of(raw, words) - 1
        start = m.start() if frame in ("own", "verb") else m.end()
        if frame == "prep":  # keep the article: "the WI", "a tea dance"
            art = re.search(r"\b(?:the|a|an)\s+$", text[m.start():m.end()], re.I)
            start = m.start() + art.start() if art else m.end()
        out.append(Candidate(start, phrase_end, " ".join(text[start:phrase_end].split()), frame))
    kept: list[Candidate] = []
    for c in sorted(out, key=lambda c: (c.start, -c.end)):  # one phrase once: the widest reading of it
        if not any(c.start < k.end and k.start < c.end for k in kept):
            kept.append(c)
    return kept


def _span_of(raw: str, words: list[str]) -> int:
    """Where the last kept word ends in `raw` (which starts with one space)."""
    at = 0
    for w in words:
        at = raw.index(w, at) + len(w)
    return at


class InterestBank:
    """The two phrase lists and their vectors under one embedding model."""

    def __init__(self, embedder, interests: list[str], others: list[str], cache_dir: Path | None = None):
        self.embedder = embedder
        self.interests, self.others = interests, others
        digest = hashlib.sha1("\n".join(interests + ["--"] + others).encode()).hexdigest()[:12]
        model = hashlib.sha1(str(getattr(embedder, "name", "")).encode()).hexdigest()[:8]
        path = cache_dir / f"interests-{digest}-{model}.npy" if cache_dir else None
        vecs = cached_vectors(path, (len(interests) + len(others), None),
                              lambda: embedder.encode(interests + others), "the interest bank")
        self.yes, self.no = vecs[:len(interests)], vecs[len(interests):]

    def margin(self, phrases: list[str]) -> np.ndarray:
        """How much nearer each phrase sits to the interests than to the other phrases (cosine), read without
        its owner ("her café job" as "café job")."""
        if not phrases:
            return np.zeros(0)
        v = np.asarray(self.embedder.encode([_POSS.sub("", p) for p in phrases]), dtype=np.float32)
        return _closeness(v @ self.yes.T) - _closeness(v @ self.no.T)


def _closeness(sims: np.ndarray) -> np.ndarray:
    k = min(NEAREST, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


_lock = threading.Lock()
_banks: dict[tuple, InterestBank] = {}


def bank() -> InterestBank | None:
    """The interest bank under the configured model, built once per process (None if it cannot load)."""
    from assistant.index.embeddings import get_embedder
    from assistant.index.onnx_backend import cache_root
    from assistant.settings import get_settings

    root = library_root(None)
    settings = get_settings()
    key = (str(root), library_stamp(root), settings.model, settings.embedding_backend)
    with _lock:
        if key not in _banks:
            data = _read(root / "prompts" / "interest_bank.yaml")
            if data is None:
                return None
            try:
                _banks[key] = InterestBank(get_embedder(settings), *data, cache_root().parent / "interests")
            except Exception as e:  # no model on this machine: the lexicon still finds what it knows
                log.warning("Interests by meaning are off: %s", e)
                return None
        return _banks[key]


@functools.lru_cache(maxsize=4)
def _read_cached(path: Path, stamp: tuple) -> tuple[list[str], list[str]] | None:
    data = read_yaml(path)
    if not isinstance(data, dict) or not data.get("interests") or not data.get("not_interests"):
        raise LibraryError(f"{path}: needs two non-empty lists, interests and not_interests.")
    bare = [[_POSS.sub("", str(x)) for x in data[k]] for k in ("interests", "not_interests")]
    return bare[0], bare[1]


_POSS = re.compile(r"^(?:her|his|their|my)\s+", re.I)  # phrases are compared without their owner


def _read(path: Path) -> tuple[list[str], list[str]] | None:
    if not path.is_file():
        return None
    return _read_cached(path, (path.stat().st_mtime_ns, path.stat().st_size))
