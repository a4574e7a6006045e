"""Deficit language in case notes: find it, explain it, suggest strengths-based wording.

The lexicon is a plain table so a practitioner or trainer can read and extend it.
Suggestions are prompts to rethink a sentence, not automatic corrections: the
reframed text replaces each phrase with its first alternative, which reads well
in most sentences but is always worth a second look.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from pydantic import BaseModel, Field

from .errors import InputError

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


# Why each phrase matters, in a line. Shared where several rows make the same point.
_LABEL = "Labels the person by a condition or a service rather than describing who they are."
_BLAME = "Puts the difficulty on the person's character; describe what happened and what might help."
_SITUATION = "Describes the person, not the situation; say what happened and what triggered it."
_SUFFER = "Assumes the condition defines the person's life as suffering."
_COMPLY = "Implies disobedience; ask what the plan asks of the person and why it does not fit them."
_REFUSE = "'Refused' frames a choice as defiance; 'declined' respects the person's decision."
_RISK = "Places the risk in the person; say what the risk is and where it comes from."
_COPE = "Sounds like a final judgement; say what is hard and what support would help."
_DISCHARGE = "Blames the person for a delay caused by the system."
_WHEELCHAIR = "A wheelchair gives freedom of movement; it does not bind or confine anyone."
_FUNCTIONING = "Functioning labels hide both strengths and needs; describe what the person finds easy and hard."
_FAMILY = "A sweeping judgement on a family; describe what is hard and what works."
_INSIGHT = "Dismisses the person's own understanding; record their view in their words."
_PLACEMENT = "Suggests the child or young person broke something; say what happened and what was learned."
_CAUTION = "Frames caution as opposition; find out what worries the person."
_AGE = "Groups people by age as if they were all alike."
_OUTDATED = "Outdated and offensive."
_CASE = "Reduces a person to a case."
_EATING = "Feeding is for infants and animals; adults are supported to eat."
_TOILET = "Turns a private activity into a task done to the person."
_WALKING = "Suggests aimlessness; walking usually has a purpose worth understanding."

# Alternatives may use {0}, {1}… for the pattern's groups (e.g. the condition in "stroke sufferer").
_CONDITION = (r"(dementia|stroke|cancer|asthma|arthritis|MS|Parkinson's|epilepsy|autism|depression|anxiety"
              r"|COPD|diabetes|Alzheimer's)")
# "a diabetic" the noun, not "a diabetic clinic": only when the phrase ends a clause.
_NOUN_END = r"(?=\s*(?:[.,;:!?)]|$|\s(?:and|but|who|so|with|since|for)\b))"
_INTENSIFIERS = ("very", "quite", "so", "too", "really", "extremely", "being", "is", "was", "are", "were")
_NOT_ATTITUDE = r"(?! to (?:antibiotics|treatment|medication|insulin|infection|water|fire)\b)"

LEXICON: tuple[Entry, ...] = (
    _e(r"\bthe service[- ]user\b", "the person", _LABEL),
    _e(r"\bservice[- ]users\b", ("people who use services", "the people we support"), _LABEL),
    _e(r"\bservice[- ]user\b", ("person who uses services", "person"), _LABEL),
    _e(r"\bnon-?\s?compliant\b", ("not following the plan", "choosing a different approach"), _COMPLY),
    _e(r"\bnon-?\s?compliance\b", ("not following the plan", "a different choice"), _COMPLY),
    _e(r"\bchallenging behaviou?rs?\b", ("behaviour that challenges us", "distress"),
       "Locates the problem in the person; behaviour usually communicates a need."),
    _e(r"\bsuffers (?:from|with)\b", "lives with", _SUFFER),
    _e(r"\bsuffering (?:from|with)\b", "living with", _SUFFER),
    _e(r"\bsuffered (?:from|with)\b", "lived with", _SUFFER),
    _e(r"\bsuffer (?:from|with)\b", "live with", _SUFFER),
    _e(rf"\b{_CONDITION} sufferers\b", "people living with {0}", _LABEL),
    _e(rf"\b{_CONDITION} sufferer\b", "person living with {0}", _LABEL),
    _e(r"\bstroke victims?\b", "stroke survivor", "'Victim' casts the person as passive; many prefer 'survivor'."),
    _e(r"\b(?:failed|fails|failing|fail) to engage\b",
       ("has not yet connected", "we have not yet found a way to work together"),
       _BLAME + " Engagement is the service's job too."),
    _e(r"\b(?:failed|fails|failing|fail) to (?:attend|turn up|show up)\b", "did not attend",
       "'Failed' implies blame; record what happened and ask what got in the way."),
    _e(r"\b(?:refused|refuses|refusing|refuse) to engage\b", ("chose not to take part", "declined the offer"),
       _BLAME + " Declining is a choice the person is entitled to make."),
    _e(r"\brefused\b", "declined", _REFUSE),
    _e(r"\brefuses\b", "declines", _REFUSE),
    _e(r"\brefusing\b", "declining", _REFUSE),
    _e(r"\b(?:carer|caregiver|caring) burden\b", "caring responsibilities",
       "Casts the person being cared for as a weight rather than a relationship."),
    _e(r"\ba burden (?:on|to)\b", ("reliant on", "supported by"),
       "Casts the person as a weight on others rather than someone with support needs."),
    _e(r"\b(is|was|are|were|feels|felt|feel|being) (?:like )?a burden\b(?! (?:on|to)\b)",
       ("{0} reliant on support", "{0} in need of more support"),
       "Casts the person as a weight on others rather than someone with support needs."),
    _e(r"\bburden(?:some)?\b(?! of (?:proof|evidence))", "pressure", "Casts a person or a relationship as a weight."),
    _e(r"\bvulnerable adults\b", "adults at risk", _RISK + " The Care Act speaks of adults at risk."),
    _e(r"\bvulnerable adult\b", "adult at risk", _RISK + " The Care Act speaks of adults at risk."),
    _e(r"\bvulnerable to\b", "at risk of", _RISK),
    _e(r"\bvulnerable\b(?! groups act\b)", ("at risk", "who may need support"), _RISK),
    _e(r"\b(?:can't|cannot|can not|unable to) cope\b", ("could use more support right now", "is finding things hard"),
       _COPE),
    _e(r"\bnot coping\b", ("finding things hard", "needing more support"), _COPE),
    _e(r"\bbed[- ]?blockers?\b", ("person waiting to leave hospital", "person whose discharge is delayed"),
       _DISCHARGE),
    _e(r"\bbed[- ]?blocking\b", "delayed discharge", _DISCHARGE),
    _e(r"\bwheelchair[- ]bound\b", ("a wheelchair user", "uses a wheelchair"), _WHEELCHAIR),
    _e(r"\bconfined to (?:a|his|her|their) wheelchairs?\b", ("using a wheelchair", "a wheelchair user"), _WHEELCHAIR),
    _e(r"\b(?:high|low)[- ]functioning (autism|autistic|asperger'?s)\b", "{0}", _FUNCTIONING),
    _e(r"\b(?:high|low)[- ]functioning\b", ("independent in some areas", "with specific strengths and support needs"),
       _FUNCTIONING),
    _e(r"\bdifficult famil(?:y|ies)\b", ("family under pressure", "family we have not yet found a way to work with"),
       "Blames the family for a relationship the service is part of."),
    _e(r"\bdysfunctional famil(?:y|ies)\b", "family under strain", _FAMILY),
    _e(r"\bproblem famil(?:y|ies)\b", "family facing several challenges", _FAMILY),
    _e(r"\bhard[- ]to[- ]reach\b", ("seldom heard", "not yet well served"),
       "Often it is the service that is hard to reach; name the barrier."),
    _e(r"\bmanipulative\b", ("trying to get their needs met", "persistent in asking for help"),
       "Attributes bad intent; consider what need the behaviour is meeting."),
    _e(r"\battention[- ]seeking\b", ("connection-seeking", "seeking reassurance"),
       "Dismisses a need for contact or help as illegitimate."),
    _e(r"\black(?:s|ed)? insight into\b", "has a different view of", _INSIGHT),
    _e(r"\black(?:s|ed)? insight\b", "has a different view", _INSIGHT),
    _e(r"\black of insight\b", "a different view", _INSIGHT),
    _e(r"\bplacement breakdowns?\b", ("placement ending", "move that did not work out"), _PLACEMENT),
    _e(r"\bplacement broke down\b", "placement ended", _PLACEMENT),
    _e(r"\bfrequent (?:flyers?|fliers?|attenders?)\b", ("person who often needs our help", "regular visitor"),
       "Trivialises repeated need; ask what keeps bringing the person back."),
    _e(r"(?<![-\w])resistant" + _NOT_ATTITUDE + r" to\b", "cautious about", _CAUTION),
    _e(r"(?<![-\w])resistant\b" + _NOT_ATTITUDE, "cautious", _CAUTION),
    _e(r"\bunmotivated\b", ("not yet motivated by the current plan", "still looking for a goal that matters"),
       "Motivation follows goals that matter to the person; the plan may not reflect theirs."),
    _e(r"\bthe elderly\b", "older people", _AGE),
    _e(r"\belderly\b", "older", _AGE),
    _e(r"\bmentally handicapped\b", "with a learning disability", _OUTDATED),
    _e(r"\bhandicapp?ed\b", "disabled", _OUTDATED),
    _e(r"\bhandicaps?\b", "disability", _OUTDATED),
    _e(r"\bthe mentally ill\b", "people with mental health conditions", _LABEL),
    _e(r"\bmentally ill\b", "living with a mental health condition", _LABEL),
    _e(r"\bdemented\b", "living with dementia", "Stigmatising; dementia is something a person lives with."),
    _e(r"\bsenile\b", "living with dementia", "Stigmatising and vague; name the condition or the need."),
    _e(r"\ba diabetic\b" + _NOUN_END, "a person with diabetes", _LABEL),
    _e(r"\bdiabetics\b", "people with diabetes", _LABEL),
    _e(r"\ban epileptic\b" + _NOUN_END, "a person with epilepsy", _LABEL),
    _e(r"\bepileptics\b", "people with epilepsy", _LABEL),
    _e(r"\bepileptic fits?\b", "seizure", "Dated wording; 'seizure' is clearer."),
    _e(r"\ba schizophrenic\b", "a person living with schizophrenia", _LABEL),
    _e(r"\ban alcoholic\b" + _NOUN_END, "a person who is dependent on alcohol", _LABEL),
    _e(r"\ba drug addict\b|\ban addict\b|\ba junkie\b", "a person who uses drugs", _LABEL),
    _e(r"\b(?:drug )?addicts\b|\bjunkies\b", "people who use drugs", _LABEL),
    _e(r"\bthe disabled\b(?! (?:toilet|parking|badge|bay|facilities|access|entrance|room|space|person)s?\b)",
       "disabled people", _LABEL),
    _e(r"\bspecial needs\b", "additional needs", "Vague and othering; say what support the person needs."),
    _e(r"\b(?:complex|difficult|hopeless|heavy|tricky|problem|nightmare) cases?\b",
       ("person with complex needs", "situation with many parts"), _CASE + " The difficulty is not the person."),
    _e(r"\b(?:is|was|as) an? case\b", "is a person we support", _CASE),
    _e(r"\bmy cases\b", "the people I work with", _CASE),
    _e(r"\bour cases\b", "the people we work with", _CASE),
    _e(r"(?<![-\w])(?<!bottle )(?<!breast )(?<!tube )(?<!peg )feeding (him|her|them)\b", "supporting {0} to eat",
       _EATING),
    _e(r"(?<![-\w])feeds (him|her|them)\b", "supports {0} to eat", _EATING),
    _e(r"(?<![-\w])feed (him|her|them)\b", "support {0} to eat", _EATING),
    _e(r"\bneeds feeding\b", "needs support to eat", _EATING),
    _e(r"\b(help|assistance|support) with feeding\b", "{0} with eating", _EATING),
    _e(r"\btoileting\b", "using the toilet", _TOILET),
    _e(r"\btoileted\b", "supported to use the toilet", _TOILET),
    _e(r"\bwander(?:s|ing|ed)\b", ("walking about", "looking for something"), _WALKING),
    _e(r"\bwanderers?\b", "person who walks about", _WALKING),
    _e(r"\baggressive\b(?! (?:treatment|cancer|tumour|chemotherapy|therapy)\b)", ("distressed", "angry"), _SITUATION),
    _e(r"\baggression\b", ("distress", "anger"), _SITUATION),
    _e(r"\bkick(?:ed|s|ing)? off\b(?! (?:at|with|the|a|our|in|on|next)\b)", "became distressed",
       "Dismissive slang; say what happened and what triggered it."),
    # Only "is (very) demanding" of a person: "a demanding job" is fine and "a demanding patient" has no neat swap.
    _e(r"(?:" + "|".join(f"(?<=\\b{w} )" for w in _INTENSIFIERS) + r")demanding\b"
       r"(?! (?:job|role|work|time|week|schedule|shift|task|routine)s?\b)(?!\s*[a-z])",
       ("clear about their needs", "persistent"), "Judges the person for asking; the requests may be reasonable."),
    _e(r"\bin denial\b", ("not ready to talk about it yet", "still coming to terms with it"),
       "Dismisses the person's view; people come to terms with change at their own pace."),
    _e(r"\bpoor historian\b", "finds it hard to recall details", "Blames the person for gaps in what we asked."),
    _e(r"\bnon-?verbal\b(?! (?:communication|cues?|signals?|signs?|language)\b)",
       ("non-speaking", "communicates without speech"),
       "Says what the person cannot do; describe how they do communicate."),
    _e(r"\bnormal (people|children|kids|adults)\b", "other {0}", "Implies the person is abnormal."),
    _e(r"\bbroken homes?\b", "separated family", "Judges a family's shape rather than describing it."),
    _e(r"\bproblem child\b", "child who needs more support", "Locates the problem in the child."),
    _e(r"\btroubled (teen(?:ager)?s?|youths?|young people|famil(?:y|ies))\b", "{0} having a hard time",
       "Labels people by their difficulties."),
    _e(r"\bun-?co-?operative\b", ("finding it hard to agree with the plan", "not yet on board"),
       "Blames the person for a plan that may not fit them; ask what they want."),
    _e(r"\bdisengaged\b", ("not currently in touch", "taking a break from services"),
       "Puts the gap on the person; services can re-open the door."),
    _e(r"\bhostile\b(?! environment\b)", ("wary", "angry"),
       "Describes the person, not the situation; fear or past experience often explains it."),
    _e(r"\bchaotic (?:lifestyle|life|family|home)\b", "life with a lot going on",
       "A sweeping judgement; describe what is happening and what helps."),
    _e(r"\bdementia patients?\b", "person living with dementia", _LABEL),
    _e(r"\bthe homeless\b", "people experiencing homelessness", _LABEL),
    _e(r"\bhomeless (?:person|man|woman)\b", "person experiencing homelessness", _LABEL),
    _e(r"\billegal (?:immigrants?|migrants?)\b", "person without settled immigration status",
       "No person is illegal; describe the status."),
    _e(r"\bsectioned\b", "detained under the Mental Health Act", "Slang that hides which legal power was used."),
    _e(r"\bsink estates?\b", "estate with fewer resources", "Stigmatises a whole community."),
    _e(r"\black(?:s|ed)? capacity\b(?! (?:to|for|about|in relation|regarding|around|with regard|in respect)\b)",
       "lacks capacity to make this decision",
       "Capacity is decision-specific under the Mental Capacity Act 2005; name the decision."),
)


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
    from .settings import get_settings  # only here: find_deficits stays free of settings

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
