"""Safeguarding signals in a described situation, and the reminder that goes with them.

Two recognisers, each readable and extendable as data: the signal table (safety/signals.py: plain
regular expressions, one row per type, tuned to precision on ordinary needs such as falls, loneliness
or a tired carer) and the indicator bank matched by meaning (safety/indicators.py over
corpus/safety/indicators*.yaml), which notices what practitioners describe indirectly. Recall comes
first: a strong signal gives the red reminder, a weaker one an amber "pause and consider" note, and
every cue is listed with its words. A reminder never replaces professional judgement.
"""

from __future__ import annotations

import functools
import re

from assistant.errors import InputError
from assistant.safety.indicators import Matcher, load_calibration, matcher
from assistant.safety.signals import (
    CHILD_HARM_TYPES,
    SAFEGUARDING_TYPES,
    SIGNALS,
    Cue,
    SignalType,
)
from assistant.settings import Settings, get_settings
from assistant.textutil import sentence_spans
from assistant.types import SETTINGS, Safeguarding, SafeguardingCue

__all__ = ["SAFEGUARDING_TYPES", "Cue", "SignalType", "calibration", "detect", "safe_followups"]


@functools.lru_cache(maxsize=1)
def calibration():
    """The meaning matcher's thresholds (corpus/safety/calibration.yaml)."""
    return load_calibration()

_I = re.IGNORECASE

# Negation only counts inside the clause that holds the cue, a few words back.
_NEGATION = re.compile(
    r"\b(?:no|not|never|without|denies|denied|deny|denying|nor|none|nothing|neither|nobody|no-one|no one)\b"
    r"(?!\s+(?:only|clear|sure|certain|known|just|yet|doubt)\b)"
    r"|n't\b(?!\s+(?:know|clear|sure))|\bruled out\b|\bfree (?:from|of)\b|\babsence of\b",
    _I,
)
_CLAUSE_BREAK = re.compile(
    r"[.;:!?()\n,]|—|–| - "
    r"|\b(?:but|however|because|although|though|and|as|so|since|while|whereas|yet|who|which|after|when)\b",
    _I,
)
_NEG_WINDOW_WORDS = 6

# Sentences that teach or define abuse rather than describe a person.
_TRAINING = re.compile(
    r"\b(?:types|categories|forms|kinds|examples) of (?:abuse|harm|neglect)\b"
    r"|\b(?:training|course|module|workshop|e-learning|policy|procedures)\b|\bstatutory guidance\b|\b14\.17\b"
    r"|\bdefin(?:e|es|ed|ition|itions) of\b|\bincludes? (?:physical|domestic|sexual|financial) abuse\b",
    _I,
)
_CHILD_CONTEXT = re.compile(
    r"\b(?:child|children|childhood|kid|kids|baby|babies|toddler|infant|boy|girl|pupil|pupils|school|nursery|teacher"
    r"|teen|teens|teenager|teenagers|young person|young people|young carer|stepdad|step-dad|stepfather"
    r"|foster(?:ed|ing)?"
    r"|looked[- ]after|care leaver|leaving care|year \d{1,2}|GCSEs?)\b"
    r"|\b(?:aged?|age) (?:[0-9]|1[0-7])\b|\b(?:[0-9]|1[0-7])[- ](?:years?|yrs?|months?)[- ]old\b"
    r"|\b(?:is|was) (?:[0-9]|1[0-7])\b(?![.:]\d| ?(?:%|am|pm|stone|kg|miles?|minutes|hours|days|weeks)\b)"
    r"|\b(?-i:[A-Z][a-z]+) \((?:[0-9]|1[0-7])\)|\b(?-i:[A-Z][a-z]+), (?:[0-9]|1[0-7]),",
    _I,
)
# When something is noticed, sentences this share of the amber threshold likely also count as part of the
# concern for what prompts may reuse (recall first: an injury's explanation is never a hobby).
CONTEXT_SHARE = 0.6
# Cosine to the reassurance bank (corpus/safety/indicators-reassurance.yaml) at which a sentence says a sign
# was checked and explained.
REASSURED = 0.7
# Types whose concern is a child's, whichever recogniser found them.
_CHILD_TYPES = frozenset(("harm to a child", "child-physical", "child-emotional", "child-sexual", "child-neglect",
                          "cse", "criminal-exploitation", "fgm"))
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "‑": "-"})


def detect(text: str, settings: Settings | None = None, meaning: Matcher | None = None) -> Safeguarding:
    """Look for signs of abuse, neglect or risk in a situation; flag them with a reminder.

    Two recognisers, combined for recall: the signal table (listed phrases: a hit is a strong, red signal)
    and the indicator bank matched by meaning (each sentence and clause: red above the calibrated red
    threshold, amber above the amber one). Every cue found is listed with its words.
    """
    if not isinstance(text, str):
        raise InputError("The situation must be text; describe it in words and try again.")
    settings = settings or get_settings()
    clean = text.translate(_TRANSLATE)  # same length: offsets stay valid
    sentences = sentence_spans(clean)
    child = bool(_CHILD_CONTEXT.search(clean))
    cues = _table_cues(clean, sentences, child)
    if meaning is None and settings.safeguarding_meaning:
        meaning = matcher(settings)
    scored = meaning.score(clean) if meaning is not None else []
    if scored:
        cues = _agreement(cues, scored)
        if all(c.strength == "amber" for c in cues) and scored[0].probability < calibration().amber * CONTEXT_SHARE:
            cues = []  # listed words in a note the matcher reads as ordinary throughout: a look-alike
    cues += _meaning_cues(scored, meaning, cues)
    if cues and _explained(cues, scored):
        cues = []
    if not cues:
        return Safeguarding(flag=False, level="", reasons=[], guidance="")
    cues.sort(key=lambda c: (c.strength != "red", c.start))
    level = "red" if any(c.strength == "red" for c in cues) else "amber"
    child = child or any(c.type in _CHILD_TYPES for c in cues)
    reasons = [f"{c.label}: '{c.words}'" for c in cues]
    found = {c.label for c in cues}
    guidance = _guidance(found, child) if level == "red" else _amber_guidance(child)
    sg = Safeguarding(flag=True, level=level, reasons=reasons, guidance=guidance, cues=cues)
    context = calibration().amber * CONTEXT_SHARE
    # What prompts must not reuse is read generously: a short clause's discount (which keeps it from raising
    # an alarm alone) does not apply here.
    sg._context = [(s, e) for s, e in sentences if any(m.unweighted >= context and s <= m.unit.start < e
                                                        for m in scored)]
    return sg


def _table_cues(text: str, sentences: list[tuple[int, int]], child: bool) -> list[SafeguardingCue]:
    """Every type of the signal table with an un-negated cue, the first cue of each sentence it is in."""
    out: list[SafeguardingCue] = []
    where: dict[str, tuple[int, int]] = {}
    for signal in SIGNALS:
        if signal.needs_child and not child:
            continue
        for s, e, m in _hits(text, sentences, signal):
            out.append(SafeguardingCue(type=signal.name, label=signal.label, words=_tidy(m), start=s, end=e,
                                       source="signal table", strength="red"))
            where.setdefault(signal.name, (s, e))
    if child and "harm to a child" not in where:
        for name in CHILD_HARM_TYPES:  # abuse described in a sentence about a child is also harm to a child
            if name in where and _CHILD_CONTEXT.search(text[slice(*where[name])]):
                first = next(c for c in out if c.type == name)
                out.append(first.model_copy(update={"type": "harm to a child", "label": "harm to a child"}))
                break
    return out


def _explained(cues: list[SafeguardingCue], scored: list) -> bool:
    """Only weak meaning matches, and the note says in so many words that the sign was checked and explained
    (a sentence this close to the reassurance bank: "the bruising is from her warfarin and the nurse has
    checked it"): no amber note. A listed phrase or a red match is never explained away."""
    if any(c.source != "meaning" or c.strength == "red" for c in cues):
        return False
    return max((m.reassured for m in scored), default=0.0) >= REASSURED


def _agreement(table: list[SafeguardingCue], scored: list) -> list[SafeguardingCue]:
    """A listed phrase whose sentence the meaning matcher finds unworrying gives the amber note, not the red
    banner: marks from a diagnosed skin condition or a witnessed rugby tackle match the table's words, and a
    reminder still shows (recall first), but the red banner is kept for signs both recognisers agree on."""
    bar = calibration().amber * CONTEXT_SHARE
    out = []
    for c in table:
        agree = any(m.probability >= bar for m in scored if c.start <= m.unit.start < c.end)
        out.append(c if agree else c.model_copy(update={"strength": "amber"}))
    return out


def _meaning_cues(scored: list, meaning: Matcher | None, table: list[SafeguardingCue]) -> list[SafeguardingCue]:
    """Sentences and clauses close in meaning to the indicator bank, one cue per stretch of text."""
    if not scored:
        return []
    cal = calibration()
    out: list[SafeguardingCue] = []
    taken = [(c.start, c.end) for c in table]
    # Once something is noticed, weaker matches are listed too ("also noticed"): every cue, not the first.
    floor = cal.amber * CONTEXT_SHARE if table or (scored[0].probability >= cal.amber) else cal.amber
    for m in scored:
        if m.probability < floor:
            break
        u = m.unit
        if any(u.start < b and a < u.end for a, b in taken):
            continue  # a clause of a sentence already listed (or the sentence of a listed clause)
        taken.append((u.start, u.end))
        label = meaning.bank.labels.get(m.type, m.type)
        label = label if label.lower().startswith("possible") else "Possible " + label[:1].lower() + label[1:]
        out.append(SafeguardingCue(type=m.type, label=label, words=_tidy(u.text), start=u.start, end=u.end,
                                   source="meaning", strength="red" if m.probability >= cal.red else "amber"))
    return out


def _hits(text: str, sentences: list[tuple[int, int]], signal: SignalType) -> list[tuple[int, int, str]]:
    """(sentence start, sentence end, phrase) for the earliest un-negated cue of this type in each sentence."""
    out = []
    for start, end in sentences:
        sentence = text[start:end]
        training = bool(_TRAINING.search(sentence))
        best: re.Match[str] | None = None
        for cue in signal.cues + (() if training else signal.terms):
            if (cue.unless is not None and cue.unless.search(sentence)) or (
                    cue.requires is not None and not cue.requires.search(sentence)):
                continue
            for m in cue.pattern.finditer(sentence):
                if not _negated(sentence, m.start()):
                    if best is None or m.start() < best.start():
                        best = m
                    break
        if best is not None:
            out.append((start, end, best.group(0)))
    return out


def _negated(sentence: str, cue_start: int) -> bool:
    """True when a negation word sits in the same clause, a few words before the cue."""
    before = sentence[:cue_start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    window = " ".join(clause.split()[-_NEG_WINDOW_WORDS:])
    return bool(_NEGATION.search(window))


def _tidy(phrase: str) -> str:
    phrase = " ".join(phrase.split()).strip(" ,;:-")
    return phrase if len(phrase) <= 80 else phrase[:77].rstrip() + "…"


def _amber_guidance(child: bool) -> str:
    who = "child-protection procedures" if child else "your local safeguarding procedures"
    return ("Pause and consider: something in this situation may point to a safeguarding concern (listed below). "
            "Check what you noticed with the person, on their own if you can, and talk it through with your "
            f"manager or safeguarding lead; follow {who} if the concern stands. "
            "A strengths-based conversation never replaces safeguarding duties. If anyone is in immediate danger, "
            "call 999.")


def _guidance(found: set[str], child: bool) -> str:
    parts = [
        "Pause the strengths-based conversation plan: what you describe may be a safeguarding concern. "
        "A strengths-based approach never replaces safeguarding duties. For an adult with care and support "
        "needs who may be experiencing, or at risk of, abuse or neglect, the local authority's duty to make "
        "enquiries under section 42 of the Care Act 2014 still applies.",
    ]
    if child:
        parts.append(
            "Because a child may be involved, follow child-protection procedures: your local safeguarding "
            "children partnership procedures and, where a child may be suffering or likely to suffer significant "
            "harm, enquiries under section 47 of the Children Act 1989. Refer to children's social care; do not "
            "investigate yourself, and write down what the child said in their own words."
        )
    if any("suicid" in f.lower() for f in found):
        parts.append(
            "Take any talk of suicide or self-harm seriously: ask about it directly and calmly, do not leave "
            "someone alone if they are at immediate risk, and get urgent help (999, the local mental-health "
            "crisis line or NHS 111, or their GP)."
        )
    parts.append(
        "Follow your local safeguarding procedures and talk to your manager or safeguarding lead today. "
        "If anyone is in immediate danger, call 999."
    )
    parts.append(
        "Making Safeguarding Personal: keep the person at the centre, ask what they want to happen and which "
        "outcomes matter to them, and involve them in every decision as far as they are able."
    )
    return " ".join(parts)


_FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "adults": (
        "What would you like to happen next?",
        "Who do you trust and feel comfortable talking to about this?",
        "What helps you feel safe, and what makes you feel less safe?",
        "How would you like to be involved in decisions about what happens now?",
        "What would a good outcome look like for you?",
        "When things have been hard before, what or who helped you get through?",
    ),
    "carers": (
        "What would you like to happen next, for you and for the person you care for?",
        "Who do you trust to talk to when things feel difficult at home?",
        "What would help you both feel safe and supported?",
        "How would you like to be involved in any decisions from here?",
        "What support would make the biggest difference to you right now?",
    ),
    "children-families": (
        "What would you like to happen next?",
        "Which grown-ups do you trust and feel able to talk to?",
        "What helps you feel safe at home, at school and with friends?",
        "How would you like us to keep you up to date with what happens?",
        "What are the good things in your life that you want to keep?",
    ),
    "community": (
        "What would you like to happen next?",
        "Who in your community do you trust to talk to?",
        "What helps you feel safe where you live?",
        "How would you like to be involved in what happens from here?",
        "What would a good outcome look like for you?",
    ),
}


def safe_followups(setting: str = "adults") -> list[str]:
    """Person-led, outcome-focused open questions to use once a concern has been flagged."""
    key = (setting or "adults").strip().lower()
    if key not in _FOLLOWUPS:
        raise InputError(f"Unknown setting '{setting}': choose one of {', '.join(SETTINGS)}.")
    return list(_FOLLOWUPS[key])
