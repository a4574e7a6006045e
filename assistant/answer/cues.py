"""What a question asks for: its answer type (a number, a date, an author, a person, a definition), the names
and numbers it must find, the term it asks to define, what a "how do I" question acts on, and sentences that
only point elsewhere."""

from __future__ import annotations

import functools
import re

from pathlib import Path

import yaml

from assistant.errors import InputError
from assistant.search.query import QUESTION_WORDS
from assistant.settings import REPO_DIR
from assistant.textutil import stem, tokens

CASE_DETAILS = REPO_DIR / "corpus" / "answer" / "case_details.yaml"

# Each number word with its figure: "the original ten actions" is answered by "the original 10 actions"
NUMBER_FIGURES = {w: str(n) for n, w in enumerate("zero one two three four five six seven eight nine ten eleven "
                                                  "twelve".split())} | {"twenty": "20", "hundred": "100"}
_NUMBER_WORDS = frozenset(NUMBER_FIGURES) - {"zero"}
_ENTITY = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][A-Za-z]+|[A-Z]{2,}s?)\b|\b(\d+(?:\.\d+)*)\b")
_MONTHS = "january february march april may june july august september october november december"
_HAS_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b|[£%]|\b(?:" + "|".join(_NUMBER_WORDS)
                         + r"|thousand|million|half|dozen|twice|thrice)\b|\bonce (?:a|an|per|each|every)\b", re.I)
_HAS_DATE = re.compile(r"\b(?:1[89]|20)\d\d\b|\b(?:" + _MONTHS.replace(" ", "|") + r")\b"
                       r"|\b(?:last|past|next|over the) (?:\w+ )?(?:years?|months?|decades?)\b", re.I)
_HAS_AGE = re.compile(r"\b(?:aged?|under|over|until|turns?|turning)\s+(?:\d{1,2}|sixteen|eighteen|twenty-five)\b"
                      r"|\b\d{1,2}(?:\s*years? old|-year-olds?|\+)", re.I)
_ROLE = re.compile(r"\b(?:chief|director|executive|manager|officer|head of|lead|colleague|chair|minister|"
                   r"secretary|professor|founder|obe|mbe)\b", re.I)
_AUTHORSHIP = re.compile(r"\b(?:written by|wrote|writes|author|says|said)\b", re.I)
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]+(?:\s+(?:of|for|and)?\s*[A-Z][a-z]+)+")
_DEFINITION = re.compile(r"\b(?:is|are) (?:a|an|the)\b|\bdefined as\b|\brefers? to\b|\binvolves?\b|\bfocus(?:es)? on\b"
                         r"|\bmeans\b|\bsometimes called\b", re.I)
_AUDIENCE = re.compile(r"\b(?:of interest to|aimed at|intended for|written for|designed for|useful (?:for|to)|"
                       r"relevant (?:for|to))\b|\bfor (?:all )?(?:those|anyone|everyone|practitioners|managers|"
                       r"commissioners|staff|leaders)\b", re.I)
_EXAMPLES = re.compile(r"\b(?:can|may|might|could|would|will|often|usually|typically) include\b|\bincludes?\b|"
                       r"\bincluding\b|\bsuch as\b|\bfor (?:example|instance)\b|\be\.g\.", re.I)
# Sentences that point elsewhere ("See also…", "Click…", "Read her blog here") name a source without saying
# what it says: they answer a search for the name, never a question about its content.
_NAVIGATION = re.compile(r"^(?:see also|see |click|read (?:more|her|his|their|our|the)|watch|listen|"
                         r"for (?:more|further) information)|\bhere\W*$", re.I)
# A length of time, in figures or in words: "20 minutes", "at least an hour", "half a year", "a few weeks"; or the
# guidance's own answer that it is no fixed length: "over time", "in the long term", "immediately".
_UNIT = r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|fortnights?|months?|years?|decades?|terms?)"
_HAS_DURATION = re.compile(r"\b(?:\d+(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r"|thirty|forty|fifty|sixty|ninety|a|an|"
                           r"half an?|a half|a few|few|several|a couple of|couple of|many)[\s-]+" + _UNIT + r"\b"
                           r"|\b(?:half|quarter) (?:an?|of an?) " + _UNIT + r"\b|\b(?:overnight|all day)\b"
                           r"|\bover time\b|\bin the (?:long|short|medium) (?:term|run)\b|\b(?:long|short)-term\b"
                           r"|\b(?:immediately|straight away|right away)\b", re.I)
# How often: "every year", "annually", "once a month", "three times a week", "at least yearly".
_HAS_FREQUENCY = re.compile(r"\bevery (?:\w+ )?" + _UNIT + r"\b|\b(?:annually|yearly|monthly|"
                            r"weekly|fortnightly|daily|hourly|quarterly|regularly|periodically)\b"
                            r"|\b(?:once|twice|\w+ times) (?:a|an|per|each|every) \w+", re.I)
# A subject pronoun and what it does ("they doing", "we meant to"): not a term after "what is / are"
# …or what someone named is doing ("what is Bexley doing with its voluntary sector?")
_DOING = (r"(?:(?:they|we|you|he|she|i|it|these|those|people)\s+\w+"
          r"|(?:[\w'’-]+\s+){1,3}(?:doing|saying|planning|trying|going|proposing)\b)")
TYPED_CUES = ("quantity", "age", "date", "duration", "frequency")  # the answer must hold what they ask for
_CUES = (
    ("age", re.compile(r"\bhow old\b|\b(?:what|which) age\b|\bage (?:limit|range)\b", re.I)),
    ("duration", re.compile(r"\bhow long\b(?! ago)|\bfor how long\b|\bwhat length of time\b", re.I)),
    ("frequency", re.compile(r"\bhow often\b|\bhow frequently\b|\bhow regularly\b", re.I)),
    ("quantity", re.compile(r"\bhow (?:much|many)\b|\b(?:what|which) (?:percentage|proportion|amount)\b|\b(?:what|which) (?:is|are|was|were) the [\w\s'-]*?"
                            r"\b(?:rates?|costs?|prices?|fees?|limits?|thresholds?|amounts?|percentages?|numbers?)\b",
                            re.I)),
    ("date", re.compile(r"^when (?:was|were|did)\b|\b(?:what|which) (?:year|date|month)\b|\bhow long ago\b", re.I)),
    ("time", re.compile(r"\brecent(?:ly)?\b|\blately\b|\bthese days\b|\bover time\b|\bnowadays\b", re.I)),
    ("author", re.compile(r"\b(?:who wrote|written by|who is the author|author of)\b", re.I)),
    # "who's the strengths based areas paper aimed at?": its readers, not a person named in it
    ("audience", re.compile(r"\baimed at\b|\bintended for\b|\btarget(?:ed)? (?:audience|at)\b|\bwho (?:is|'s|’s) "
                            r"(?:it|this|that|the [\w\s'’-]{1,40}) (?:for|meant for|written for)\b|\bof interest to\b",
                            re.I)),
    # ("what's he listed as there", "his organisation": who someone is)
    # (a person's job or role: "his role", "her job"; not "the role families play", "its ethical position")
    ("who", re.compile(r"^who\b|\bwhose\b|\bjobs?\b|\b(?:his|her)\s+(?:\w+\s+)?(?:role|position|post)\b"
                       r"|\bwhere does [\w\s]+ work\b|\blisted as\b"
                       r"|\b(?:his|her) (?:organisation|organization|employer|charity|title)\b"
                       r"|\bwhich (?:organisations?|councils?|bodies|body|charit\w*|people)\b", re.I)),
    # "what sort of things count as community assets?": examples, answered by what the guidance says X includes
    ("examples", re.compile(r"\bwhat (?:sorts?|kinds?|types?) of (?:things?|stuff)\b|\bwhat counts? as\b|"
                            r"\bexamples? of\b|\bwhat (?:can|might|could|would|does|do) [\w\s'’-]{1,40} include\b", re.I)),
    # ("what are they doing in Surrey?" asks what someone does: a pronoun and a verb are no term to define)
    ("definition", re.compile(r"^(?:what|who) (?:is|are) (?!" + _DOING + r")(?:a |an |the )?[\w\s'-]{1,40}\??$|"
                              r"\bdefin\w*\b|"
                              r"\bmeaning of\b|\bwhat does [\w\s'-]+ mean\b", re.I)),
)


def question_cue(question: str) -> str:
    """What kind of answer the question wants: age, duration, frequency, quantity, date, time, author, audience,
    who, examples, definition, or ''."""
    q = _LEAD_IN.sub("", question.strip())  # "and who launched it?" asks who, as "who launched it?" does
    return next((name for name, pattern in _CUES if pattern.search(q)), "")


def open_ask(question: str) -> bool:
    """Whether a question of several sentences also asks something no number or date answers: "how much time do
    we get? is there anything about allowing enough time" is answered by what the guidance says about time."""
    parts = [p for p in re.split(r"(?<=[?.!])\s+", question.strip()) if p]
    return len(parts) > 1 and any(_OPEN_ASK.match(_LEAD_IN.sub("", p)) and not question_cue(p) for p in parts)


def asking_clauses(question: str) -> list[str]:
    """The clauses of a question that ask something: "how long have these papers been going - when did the first
    one come out?" asks twice; case notes between them ("TM is pushing us to close them quick") do not ask."""
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(question.strip()) if p and p.strip()]
    return [p for p in parts if _ASKING.match(_LEAD_IN.sub("", p))]


def clause_cues(question: str) -> set[str]:
    """What each asking clause wants (question_cue of each): every clause counts, not only the first."""
    clauses = asking_clauses(question)
    return {question_cue(c) for c in clauses} if len(clauses) > 1 else {question_cue(question)}


# A clause asks when it starts with one of these; an open ask is one no date, place or person answers alone.
_OPEN_WORDS = "is are does do can could should will would what which why how anything any".split()
_ASKING = re.compile(rf"(?:{'|'.join(_OPEN_WORDS + ['did', 'when', 'where', 'who', 'whose'])})\b", re.I)
_OPEN_ASK = re.compile(rf"(?:{'|'.join(_OPEN_WORDS)})\b", re.I)
_CLAUSE_SPLIT = re.compile(r"(?<=[?.!])\s+|\s+[-–—]+\s+|;\s+|,\s+(?=(?:and|or|but)\s+(?:what|which|who|when|where|"
                           r"why|how|is|are|does|do|did|can)\b)", re.I)
_LEAD_IN = re.compile(r"^(?:(?:and|but|so|also|then|ok(?:ay)?|right|well|new q(?:uestion)?|different topic)\b[\s,:;-]*)+",
                      re.I)


@functools.lru_cache(maxsize=50_000)
def fits_cue(cue: str, text: str, author: str = "") -> bool:
    """Whether a sentence has what the question type asks for."""
    if cue == "quantity":
        return bool(_HAS_NUMBER.search(text))
    if cue == "duration":  # a length of time, in figures or words: not a paragraph number such as 6.64
        return bool(_HAS_DURATION.search(text))
    if cue == "frequency":
        return bool(_HAS_FREQUENCY.search(text) or _HAS_DURATION.search(text))
    if cue == "age":  # an age, not a year or a paragraph number
        return bool(_HAS_AGE.search(text))
    if cue in ("date", "time"):
        return bool(_HAS_DATE.search(text))
    if cue == "author":
        return bool(_AUTHORSHIP.search(text) or (author and author in text))
    if cue == "who":
        return bool(_ROLE.search(text) or _NAME.search(text))
    if cue == "definition":
        return bool(_DEFINITION.search(text))
    if cue == "audience":  # "…will be of interest to all of those working in…", "aimed at…", "for practitioners…"
        return bool(_AUDIENCE.search(text))
    if cue == "examples":  # "…can include knowledge, people, spaces…", "such as…", "for example…"
        return bool(_EXAMPLES.search(text))
    return True


_DEFINED = re.compile(r"^(?:what|who) (?:is|are) (?!" + _DOING + r")(?:a |an |the )?([\w\s'’-]{1,60}?)\s*\??$"
                      r"|^define\s+([\w\s'’-]+?)\s*\??$|\bmeaning of (?:a |an |the )?([\w\s'’-]+?)\s*\??$", re.I)


# A phrase with one of these in it asks about something placed or owned ("ewan kings role at scie"), not a term
_PLACING = re.compile(r"\b(?:at|in|on|for|with|from|by|within|under)\b", re.I)


def defined_term(question: str) -> list[str]:
    """The tokens of the term a 'What is X?' question asks to define, when X is a phrase of 2–5 words without a
    preposition (not "what is ewan king's role at scie": a who question in the shape of a definition)."""
    m = _DEFINED.search(question.strip())
    phrase = next((g for g in m.groups() if g), "") if m else ""
    found = tokens(phrase)
    return found if 2 <= len(found) <= 5 and not _PLACING.search(phrase) else []


_HOW_TO = re.compile(r"^how (?:do|can|should|could|would|might|will) (?:i|we|you|practitioners?|staff|workers?|"
                     r"councils?|teams?) \w+ (.+?)\s*\??$", re.I)
_OBJECT_END = re.compile(r"\b(?:for|to|with|in|on|at|when|if|who|that|which|so|because|without|from|by|about|under|"
                         r"into|before|after|while|and|or|across|between|through|within|over|around|during)\b", re.I)
_CLAUSE_START = re.compile(r"^(?:whether|what|how|which|why|where)\s+", re.I)
GENERIC = frozenset(tokens("someone somebody anyone everyone people person individual one", keep_stopwords=True))


def how_to_object(question: str) -> set[str]:
    """The tokens of what a 'How do I <verb> X…?' question acts on ('respite care' in 'How do I arrange respite
    care for a parent?'); guidance that never mentions X together cannot say how to do it."""
    m = _HOW_TO.match(question.strip())
    if not m:
        return set()
    obj = _CLAUSE_START.sub("", m.group(1))  # "assess whether someone has capacity": the object is what follows
    words_ = re.findall(r"[\w'’-]+", _OBJECT_END.split(obj, 1)[0])
    return {t for w in words_ if not w.lower().endswith("ly") for t in tokens(w) if t not in GENERIC}


# Advice about a particular situation: "How should I support someone who is hoarding?", "What should I do if
# the person refuses personal care?". The situation is what the guidance must speak to.
_SITUATION = re.compile(
    r"^(?:how (?:do|can|should|could|would|might) (?:i|we|you) (?:best )?(?:support|help|work with|approach|talk to|"
    r"engage(?: with)?|respond to) (?:someone|somebody|a person|people|a \w+|an \w+|the \w+)\s*(?:who|whose|with|that)"
    r"|^what (?:should|can|must|do) (?:i|we|you) do (?:if|when|where))\s+(.+?)\s*\??$", re.I)


def situation_words(question: str) -> list[str]:
    """The words describing the situation an advice question is about ('hoarding'), else []."""
    m = _SITUATION.match(question.strip())
    return [w.lower() for w in re.findall(r"[A-Za-z][\w'’-]*", m.group(1))] if m else []


# What a source is asked to say something about: "What does the DHSC framework say about supervision for social
# workers?" The topic is what the guidance must speak to, as an advice question's situation is.
_SAYS_ABOUT = re.compile(r"\b(?:say|says|said|mention|mentions|mentioned|write|writes|wrote) about\s+(.+?)\s*\??$", re.I)


def topic_words(question: str) -> list[str]:
    """The words of the topic a "what does X say about Y?" question asks about ('supervision'), else []."""
    m = _SAYS_ABOUT.search(question.strip())
    return [w.lower() for w in re.findall(r"[A-Za-z][\w'’-]*", m.group(1))] if m else []


def has_run(text: str, run: list[str]) -> bool:
    """Whether the tokens of text hold run as consecutive tokens ('community-led support' as a phrase)."""
    seq = tokens(text)
    return any(seq[i:i + len(run)] == run for i in range(len(seq) - len(run) + 1))


@functools.lru_cache(maxsize=20_000)
def is_navigation(text: str) -> bool:
    """A pointer, heading or list lead-in rather than a statement: 'See also…', 'Why a strengths-based approach?'."""
    t = text.strip()
    return bool(_NAVIGATION.search(t)) or t.rstrip("'’\"”").endswith(("?", ":"))


def key_terms(question: str) -> set[str]:
    """Names, acronyms and numbers in the question: an answer passage must mention every one."""
    found = set()
    q = _HOW_MANY_KINDS.sub(" ", question.strip())  # "the 3 kinds of strengths": a guide lists them, uncounted
    for m in _ENTITY.finditer(q):
        word = m.group(0)
        if word.lower() in QUESTION_WORDS or word in ("I", "OK") or re.fullmatch(r"[A-Z]{2,}s", word):
            continue  # a plural acronym names a kind of person or thing ("OTs", "GPs"), not one named source
        found.update(tokens(word))
    # "one" is far more often a determiner or pronoun ("one London council", "no one") than a count
    found.update(stem(w) for w in re.findall(r"[a-z]+", q.lower()) if w in _NUMBER_WORDS and w != "one")
    return found


# A count of the categories asked for ("the 3 kinds of", "two types of", "five ways to") is how many items the
# answer lists, which guidance shows by listing them, not by writing the number.
# So is the pair in "the two councils": guidance names both without counting them. (A longer count, "the nine areas
# of wellbeing", is a list the guidance would announce; a passage that never lists them does not answer it.)
_HOW_MANY_KINDS = re.compile(r"\b(?:\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")(?=\s+(?:different\s+|main\s+|key\s+)?"
                             r"(?:kinds|types|sorts|categories|ways|forms)\s+(?:of|to|in)\b)"
                             r"|(?<=\bthe )(?:2|two)(?=\s+[a-z]+s\b)"
                             r"|\b(?:2|two)(?=\s+(?:different|separate|distinct)\b)", re.I)  # "two different things"



@functools.cache
def _case_patterns(path: Path = CASE_DETAILS) -> tuple[re.Pattern, re.Pattern, frozenset[str]]:
    """(a titled name "Mrs Patel", an age or a count of people "aged 80", "3 kids", the given names)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Cannot read the case-detail words {path} ({e}): restore it from the repository.") from e
    keys = ("titles", "given_names", "count_nouns", "age_words")
    lists = [data.get(k) if isinstance(data, dict) else None for k in keys]
    if not all(isinstance(x, list) and x and all(isinstance(w, str) and w.strip() for w in x) for x in lists):
        raise InputError(f"{path} must hold {', '.join(repr(k + ':') for k in keys)}, each a list of words.")
    titles, names, counts, ages = ([str(w).strip() for w in x] for x in lists)

    def alt(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    # "Mrs Patel", "the Smith family"; where the practitioner works: "our team in Kent", "In Leeds we're…"
    titled = re.compile(rf"\b(?:{alt(titles)})\.?\s+([A-Z][\w'’-]*)|\b[Tt]he\s+([A-Z][a-z]+)\s+family\b|"
                        r"\b(?:[Oo]ur|[Mm]y)\s+(?:team|service|council|authority|LA|area|borough|county|office|patch|"
                        r"locality|trust)\s+(?:in|at)\s+([A-Z][a-z]+)|"
                        r"\b(?:[Ii]n|[Aa]t|[Hh]ere in)\s+([A-Z][a-z]+)\s*,?\s+(?:we|we're|we’re|our|I|I'm|I’m)\b")
    number = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
    counted = re.compile(rf"\b{number}\s*(?:-\s*)?(?:{alt(ages)}|{alt(counts)})\b|\baged?\s+{number}\b|"
                         rf"\b(?:he|she|who|they|(?:{alt(titles)})\.?\s+[A-Z][\w'’-]*)(?:\s+is|\s+was|['’]s|\s+turns|"
                         rf"\s+turned|\s+has\s+just\s+turned)\s+{number}\b(?!\s*(?:%|percent|per\s+cent))", re.I)
    return titled, counted, frozenset(n.lower() for n in names)


def case_details(question: str) -> tuple[set[str], set[str]]:
    """(tokens of the people and places of the practitioner's own case: "Mrs Patel", "Dave", "our team in Kent";
    numbers that are an age or a count of people: "aged 80", "3 kids"), not what an answer passage must mention."""
    titled, counted, names = _case_patterns()
    people = {t for m in titled.finditer(question) for g in m.groups() if g for t in tokens(g)}
    people |= {t for w in re.findall(r"\b[A-Z][a-z]+(?=\b|['’])", question) if w.lower() in names for t in tokens(w)}
    numbers = {t for m in counted.finditer(question) for g in m.groups() if g for t in tokens(g)}
    return people, numbers | _noted_counts(question)


_SMALL_NUMBER = re.compile(r"(?<![\d.,£$€])\b\d{1,3}\b(?![.,]?\d)(?!\s*(?:%|percent|per\s+cent))")


def _noted_counts(question: str) -> set[str]:
    """Counts in the case notes before or after the sentence that asks ("I've got 14 cases and no time. Does the
    guidance say anything about time?"): the practitioner's own figures, not what the guidance must mention. A
    number in a sentence that asks, and a year anywhere ("the 2017 paper"), stays asked about."""
    parts = [p for p in re.split(r"(?<=[.!?])\s+", question.strip()) if p]
    if len(parts) < 2:
        return set()
    asking = [p for p in parts if p.rstrip().endswith("?") or _ASKING.match(_LEAD_IN.sub("", p))]
    if not asking or len(asking) == len(parts):
        return set()
    asked = {m.group(0) for p in asking for m in _SMALL_NUMBER.finditer(p)}
    return {m.group(0) for p in parts if p not in asking for m in _SMALL_NUMBER.finditer(p)} - asked


# "Does it point to any NICE resource?", "what else should I read?": a question that asks for a pointer, so
# "See also…" answers it.
_ASKS_POINTER = re.compile(r"\b(?:point(?:s|ing)? (?:\w+ )?(?:to|at)|refer(?:s|red)? (?:\w+ )?to|signpost\w*|"
                           r"(?:else|further|more) (?:\w+ )?(?:to )?read|recommend(?:s|ed)? reading|"
                           r"links? to|(?:does|do|did) [\w\s'’-]{0,30}\bmention|\bmention(?:s|ed)\b|further (?:information|reading)|resources?|where can i (?:find|read)|"
                           r"(?:is|are) there (?:a|an|any|some) (?:[\w'’-]+ ){0,3}(?:guides?|guidance|documents?|"
                           r"reports?|toolkits?|papers?|frameworks?|evidence))\b", re.I)


def asks_for_pointer(question: str) -> bool:
    """The question asks where to look (a pointer such as 'See also…' answers it)."""
    return bool(_ASKS_POINTER.search(question))
