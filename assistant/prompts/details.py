"""Personal details in a situation: interests, people, places and goals, and how each reads aloud.

Lexicons in corpus/prompts/details.yaml plus a few patterns ("loves …", "her daughter",
"wants to …") pick details out as written; each carries the wording used when a prompt
speaks to the person ("your daughter", "the parish hall", "singing with others").
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.prompts.library import (
    LibraryError,
    library_root,
    library_stamp,
    read_yaml,
)
from assistant.safety.indicators import given_names
from assistant.textutil import STOPWORDS, sentence_spans


@dataclass(frozen=True)
class Detail:
    """A personal detail found in a situation, with how it reads when spoken to the person."""

    kind: str  # interests | people | places | goals
    text: str  # as written in the situation (or the lexicon's label for a verb: "knitting")
    start: int
    end: int
    say: str = ""  # "your daughter", "the parish hall", "to study music production at college"
    phrase: str = ""  # interests: a natural verb phrase ("singing with others")
    tag: str = ""  # people: cared | helper; places: group | place
    heading: bool = False  # inside the note's opening label ("Young carers group: …"): where the note was written


def _lexicon(root: Path) -> dict:
    return _lexicon_cached(root, library_stamp(root))


@functools.lru_cache(maxsize=4)
def _lexicon_cached(root: Path, library_stamp: tuple) -> dict:
    lex = read_yaml(root / "prompts" / "details.yaml")
    if not isinstance(lex, dict) or not all(k in lex for k in ("relationships", "interests", "places", "goals")):
        raise LibraryError(f"{root / 'prompts' / 'details.yaml'}: needs relationships, interests, places and goals.")
    verbs = lex.get("frame_verbs")
    if verbs is not None and not (isinstance(verbs, list) and all(isinstance(v, str) and v.strip() for v in verbs)):
        raise LibraryError(f"{root / 'prompts' / 'details.yaml'}: frame_verbs must be a list of verbs "
                           "(e.g. [plays, supports]); fix it or remove the line.")
    return lex


def _alt(words) -> str:
    """Regex alternation, longest first so 'foster carer' wins over 'carer'."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


_NEG_BEFORE = re.compile(r"\b(?:can't|cannot|can not|unable|difficulty|difficulties|struggles?|hard to|trouble"
                         r"|afraid of|fear of|scared of|no longer able)\W+(?:\w+\W+){0,2}$", re.I)
_HARMFUL = re.compile(r"\b(?:die|died|dead|death|kill|hurt|harm|suicid\w*|overdose|end (?:my|his|her|their) life"
                      r"|run away|drink|drinking|drugs?|gambl\w*|weapon|knife)\b", re.I)
DEATH = re.compile(r"\b(?:died|dies|passed away|death|bereave\w*|funeral)\b", re.I)
ONGOING_CARE = re.compile(r"\b(?:caring|care for|carer)\b", re.I)
_CARED = re.compile(r"\b(?:looks? after|looking after|cares? for|cared for|caring for|carer (?:for|to)|supports)\s+$",
                    re.I)
_POSSESSIVE = r"(?:her|his|their|my|our|your)"
_OWNERS = frozenset(("her", "his", "their", "my", "our", "your", "a", "an", "two", "three", "four", "five"))
_DETERMINERS = frozenset(("the", "a", "an", "our", "their", "his", "her", "my", "your", "this"))
_CLAUSE_END = re.compile(r"[.,;:!?()\n]|\s(?:and|but|so|because|when|while|although|though|who|which|as|if)\s", re.I)
_PHRASE_END = re.compile(r"[.,;:!?()\n]|\s(?:and|but|so|because|when|while|who|which|as|if|on|at|in|with|for|to"
                         r"|from|by|every|each|during|after|before|since|most|twice|once|daily|weekly|often"
                         r"|regularly|sometimes)\s", re.I)
_ROLE = (r"(?P<role>is a keen|is a talented|talented|is a brilliant|is a great|is a good|is a former|is a big|"
         r"['’]s a keen|['’]s a former|is a lifelong|a keen|a former)")
_NOT_AN_INTEREST = (r"(?!to\b|it\b|that\b|being\b|her\b|his\b|their\b|him\b|them\b|not\b|n't\b|well\b|up\b|out\b"
                    r"|around\b|about\b|over\b|\d)")


@functools.lru_cache(maxsize=4)
def _likes(verbs: tuple[str, ...]) -> re.Pattern[str]:
    """'enjoys …', 'plays …', 'keen on …' (verbs from details.yaml), or 'is a keen …': the interest follows."""
    return re.compile(rf"\b(?:(?P<like>{_alt(verbs)})|{_ROLE})\s+(?:(?:her|his|their)\s+)?{_NOT_AN_INTEREST}"
                      r"(?=(?P<x>[^.,;:!?()\n]{1,60}))", re.I)  # a lookahead: the next verb in x is found too


def extract_details(situation: str) -> dict[str, list[str]]:
    """Personal details in a situation: interests, people, places and goals, as written."""
    return by_kind(find_details(situation or ""))


def by_kind(details: list[Detail]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"interests": [], "people": [], "places": [], "goals": []}
    for d in details:
        if d.text.lower() not in (x.lower() for x in out[d.kind]):
            out[d.kind].append(d.text)
    return out


def find_details(text: str) -> list[Detail]:
    lex = _lexicon(library_root(None))
    goals = _goals(text, lex["goals"])
    people = _people(text, lex["relationships"])
    places = _places(text, lex["places"], _spans(goals))
    verbs = lex.get("interest_verbs") or ["enjoys", "loves", "likes"]
    never = frozenset(str(w).lower() for w in lex.get("not_interests") or [])
    interests = _interests(text, lex["interests"], _spans(goals + people), places, verbs, never)
    same = {(i.start, i.end) for i in interests}
    places = [p for p in places if p.tag == "group" or (p.start, p.end) not in same]
    interests = _vetoed(interests, lex.get("meaning_veto"))
    interests += _by_meaning(text, _spans(goals + people + places + interests), lex.get("meaning_margin"),
                             tuple(str(v) for v in lex.get("frame_verbs") or ()))
    found = [d for d in goals + people + places + interests if not _HARMFUL.search(d.text)]
    main = _main_person(text)  # once per note: every detail's owner is compared with it
    found = [d for d in found if d.kind == "people" or not (_someone_elses(text, d, people, main)
                                                             or _possessed(text, d, main, lex["relationships"]))]
    # "June's sister visits": June's sister, not the person's (unless June is the person).
    found = [d for d in found if not (d.kind == "people" and (o := re.match(r"([A-Z][a-z]+)['’]s\s", d.text))
                                      and o.group(1) != main)]
    label = _LABEL.match(text)
    if label:
        found = [dataclasses.replace(d, heading=True) if d.end <= label.end() else d for d in found]
    return sorted(found, key=lambda d: (d.start, d.kind))


def _possessed(text: str, d: Detail, main: str | None, lex: dict) -> bool:
    """Whether an interest or place is owned by someone else in so many words: "her husband's bowls club",
    "Mum's pottery class", "his dad's darts league", "Kyle's gaming" (when the note is about someone else).
    The possessive may lead the detail or stand just before it, up to two words away."""
    before = text[max(0, d.start - 60):d.start] + d.text[:60]
    at = len(before) - len(d.text[:60])
    own = set(re.findall(rf"\b([A-Z][a-z]+)\s+{re.escape(main)}\b", text)) | {main} if main else set()
    pattern = _owner_pattern(tuple(lex.get("subjects") or []) + tuple(lex["multiword"]) + tuple(lex["nouns"]))
    lead = re.match(r"(?i:(?:her|his|their|the|my|our|your)\s+)?", d.text).end()  # "her husband's bowls club"
    return any(o.start() <= at + lead <= o.end() + 1 and o.group(1) not in own and o.group(1) not in _CONTRACTED
               for o in pattern.finditer(before))


# "He's still playing basketball", "It's the bingo he loves": "'s" after these is "is" or "has", never an owner.
_CONTRACTED = frozenset("He She It That There Here What Who Where When Let Everything Nothing Everyone".split())


@functools.lru_cache(maxsize=4)
def _owner_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """A possessive naming who owns what follows: a relative or role, or a capitalised name ("June's")."""
    return re.compile(rf"\b((?i:{_alt(words)})|[A-Z][a-z]+)['’]s\s+(?:[a-z]+\s+){{0,2}}")


# Where a clause starts inside a sentence, and a pronoun that makes the person the subject again
# ("Her daughter says she loves knitting": the knitting is hers).
_CLAUSE_START = re.compile(r",\s+|\s(?:and|but|while|whereas|who|whilst)\s+", re.I)
_BACK_TO_PERSON = re.compile(r"\b(?:she|he|they)\s+(?!is\b)\w+", re.I)
NAME_WITH_AGE = re.compile(r"\b([A-Z][a-z]+)\b(?=,?\s*\(?\d{1,3}\b|\s+is\s+\d{1,3}\b)")
_TAKES_PERSON = re.compile(r"\b(?:her|him|them)\s+(?:to|along|with|for)\b", re.I)  # "Dad takes her to rhyme time"
_NOT_NAMES = frozenset("She He They Her His Their The This That Since When After Before Mum Dad Mr Mrs Ms Miss Dr"
                       " And But Also Then Today Yesterday Both All Each Every Some Most Many Several Neither Either"
                       # English's irregular plurals take "'s" like a name does: "Men's Shed", "Children's Centre".
                       " Men Women Children People Gentlemen Folk Sheep Geese Mice".split())


def _someone_elses(text: str, d: Detail, people: list[Detail], main: str | None) -> bool:
    """Whether the clause holding a detail is about another person: 'His wife sings in a choir', 'and her
    son plays football', 'a neighbour who runs the bingo', 'Mary goes to the club' (when the note is about
    Joan). Such interests and places are theirs, not the person's."""
    left = max(text.rfind(x, 0, d.start) for x in ".;!?\n") + 1
    cuts = list(_CLAUSE_START.finditer(text, left, d.start))
    start = cuts[-1].end() if cuts else left
    if cuts and cuts[-1].group(0).strip().lower() == "who":
        before = cuts[-1].start()
        if any(p.end == before or text[p.end:before].strip(" ,") == "" and p.end <= before and p.end > left
               for p in people):
            return True
    head = text[start:d.start]
    for p in people:
        if start <= p.start and not text[start:p.start].strip() and p.end <= d.start:
            return not _BACK_TO_PERSON.search(text[p.end:d.start])
    # "Mary goes…", "Mary's also in…"; "Mateo's obsessed with…" (Mateo is) or "Mateo's bike…" (his) alike.
    subject = (r"\s*([A-Z][a-z]+)(?:['’]s\s+[a-z]+|\s+(?:also\s+|often\s+|still\s+|own\s+\w+\s+)?"
               r"(?:is|was|has|[a-z]+s))\b")
    other = _other_subject(text, left, d.start, main)
    if other is not None:
        return other
    name = re.match(subject, head)
    if not name or (main and name.group(1) == main):
        return False
    rest = head[name.end():]
    if main and name.group(1) not in _NOT_NAMES:
        return not _BACK_TO_PERSON.search(rest)
    return False


_LABEL = re.compile(r"\s*[A-Z][\w&/'’-]*(?:\s+[\w&/'’-]+){0,3}:\s+")  # "Care worker note: ", "HV: "
TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+(?:[A-Z][a-z]+\s+)?([A-Z](?:[a-z]+|\b))")  # "Mr K"
_OPENS = re.compile(r"\s*([A-Z][a-z]+)(?:['’]s\b|\s+(?:is|was|has|had|wants|says|said|told|[a-z]+ed|[a-z]+s)\b"
                    r"|\s*\((?!\d))")  # "Mo (carer for mum)"
# A first sentence about a whole family ("The Hughes family have...", "Family support with the Greens").
_FAMILY_NOTE = re.compile(r"[^.!?\n]*\b(?:(?i:famil(?:y|ies))|(?i:the)\s+[A-Z][a-z]+s)\b")
_QUOTE = re.compile(r"^\s*['‘\"“]")


def _main_person(text: str) -> str | None:
    """The note's person. Names are read from the note's structure: a name given with an age ("Leo, 11", "Tia
    (9)"), a name after a title ("Mr K", "Mrs Obi"), a listed given name, a capitalised word opening a sentence as
    its subject ("Ray's been back at the snooker hall") or introduced by a bracket ("Mo (carer for mum)"). A name
    that follows a relationship or a caring phrase ("dad to Mateo (9)", "Grandson Kai (9)", "carer for Ella
    (12)") is someone in the person's life, a saint's name ("St Mary's") is a place, and a relationship noun is
    never a name ("Carer's assessment for Janet"). The person is the earliest name given with an age that no
    relationship introduces, else the earliest such name of any kind, else the earliest name given with an age."""
    lex = _lexicon(library_root(None))["relationships"]
    nouns = {w.lower() for w in list(lex["nouns"]) + list(lex.get("subjects") or [])}
    related = _introduced_by(tuple(sorted(nouns)) + tuple(lex["multiword"]))
    found: list[tuple[int, str, bool]] = []  # (where, name, given with an age)

    def add(at: int, name: str, aged: bool = False) -> None:
        if name.lower() in nouns or name in _NOT_NAMES or re.search(r"\bSt\.?\s+$", text[max(0, at - 4):at]):
            return
        if related.search(text[max(0, at - 40):at]):
            return
        found.append((at, name, aged))

    for m in NAME_WITH_AGE.finditer(text):
        bare = not re.match(r",|\s*\(|\s+is\s", text[m.end():])  # "Lock 7", "Room 12": a place, unless a known name
        if not bare or m.group(1) in given_names():
            add(m.start(1), m.group(1), aged=True)
    for m in TITLED_NAME.finditer(text):
        given = re.match(r"\S+\s+([A-Z][a-z]+)\s", m.group(0))  # "Mr Luis Romero … Luis has started": Luis
        again = given and re.search(rf"\b{given.group(1)}\b", text[m.end():])
        add(m.start(), given.group(1) if again else m.group(1))
    for m in re.finditer(r"\b[A-Z][a-z]+\b", text):
        if m.group(0) in given_names():
            add(m.start(), m.group(0))
    for s, _ in sentence_spans(text):
        label = _LABEL.match(text, s)
        m = _OPENS.match(text, label.end() if label else s)
        if m:
            add(m.start(1), m.group(1))
    aged = [f for f in found if f[2]]
    if aged:
        return min(aged)[1]
    if found:
        return min(found)[1]
    first = NAME_WITH_AGE.search(text)
    return first.group(1) if first else None


@functools.lru_cache(maxsize=4)
def _introduced_by(words: tuple[str, ...]) -> re.Pattern[str]:
    """Text ending on a relationship ("her son ", "Grandson ", "dad to ", "mum of ") or a caring phrase ("cares
    for ", "carer for ", "looks after ")."""
    return re.compile(rf"(?i:\b(?:{_alt(words)})(?:\s+(?:to|of|for))?|\b(?:cares?|caring|carer)\s+for"
                      rf"|\blooks?\s+after|\blooking\s+after)\s+(?:[A-Z][a-z]+\s+)?$")


def _other_subject(text: str, left: int, at: int, main: str | None) -> bool | None:
    """Whether the sentence holding a detail has someone else as its subject: a relative or role ("Dad enjoys
    his films", "Stepdad's into fishing", "Her son Liam spends hours on his books", "Keyworker Sam is a keen
    climber", "Housemate into gaming") or the writer ("I mentioned I do parkrun"). True: theirs. False: the
    person is brought back ("Mum says he loves", "Dad takes her to rhyme time", "Mum says Harvey loves").
    None: the sentence's subject is not another person."""
    head = text[left:at]
    label = _LABEL.match(head)
    body = head[label.end():] if label else head
    lead = len(head) - len(body)
    lex = _lexicon(library_root(None))["relationships"]
    rel = _rel_subject(tuple(lex.get("subjects") or []) + tuple(lex["multiword"]) + tuple(lex["nouns"]),
                       tuple(lex["modifiers"])).match(body)
    if rel:
        named = rel.group("name")
        if not main or named == main or rel.group("rel").lower() == main.lower() or _FAMILY_NOTE.match(text):
            return None  # no one person to compare with, or a note about a whole family: the family's
        rest = body[rel.end():]
    elif re.match(r"\s*I\s+(?!am\b|'m\b)", body) and not _QUOTE.search(text[max(0, left - 1):left + lead + 1]):
        rest = body[re.match(r"\s*I\s+", body).end():]
    else:
        return None
    names = given_names() | ({main} if main else set())
    back = (_BACK_TO_PERSON.search(rest) or _TAKES_PERSON.search(rest)
            or any(w in names for w in re.findall(r"\b[A-Z][a-z]+\b", rest)))
    return not back


@functools.lru_cache(maxsize=4)
def _rel_subject(words: tuple[str, ...], modifiers: tuple[str, ...]) -> re.Pattern[str]:
    """A sentence opening on a relative or role: "Her son Liam", "Stepdad's", "Keyworker Sam", "Housemate"."""
    nouns, mods = _alt(words), _alt(modifiers)
    return re.compile(rf"\s*(?:(?i:her|his|their|the|my|our)\s+|[A-Z][a-z]+['’]s\s+)?(?i:(?:{mods})\s+){{0,2}}"
                      rf"(?P<rel>(?i:{nouns}))(?:['’]s)?(?:\s+(?P<name>[A-Z][a-z]+))?(?:['’]s)?\b(?!\s*[,)]?\s*\(?\d)")


def _spans(details: list[Detail]) -> list[tuple[int, int]]:
    return [(d.start, d.end) for d in details]


def _overlaps(s: int, e: int, spans) -> bool:
    return any(s < b and a < e for a, b in spans)


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(".", 0, start), text.rfind(";", 0, start)) + 1
    right = min([i for i in (text.find(".", end), text.find(";", end)) if i >= 0] or [len(text)])
    return text[left:right]


def _as_written(text: str, start: int, phrase: str, names: bool = False) -> str:
    """Lower-case a first word capitalised only because it starts a sentence ('Allotment society').

    With `names`, only determiners are lower-cased ("Bill's wife" keeps its capital).
    """
    phrase = " ".join(phrase.split())
    first, _, rest = phrase.partition(" ")
    at_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?"
    if first.lower() in _DETERMINERS or (at_start and not names and not any(w[:1].isupper() for w in rest.split())):
        return first[:1].lower() + first[1:] + (" " + rest if rest else "")
    return phrase


def _people(text: str, lex: dict) -> list[Detail]:
    nouns, mods = _alt(list(lex["multiword"]) + list(lex["nouns"])), _alt(lex["modifiers"])
    owner = rf"(?i:{_POSSESSIVE}|two|three|four|five|an?)|(?:[A-Z][a-z]+\s+)?[A-Z][a-z]+['’]s"
    strict = re.compile(rf"\b(?:{owner})\s+(?i:(?:{mods})\s+){{0,2}}(?i:{nouns})\b")
    loose = re.compile(rf"\b(?i:(?:{_alt(lex['standalone_with_modifier'])})\s+(?:(?:{mods})\s+)?(?:{nouns}))\b")
    drop = {w.lower() for w in lex["drop_when_addressing"]}
    with_article = {w.lower() for w in lex["with_article"]}
    out: list[Detail] = []
    for rx in (strict, loose):
        for m in rx.finditer(text):
            words = m.group(0).split()
            if (_overlaps(m.start(), m.end(), _spans(out)) or DEATH.search(_sentence(text, m.start(), m.end()))
                    or "late" in (w.lower() for w in words)):  # never invite talk of time with someone who has died
                continue
            if words[0].lower() in ("a", "an") and words[-1].lower() not in with_article:
                continue
            rest = words[1:] if (words[0].lower() in _OWNERS or words[0].endswith(("'s", "’s"))) else words
            say = "your " + " ".join(w for w in rest if w.lower() not in drop)
            tag = "cared" if _CARED.search(text[max(0, m.start() - 40):m.start()]) else "helper"
            out.append(Detail("people", _as_written(text, m.start(), m.group(0), names=True), m.start(), m.end(),
                              say=say, tag=tag))
    return out


def _goals(text: str, lex: dict) -> list[Detail]:
    out: list[Detail] = []
    for m in re.finditer(rf"\b(?:{_alt(lex['verbs'])})\s+", text, re.I):
        rest = text[m.end():]
        cut = _CLAUSE_END.search(rest)
        goal = " ".join(rest[: cut.start() if cut else len(rest)].split()[:9])
        verb = not m.group(0).lower().startswith(("dreams", "is saving", "is looking", "is working"))
        if len(goal) > 2 and (verb or not goal.split()[0].lower().endswith("ing")):
            say = ("to " if verb else "") + _yours(goal)
            out.append(Detail("goals", goal, m.end(), m.end() + len(goal), say=say))
    for m in re.finditer(rf"\b(?:{_alt(lex['nouns'])})\b", text, re.I):
        if not _overlaps(m.start(), m.end(), _spans(out)):
            out.append(Detail("goals", m.group(0), m.start(), m.end(), say=_yours(m.group(0))))
    return out


def _yours(phrase: str) -> str:
    swap = {"her": "your", "his": "your", "their": "your", "herself": "yourself", "himself": "yourself",
            "themselves": "yourself", "she": "you", "he": "you", "they": "you"}
    return " ".join(swap.get(w.lower(), w) for w in phrase.split())


def _the(phrase: str, bare: bool = True) -> str:
    """How a place or thing reads when spoken about: 'a parish hall' -> 'the parish hall'.

    `bare` also puts 'the' before an unmarked lower-case name ('temple community').
    """
    first, _, rest = phrase.partition(" ")
    if first.lower() in _DETERMINERS - {"the"} and rest:
        return "the " + rest
    if bare and rest and first[:1].islower() and first.lower() != "the":
        return "the " + phrase
    return phrase


def _places(text: str, lex: dict, taken) -> list[Detail]:
    keys = ("groups", "generic", "roles", "not_places", "not_modifiers")
    low = {k: {w.lower() for w in lex.get(k, [])} for k in keys}
    heads = _alt(lex["heads"])
    out: list[Detail] = []
    for m in re.finditer(rf"\b({heads})\b(?:\s+({heads})\b)?(?:\s+of\s+([a-z]+s)\b)?", text, re.I):
        start = _place_start(text, m.start(), low["not_modifiers"])
        nxt = re.match(r"\s+([A-Za-z]+)", text[m.end():])
        head = (m.group(2) or m.group(1)).lower()
        before = [w for w in text[start:m.start()].split() if w.lower() not in _DETERMINERS]
        if (_overlaps(start, m.end(), list(taken) + _spans(out)) or (nxt and nxt.group(1).lower() in low["roles"])
                or head in low["not_places"] or (head in low["generic"] and not before and not m.group(2))):
            continue
        phrase = _as_written(text, start, text[start:m.end()])
        tag = "group" if head in low["groups"] or m.group(1).lower() in low["groups"] else "place"
        out.append(Detail("places", phrase, start, m.end(), say=_the(phrase), tag=tag))
    return out


def _place_start(text: str, head_start: int, verbs: set[str]) -> int:
    """Walk back over up to three modifier words to a determiner ('a parish hall', 'St Mary's church')."""
    start, base = head_start, max(0, head_start - 80)
    for w in reversed(list(re.finditer(r"[A-Za-z][A-Za-z'’]*", text[base:head_start]))[-4:]):
        if text[base + w.end():start].strip():  # punctuation breaks the noun phrase
            break
        low = w.group(0).lower()
        if low in _DETERMINERS:
            return base + w.start()
        if low in STOPWORDS or low in verbs or low.endswith("ed"):
            break
        start = base + w.start()
    return start


def _interests(text: str, entries: list, taken, places: list[Detail], verbs: list[str],
               never: frozenset = frozenset()) -> list[Detail]:
    out: list[Detail] = []
    for m in _likes(tuple(verbs)).finditer(text):
        x = m.group("x")
        cut = _PHRASE_END.search(" " + x + " ")
        words = (" " + x)[: cut.start() if cut else None].split()[:4]
        while words and words[-1].lower() in STOPWORDS:
            words.pop()
        end = m.start("x") + len(" ".join(words))
        if not words or _overlaps(m.start("x"), end, taken):
            continue
        if (re.fullmatch(r"(?:still\s+)?go(?:es)?\s+to", (m.group("like") or "").lower())
                and _overlaps(m.start("x"), end, [(p.start, p.end) for p in places])):
            continue  # "goes to St Mary's church": the place says it
        phrase = " ".join(words)
        if any(phrase.lower() == n or phrase.lower().startswith(n + " ") for n in never):
            continue
        entry = _lexicon_entry(phrase, entries)
        if m.group("role"):
            adj = m.group("role").split()[-1]  # keen, former, talented...
            item, say = (entry["label"], entry["label"]) if entry else (f"a {adj} {phrase}", f"being a {adj} {phrase}")
        elif m.group("like").lower() == "used to run":
            item = say = f"running {_the(phrase)}"
        else:
            item = _as_written(text, m.start("x"), phrase)
            say = _the(item, bare=False)
        out.append(Detail("interests", item, m.start("x"), end, say=say, phrase=(entry or {}).get("phrase", "")))
        if not m.group("role"):
            out.extend(_and_more(text, end, taken))
    for m in _GOES_DOING.finditer(text):  # "goes hiking on her days off", "go swimming together"
        if m.group("x").lower() not in never and not _overlaps(m.start("x"), m.end("x"), list(taken) + _spans(out)):
            out.append(Detail("interests", m.group("x"), m.start("x"), m.end("x"), say=m.group("x")))
    bigger = [(p.start, p.end) for p in places]
    for entry in entries:
        for kind in ("forms", "nouns"):
            words = entry.get(kind) or []
            det = rf"(?:(?:the|a|an|{_POSSESSIVE})\s+)?" if kind == "nouns" else ""
            for m in (re.finditer(rf"\b{det}(?:{_alt(words)})\b", text, re.I) if words else ()):
                inside_place = any(a <= m.start() and m.end() <= b and (a, b) != m.span() for a, b in bigger)
                if (inside_place or _overlaps(m.start(), m.end(), list(taken) + _spans(out))
                        or _NEG_BEFORE.search(text[max(0, m.start() - 40):m.start()])):
                    continue
                item = entry["label"] if kind == "forms" else _as_written(text, m.start(), m.group(0))
                say = _the(item, bare=False) if kind == "nouns" else item
                out.append(Detail("interests", item, m.start(), m.end(), say=say, phrase=entry.get("phrase", "")))
                break
    return out


def _by_meaning(text: str, taken, margin, verbs: tuple[str, ...] = ()) -> list[Detail]:
    """Interests the lexicon does not name, found by meaning (assistant.prompts.interests)."""
    if margin is None:
        return []
    from assistant.prompts.interests import bank, candidates

    found = [c for c in candidates(text, verbs) if not _overlaps(c.start, c.end, taken) and not _a_name(c.text)]
    ib = bank() if found else None
    if ib is None:
        return []
    scores = ib.margin([c.text for c in found])
    out = []
    for c, s in zip(found, scores):
        if s >= float(margin):
            item = _as_written(text, c.start, c.text)
            out.append(Detail("interests", item, c.start, c.end, say=_yours(_the(item, bare=False))))
    return out


def _vetoed(interests: list[Detail], veto) -> list[Detail]:
    """The interests the interest bank does not put clearly among services, records and errands."""
    if veto is None or not interests:
        return interests
    from assistant.prompts.interests import bank

    ib = bank()
    if ib is None:
        return interests
    scores = ib.margin([d.text for d in interests])
    return [d for d, s in zip(interests, scores) if s >= float(veto)]


def _a_name(phrase: str) -> bool:
    """One capitalised word ("Fatima", "Crewe", "Pakistan"): a person or a place, not an interest (an
    acronym such as "the WI" or "U3A" can be)."""
    words = [w for w in phrase.split() if w.lower() not in _DETERMINERS]
    return len(words) == 1 and words[0][:1].isupper() and not words[0].isupper()


_GOES_DOING = re.compile(r"\b(?:goes|go|went|going)\s+(?!missing\b|nothing\b|along\b)(?P<x>[a-z]{3,}ing)\b")
_AND_MORE = re.compile(r"\s+and\s+(?:(?:her|his|their)\s+)?(?![\w']*n't\b|not\b|never\b)"
                       r"(?P<x>[A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,2})")


def _and_more(text: str, end: int, taken) -> list[Detail]:
    """The second item of 'loves her cats and jigsaws' (up to three words, to the end of the phrase)."""
    m = _AND_MORE.match(text, end)
    if not m:
        return []
    words = m.group("x").split()
    cut = next((i for i, w in enumerate(words) if w.lower() in STOPWORDS), len(words))
    words = words[:cut]
    if not words or words[0][:1].isupper() or _overlaps(m.start("x"), m.end("x"), taken):
        return []  # 'and Mary…' starts another person's clause
    phrase = " ".join(words)
    start = m.start("x")
    return [Detail("interests", phrase, start, start + len(phrase), say=_the(phrase, bare=False))]


def _lexicon_entry(phrase: str, entries: list) -> dict | None:
    for entry in entries:
        words = list(entry.get("forms") or []) + list(entry.get("nouns") or [])
        if words and re.search(rf"\b(?:{_alt(words)})\b", phrase, re.I):
            return entry
    return None
