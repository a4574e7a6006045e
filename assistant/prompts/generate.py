"""Strengths-focused conversation prompts: deterministic selection from the cited library, personalised.

No model is needed: prompts come from corpus/prompts/library.yaml (prompt_library.py), are
chosen by setting, stage, theme diversity and word overlap with the situation, and are
personalised by filling templates with details picked out of the situation (details.py).
An optional chat model may propose extra prompts; only those passing the open-question,
deficit-language and citation checks are shown (prompt_llm.py).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from assistant.errors import InputError
from assistant.prompts.details import (
    DEATH,
    NAME_WITH_AGE,
    ONGOING_CARE,
    TITLED_NAME,
    Detail,
    by_kind,
    extract_details,
    find_details,
)
from assistant.prompts.library import (
    APPROACHES,
    MAX_N,
    MIN_N,
    QUESTION_TYPES,
    STAGES,
    THEMES,
    LibraryError,
    LibraryPrompt,
    accept_extra,
    guidance_docs,
    load_library,
    safeguarding_citations,
)
from assistant.safety.indicators import given_names
from assistant.safety.safeguarding import detect, safe_followups
from assistant.settings import get_settings
from assistant.textutil import sentence_spans, tokens
from assistant.types import SETTINGS, Prompt, PromptSet, Safeguarding

__all__ = ["APPROACHES", "QUESTION_TYPES", "STAGES", "THEMES", "LibraryError", "LibraryPrompt", "accept_extra",
           "extract_details", "generate", "load_library", "safeguarding_citations", "to_markdown"]

# ------------------------------------------------------------------ personalisation

_SLOT_KIND = {"interest": "interests", "person": "people", "helper": "people", "cared": "people",
              "place": "places", "group": "places", "goal": "goals"}
_SLOT_TAG = {"helper": "helper", "cared": "cared", "place": "place", "group": "group"}


def _fill(p: LibraryPrompt, details: list[Detail], uses: Counter, max_uses: int = 2) -> tuple[str, Detail] | None:
    """The prompt's template filled with its least-used fitting detail, if it passes the checks."""
    if not p.template:
        return None
    tag = _SLOT_TAG.get(p.slot)
    fits = [d for d in details if d.kind == _SLOT_KIND[p.slot] and (tag is None or d.tag == tag)]
    # A note's heading ("Young carers group: …") names where it was written, not what the person chose: its
    # details come after the person's own.
    fits = sorted((d for d in fits if uses[d.text.lower()] < max_uses),
                  key=lambda d: (uses[d.text.lower()], d.heading, d.start))
    for d in fits:
        text = p.template.replace("{" + p.slot + "}", d.say or d.text).replace("{activity}", d.phrase or "that")
        text = text[0].upper() + text[1:]
        if accept_extra(text):
            return text, d
    return None


# ------------------------------------------------------------------ selection

def _validate(situation: Any, setting: Any, stage: Any, n: Any) -> tuple[str, str, str | None, int]:
    if not isinstance(situation, str) or not situation.strip():
        raise InputError("The situation is empty: describe the person or community in a sentence or two.")
    limit = get_settings().max_text_chars
    if len(situation) > limit:
        raise InputError(f"The situation is {len(situation):,} characters; the limit is {limit:,}. "
                         "Shorten it to the key points (or raise ASSISTANT_MAX_TEXT_CHARS).")
    setting = str(setting or "adults").strip().lower()
    if setting not in SETTINGS:
        raise InputError(f"Unknown setting '{setting}': choose one of {', '.join(SETTINGS)}.")
    stage = str(stage).strip().lower() if stage not in (None, "") else None
    if stage is not None and stage not in STAGES:
        raise InputError(f"Unknown stage '{stage}': choose one of {', '.join(STAGES)}, or leave it out for a full arc.")
    try:
        n = int(10 if n is None else n)
    except (TypeError, ValueError):
        raise InputError(f"n must be a whole number between {MIN_N} and {MAX_N}, not {n!r}.") from None
    return " ".join(situation.split()), setting, stage, min(MAX_N, max(MIN_N, n))


def _quotas(n: int, stage: str | None) -> dict[str, int]:
    """How many prompts each stage gets: a full arc, or mostly one stage with a bridge either side."""
    if stage is None:
        review = 1 if n < 10 else 2
        plan = 2 if n < 11 else 3
        return {"opening": 2, "exploring": n - 2 - plan - review, "planning": plan, "reviewing": review}
    bridge = {"opening": ("exploring", "planning"), "exploring": ("opening", "planning"),
              "planning": ("opening", "reviewing"), "reviewing": ("opening", "planning")}[stage]
    q = {s: 0 for s in STAGES}
    q[stage] = n - 2
    for s in bridge:
        q[s] += 1
    return q


def _score(p: LibraryPrompt, ctx: dict, state: dict, chosen: list[Prompt]) -> tuple[float, str | None, Detail | None]:
    s = 0.6 if p.settings == (ctx["setting"],) and ctx["setting"] != "adults" else 0.0  # written for this setting
    s += 0.5 * min(3, len(ctx["words"] & _prompt_tokens(p.text, p.keywords)))
    s -= 2.5 * state["themes"][p.theme] + 0.4 * state["qtypes"][p.question_type]
    if ctx["flag"] and p.theme in ("existing-safety", "choice-control", "relationships-networks"):
        s += 0.8
    elif p.theme == "existing-safety" and ctx["setting"] != "children-families":
        # Safety questions belong in the sets that need them; elsewhere they imply a worry nobody raised.
        s -= 0.6 if ctx["setting"] == "community" else 3.0
    if ctx["setting"] == "carers" and p.theme == "carer-wellbeing":
        s += 0.8
    if not ctx["flag"] and p.probing:
        s -= 0.6  # worries have their place, but a strengths set should not lead with them
    filled = _fill(p, ctx["details"], ctx["uses"], ctx["max_uses"])
    if filled is None or _too_close(filled[0], chosen):
        return s, None, None
    fresh = ctx["uses"][filled[1].text.lower()] == 0
    s += (3.0 if fresh else 1.0) if state["personalised"] < 3 else (0.6 if fresh else 0.0)
    return s, filled[0], filled[1]


_AGE = r"(?:[0-9]|1[0-7])"
_YOUNG = re.compile(rf"\b(?:young person|teenager|teen|pupil|care leaver|leaving care|young carer|in year \d+"
                    rf"|aged? {_AGE}|{_AGE}[- ]years?[- ]old)\b|(?-i:\b[A-Z][a-z]+,? (?:is )?{_AGE}\b)(?![.:]\d)", re.I)
# "Her parents support her" is a note about a young person, not a conversation with a parent.
_PARENT = re.compile(r"(?<!\bher )(?<!\bhis )(?<!\btheir )(?<!['’]s )\b(?:parent|parents|mum of|dad of|mother of|father of|single (?:mum|dad|parent)"
                     r"|(?:her|his|their) (?:children|kids|baby|babies|toddler|twins|newborn))\b"
                     r"(?! (?:brother|sister|cousin))", re.I)


def _audience(situation: str) -> str:
    """Who a children-and-families conversation is with: a parent, a young person, or unclear ('')."""
    if _PARENT.search(situation):  # "a single mum to Jack, 4" is a conversation with the mum
        return "parent"
    return "young-person" if _YOUNG.search(situation) else ""


@functools.lru_cache(maxsize=1024)
def _prompt_tokens(text: str, keywords: tuple[str, ...]) -> frozenset[str]:
    return frozenset(tokens(text + " " + " ".join(keywords)))


def _too_close(text: str, chosen: list[Prompt]) -> bool:
    a = set(tokens(text))
    for c in chosen:
        b = set(tokens(c.text))
        if a and b and len(a & b) / len(a | b) >= 0.6:
            return True
    return False


def _select(pool: list[LibraryPrompt], quotas: dict[str, int], ctx: dict, chosen: list[Prompt]) -> list[Prompt]:
    state = {"themes": Counter(c.theme for c in chosen), "qtypes": Counter(c.question_type for c in chosen),
             "personalised": 0}
    carry = 0
    order = list(STAGES) + list(reversed(STAGES))  # a second pass hands unfilled slots back to earlier stages
    for i, stage in enumerate(order):
        want = (quotas[stage] if i < len(STAGES) else 0) + carry
        carry = 0
        for _ in range(want):
            best = None
            taken = {c.prompt_id for c in chosen}
            for p in pool:
                if p.stage != stage or p.prompt_id in taken or _too_close(p.text, chosen):
                    continue
                score, text, detail = _score(p, ctx, state, chosen)
                if best is None or score > best[0]:
                    best = (score, p, text, detail)
            if best is None:
                carry += 1
                continue
            _, p, text, detail = best
            chosen.append(_to_prompt(p, text))
            state["themes"][p.theme] += 1
            state["qtypes"][p.question_type] += 1
            if detail is not None:
                ctx["uses"][detail.text.lower()] += 1
                state["personalised"] += 1
    return chosen


def _ensure_personal(chosen: list[Prompt], pool: list[LibraryPrompt], ctx: dict, minimum: int = 3) -> list[Prompt]:
    """Swap plain prompts for personalised ones of the same stage until `minimum` use the person's details."""
    while sum(c.personalised for c in chosen) < minimum:
        swap = _best_swap(chosen, pool, ctx)
        if swap is None:
            break
        i, p, text, detail = swap
        chosen[i] = _to_prompt(p, text)
        ctx["uses"][detail.text.lower()] += 1
    return chosen


def _best_swap(chosen: list[Prompt], pool: list[LibraryPrompt], ctx: dict):
    taken = {c.prompt_id for c in chosen}
    themes = Counter(c.theme for c in chosen)
    for p in pool:
        if p.prompt_id in taken or not p.template:
            continue
        filled = _fill(p, ctx["details"], ctx["uses"], ctx["max_uses"])
        if filled is None or _too_close(filled[0], chosen):
            continue
        for i in range(len(chosen) - 1, -1, -1):
            c = chosen[i]
            if c.stage != p.stage or c.personalised or c.prompt_id.startswith("safeguarding"):
                continue
            after = themes.copy()
            after[c.theme] -= 1
            after[p.theme] += 1
            if sum(v > 0 for v in after.values()) >= min(4, len(themes)):
                return i, p, filled[0], filled[1]
    return None


def _to_prompt(p: LibraryPrompt, personal_text: str | None) -> Prompt:
    return Prompt(text=personal_text or p.text, theme=p.theme, stage=p.stage, rationale=p.rationale,
                  question_type=p.question_type, approach=p.approach, prompt_id=p.prompt_id,
                  personalised=personal_text is not None, citations=[c.model_copy() for c in p.citations])


_SAFE_KINDS = (  # (cue in the question, theme, question type, rationale)
    ("safe", "existing-safety", "open", "Starts from what already keeps the person safe, in their own words."),
    ("trust", "relationships-networks", "network-mapping",
     "Finds the people the person trusts, so next steps are built around them."),
    ("", "choice-control", "preferred-future",
     "Lets the person lead and say what outcome they want, keeping safeguarding personal."),
)


def _safe_prompts(setting: str, limit: int = 3) -> list[Prompt]:
    """Person-led, outcome-focused questions from the safeguarding module, cited to the guidance."""
    cites = safeguarding_citations()
    out = []
    for text in safe_followups(setting):
        if len(out) >= limit or not accept_extra(text):
            continue
        _, theme, qtype, why = next(k for k in _SAFE_KINDS if k[0] in text.lower())
        out.append(Prompt(text=text, theme=theme, stage="opening", rationale=why, question_type=qtype,
                          approach="making-safeguarding-personal", prompt_id=f"safeguarding-{len(out) + 1}",
                          citations=[c.model_copy() for c in cites]))
    return out


def _ensure_themes(chosen: list[Prompt], pool: list[LibraryPrompt], minimum: int = 4) -> list[Prompt]:
    """Swap repeated-theme prompts for new themes until at least `minimum` themes are covered."""
    for _ in range(minimum):
        themes = Counter(c.theme for c in chosen)
        if len(themes) >= minimum:
            break
        ids = {c.prompt_id for c in chosen}
        for i in range(len(chosen) - 1, -1, -1):
            c = chosen[i]
            if themes[c.theme] < 2 or c.personalised or c.prompt_id.startswith("safeguarding"):
                continue
            new = next((p for p in pool if p.theme not in themes and p.stage == c.stage and p.prompt_id not in ids),
                       None)
            if new is not None:
                chosen[i] = _to_prompt(new, None)
                break
    return chosen


def generate(situation: str, setting: str = "adults", stage: str | None = None, n: int = 10,
             chat_model=None, llm_extra: int = 2) -> PromptSet:
    """8–12 cited, open, strengths-focused prompts for a situation, ordered opening → reviewing.

    With `stage`, n-2 prompts come from that stage and one each from two neighbouring stages,
    so the set still reads as a short conversation. Same input, same output. With a LangChain
    `chat_model`, up to `llm_extra` model-written prompts are added (never past 12) once they
    pass the open-question, deficit-language and citation checks; refusals go to `notices`.
    """
    situation, setting, stage, n = _validate(situation, setting, stage, n)
    sg = detect(situation)
    details = find_details(situation)
    usable = usable_details(details, sg, situation)
    chosen = _safe_prompts(setting) if sg.flag else []
    quotas = _quotas(n, stage)
    extra = len(chosen)
    for s in sorted(STAGES, key=lambda s: (s != "opening", -quotas[s])):
        take = min(extra, quotas[s])
        quotas[s] -= take
        extra -= take
    pool = _pool(situation, setting, sg.flag)
    ctx = {"words": set(tokens(situation)), "details": usable, "flag": sg.flag, "setting": setting,
           "uses": Counter(), "max_uses": 3 if len(usable) == 1 else 2}
    chosen = _ensure_themes(_select(pool, quotas, ctx, chosen), pool)
    if usable:
        chosen = _ensure_personal(chosen, pool, ctx)
    chosen = [c for c in chosen if accept_extra(c.text)]  # belt and braces: nothing unchecked reaches a user
    notices: list[str] = []
    if chat_model is not None:
        chosen, notices = _with_llm(chat_model, situation, chosen, sg.flag, min(llm_extra, MAX_N - len(chosen)),
                                    tuple(d.text.lower() for d in usable))
    rank = {s: i for i, s in enumerate(STAGES)}
    chosen.sort(key=lambda c: rank[c.stage])  # stable: safeguarding questions stay first within opening
    return PromptSet(situation=situation, setting=setting, safeguarding=sg, prompts=chosen,
                     details=by_kind(details), notices=notices)


def usable_details(details: list[Detail], sg: Safeguarding, situation: str) -> list[Detail]:
    """The details prompts may use. When something is noticed, nothing from the words of a concern (an
    injury's explanation, the place a groomer meets the person, a gift) and never a person a concern names,
    wherever else they appear; a red reminder also sets aside every person and goal."""
    if not sg.flag:
        return details
    sentences = sentence_spans(situation)
    spans = [(s, e) for s, e in sentences if any(s < b and a < e for a, b in sg.concern_spans())]
    inside = [d for d in details if any(d.start < b and a < d.end for a, b in spans)]
    named = {w.lower() for d in inside if d.kind == "people" for w in re.findall(r"[A-Za-z]+", d.text)
             if w.lower() not in _OWNER_WORDS}
    out = []
    for d in details:
        if d in inside or (sg.level == "red" and d.kind in ("people", "goals")):
            continue
        if d.kind == "people" and {w.lower() for w in re.findall(r"[A-Za-z]+", d.text)} & named:
            continue
        out.append(d)
    return out


_OWNER_WORDS = frozenset("her his their my our your a an the two three four five".split())


def _pool(situation: str, setting: str, flagged: bool) -> list[LibraryPrompt]:
    """Library prompts fit for this setting and audience (no probing ones when safeguarding is flagged)."""
    audience = _audience(situation) if setting == "children-families" else ""
    # A parent's question put to a nine-year-old (or the reverse) reads badly, so those never enter the pool.
    bereaved = setting == "carers" and bool(DEATH.search(situation))
    # A community worker's note about one person (a welfare check on Mr Novak) is a conversation with that
    # person: the adults' prompts join the community ones, which keep their lead for this setting.
    fits = {setting} | ({"adults"} if setting == "community" and _one_person(situation) else set())
    return [p for p in load_library() if fits & set(p.settings) and not (flagged and p.probing)
            and not (audience and p.audience and p.audience != audience)
            and not (bereaved and ONGOING_CARE.search(p.text + " " + p.template))]  # caring may have ended


_MANY = re.compile(r"\b(?:residents|neighbours|families|people|members|volunteers|groups|community|estate|street"
                   r"|neighbourhood|village|town|ward|parish|area)\b", re.I)


def _one_person(situation: str) -> bool:
    """Whether a community note is about one named person rather than a place or a group."""
    named = TITLED_NAME.search(situation) or NAME_WITH_AGE.search(situation) or any(
        w in given_names() for w in re.findall(r"\b[A-Z][a-z]+\b", situation))
    return bool(named) and len(_MANY.findall(situation)) < 2


def _with_llm(model, situation: str, chosen: list[Prompt], flagged: bool, k: int,
              details: tuple[str, ...]) -> tuple[list[Prompt], list[str]]:
    """Add the chat model's checked proposals; never when safeguarding is flagged (person-led questions lead)."""
    if flagged:
        return chosen, ["Safeguarding concerns were flagged, so no model-written prompts were added."]
    from assistant.prompts.llm_prompts import propose

    extra, notices = propose(model, situation, chosen, k, guidance_docs(), details)
    return chosen + extra, notices


# ------------------------------------------------------------------ rendering

def to_markdown(prompt_set: PromptSet, where=None) -> str:
    """A copy-pasteable Markdown document: the safeguarding reminder first, details, then prompts by stage, with
    no internal tags. `where(citation)` says where a quote is ('SCIE · Section · para 6.64'); default: its section."""
    ps = prompt_set
    where = where or (lambda c: c.section or "")
    lines = [f"# Strengths-focused conversation prompts ({ps.setting})", ""]
    if ps.safeguarding.flag:
        head = ("Pause and consider (safeguarding)." if ps.safeguarding.level == "amber"
                else "Safeguarding — act on this first.")
        lines += [f"> **{head}** " + ps.safeguarding.guidance, ">"]
        lines += [f"> - {r}" for r in ps.safeguarding.reasons] + [""]
    picked = [(k, v) for k, v in ps.details.items() if v]
    if picked:
        lines += ["**Details picked up:** " + "; ".join(f"{k}: {', '.join(v)}" for k, v in picked), ""]
    number = 0
    for stage in STAGES:
        group = [p for p in ps.prompts if p.stage == stage]
        if not group:
            continue
        lines += [f"## {stage.capitalize()}", ""]
        for p in group:
            number += 1
            mine = " (uses a detail from the situation)" if p.personalised else ""
            lines += [f"{number}. **{p.text}**", f"   - Why: {p.rationale}{mine}"]
            lines += [f"   - Guidance: {c.title}{f' ({where(c)})' if where(c) else ''}: “{c.quote}”" for c in p.citations]
        lines.append("")
    if ps.notices:
        lines += ["**Notes:**", *[f"- {n}" for n in ps.notices], ""]
    return "\n".join(lines).rstrip() + "\n"
