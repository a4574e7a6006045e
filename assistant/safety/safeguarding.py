"""Safeguarding signals in a described situation, and the reminder that goes with them.

The check is a table of plain regular expressions, one row per type of abuse or
risk, so anyone can read exactly what raises a flag. It leans towards precision
on ordinary needs (falls, loneliness, a tired carer) and never replaces
professional judgement: a flag means "pause and follow your procedures".
"""

from __future__ import annotations

import re

from assistant.errors import InputError
from assistant.safety.signals import (
    CHILD_HARM_TYPES,
    SAFEGUARDING_TYPES,
    SIGNALS,
    Cue,
    SignalType,
)
from assistant.textutil import sentence_spans
from assistant.types import SETTINGS, Safeguarding

__all__ = ["SAFEGUARDING_TYPES", "Cue", "SignalType", "detect", "safe_followups"]

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
_TRANSLATE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ", "‑": "-"})


def detect(text: str) -> Safeguarding:
    """Look for signs of abuse, neglect or risk in a situation; flag them with a reminder."""
    if not isinstance(text, str):
        raise InputError("The situation must be text; describe it in words and try again.")
    clean = text.translate(_TRANSLATE)  # same length: offsets stay valid
    sentences = sentence_spans(clean)
    child = bool(_CHILD_CONTEXT.search(clean))
    found: dict[str, str] = {}
    where: dict[str, str] = {}
    for signal in SIGNALS:
        if signal.needs_child and not child:
            continue
        phrase, sentence = _first_hit(clean, sentences, signal)
        if phrase:
            found[signal.name], where[signal.name] = phrase, sentence
    if child and "harm to a child" not in found:
        found.update(_child_from_abuse(found, where))
    if not found:
        return Safeguarding(flag=False, reasons=[], guidance="")
    reasons = [f"{s.label}: '{found[s.name]}'" for s in SIGNALS if s.name in found]
    return Safeguarding(flag=True, reasons=reasons, guidance=_guidance(found, child))


def _child_from_abuse(found: dict[str, str], where: dict[str, str]) -> dict[str, str]:
    """Abuse or neglect described in a sentence about a child is also a child-protection signal."""
    for name in CHILD_HARM_TYPES:
        if name in found and _CHILD_CONTEXT.search(where[name]):
            return {"harm to a child": found[name]}
    return {}


def _first_hit(text: str, sentences: list[tuple[int, int]], signal: SignalType) -> tuple[str, str]:
    """The earliest un-negated cue of this type: (phrase, its sentence), or ("", "")."""
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
            return _tidy(best.group(0)), sentence
    return "", ""


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


def _guidance(found: dict[str, str], child: bool) -> str:
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
    if "suicidal thoughts or self-harm" in found:
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
