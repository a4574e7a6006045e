"""Strengths-focused conversation prompts: a cited library, detail pick-up and deterministic selection.

No model is involved: prompts come from corpus/prompts/library.yaml, are chosen by setting,
stage, theme diversity and word overlap with the situation, and are personalised by filling
templates with details picked out of the situation by lexicons and patterns.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import AssistantError, InputError
from .language import find_deficits, is_open_question
from .loaders import load_path
from .safeguarding import detect, safe_followups
from .settings import REPO_DIR, get_settings
from .textutil import STOPWORDS, tokens
from .types import SETTINGS, Citation, Document, Prompt, PromptSet

THEMES = ("personal-strengths", "relationships-networks", "community-assets", "aspirations-good-day",
          "coping-resilience", "choice-control", "wellbeing", "carer-wellbeing", "existing-safety")
STAGES = ("opening", "exploring", "planning", "reviewing")
QUESTION_TYPES = ("open", "scaling", "exception", "coping", "preferred-future", "network-mapping", "appreciative")
APPROACHES = ("", "solution-focused", "appreciative-inquiry", "making-safeguarding-personal",
              "signs-of-safety-style existing safety", "asset-based community development", "narrative", "motivational")
AUDIENCES = ("", "young-person", "parent")
SLOTS = ("interest", "person", "helper", "cared", "place", "group", "goal")  # {activity} rides along with {interest}
MIN_N, MAX_N = 8, 12
_YES_NO_START = re.compile(r"^(?:is|are|am|was|were|do|does|did|can|could|will|would|shall|should|may|might|must"
                           r"|have|has|had|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|can't|couldn't)\b", re.I)
_SLOT_RE = re.compile(r"\{(\w+)\}")
_SAMPLE = {"interest": "the choir", "person": "your sister", "helper": "your sister", "cared": "your dad",
           "place": "the library", "group": "the walking group", "goal": "to find paid work"}
_REQUIRED = ("id", "text", "theme", "stage", "settings", "question_type", "rationale", "cites")


class LibraryError(AssistantError):
    """The prompt library or its lexicons cannot be used as written; the message names the entry."""


@dataclass(frozen=True)
class LibraryPrompt:
    """One validated library entry with its citations resolved to offsets in the guidance."""

    prompt_id: str
    text: str
    theme: str
    stage: str
    settings: tuple[str, ...]
    question_type: str
    approach: str
    rationale: str
    citations: tuple[Citation, ...]
    template: str = ""
    slot: str = ""
    keywords: tuple[str, ...] = ()
    probing: bool = False
    audience: str = ""  # children-families: young-person | parent | "" (either)


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


# ------------------------------------------------------------------ loading and validation

def _root(corpus_dir: Path | str | None) -> Path:
    """The corpus folder holding prompts/ and guidance/ (the bundled one when settings point elsewhere)."""
    if corpus_dir is not None:
        root = Path(corpus_dir)
        if not (root / "prompts" / "library.yaml").is_file():
            raise LibraryError(f"No prompt library at {root / 'prompts' / 'library.yaml'}; "
                               "copy corpus/prompts/ from the project into that folder.")
        return root
    root = get_settings().corpus_path
    return root if (root / "prompts" / "library.yaml").is_file() else REPO_DIR / "corpus"


def _stamp(root: Path) -> tuple:
    files = [root / "prompts" / "library.yaml", root / "prompts" / "details.yaml"]
    files += sorted((root / "guidance").glob("*.md"))
    return tuple((str(f), f.stat().st_mtime_ns) for f in files if f.is_file())


def load_library(corpus_dir: Path | str | None = None) -> list[LibraryPrompt]:
    """Load and validate corpus/prompts/library.yaml (cached until a file changes)."""
    root = _root(corpus_dir)
    return list(_load_cached(root, _stamp(root))[0])


def safeguarding_citations(corpus_dir: Path | str | None = None) -> list[Citation]:
    """Citations for the person-led questions that lead a set when safeguarding is flagged."""
    root = _root(corpus_dir)
    return list(_load_cached(root, _stamp(root))[1])


@functools.lru_cache(maxsize=4)
def _load_cached(root: Path, _stamp: tuple) -> tuple[tuple[LibraryPrompt, ...], tuple[Citation, ...]]:
    path = root / "prompts" / "library.yaml"
    data = _read_yaml(path)
    docs = _load_docs(root / "guidance")
    entries = data.get("prompts") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise LibraryError(f"{path}: expected a 'prompts:' list of entries.")
    seen: set[str] = set()
    out = []
    for i, entry in enumerate(entries):
        p = _parse_entry(entry, i, docs, path)
        if p.prompt_id in seen:
            raise LibraryError(f"{path}: prompt id '{p.prompt_id}' is used twice; give each prompt its own id.")
        seen.add(p.prompt_id)
        out.append(p)
    for key, quote in (data.get("quotes") or {}).items():  # shared quotes no prompt uses yet must match too
        _citation(quote, docs, path, f"quote '{key}'")
    sg = tuple(_citation(c, docs, path, "safeguarding_cites", n + 1)
               for n, c in enumerate(data.get("safeguarding_cites") or []))
    if not sg:
        raise LibraryError(f"{path}: 'safeguarding_cites' must list at least one {{doc_id, quote}}.")
    return tuple(out), sg


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise LibraryError(f"{path} is missing; restore it from the project's corpus/prompts/.") from e
    except yaml.YAMLError as e:
        raise LibraryError(f"{path}: the YAML is malformed ({e}).") from e


def _load_docs(folder: Path) -> dict[str, Document]:
    docs = {}
    for f in sorted(folder.glob("*.md")):
        doc = load_path(f)
        docs[doc.doc_id] = doc
    return docs


def _parse_entry(e: Any, i: int, docs: dict[str, Document], path: Path) -> LibraryPrompt:
    pid = str(e.get("id", f"#{i + 1}")) if isinstance(e, dict) else f"#{i + 1}"

    def bad(problem: str) -> LibraryError:
        return LibraryError(f"{path}: prompt '{pid}': {problem}")

    if not isinstance(e, dict):
        raise bad("each entry must be a mapping of fields.")
    missing = [k for k in _REQUIRED if not e.get(k)]
    if missing:
        raise bad(f"missing {', '.join(missing)}.")
    text, settings = str(e["text"]).strip(), e["settings"]
    for field, value, allowed in (("theme", e["theme"], THEMES), ("stage", e["stage"], STAGES),
                                  ("question_type", e["question_type"], QUESTION_TYPES),
                                  ("approach", e.get("approach", ""), APPROACHES)):
        if value not in allowed:
            raise bad(f"{field} '{value}' is not one of {', '.join(a for a in allowed if a)}.")
    if not isinstance(settings, list) or not settings or any(s not in SETTINGS for s in settings):
        raise bad(f"settings must be a list drawn from {', '.join(SETTINGS)}.")
    if e.get("audience", "") not in AUDIENCES:
        raise bad(f"audience '{e['audience']}' is not one of {', '.join(a for a in AUDIENCES if a)}.")
    problem = _question_problem(text)
    if problem:
        raise bad(f"text {problem}: {text!r}")
    template, slot = _parse_template(e.get("template") or "", bad)
    cites = e["cites"] if isinstance(e["cites"], list) else [e["cites"]]
    citations = tuple(_citation(c, docs, path, f"prompt '{pid}'", n + 1) for n, c in enumerate(cites))
    return LibraryPrompt(prompt_id=pid, text=text, theme=e["theme"], stage=e["stage"], settings=tuple(settings),
                         question_type=e["question_type"], approach=e.get("approach") or "",
                         rationale=" ".join(str(e["rationale"]).split()), citations=citations, template=template,
                         slot=slot, keywords=tuple(str(k).lower() for k in e.get("keywords") or ()),
                         probing=bool(e.get("probing", False)), audience=e.get("audience") or "")


def _question_problem(text: str) -> str:
    """Why text is not a usable open, deficit-free question ('' when it is)."""
    if not text.endswith("?"):
        return "must end with '?'"
    if _YES_NO_START.match(text):
        return "starts like a yes/no question; start with what, how, who, when, where or which"
    if not is_open_question(text):
        return "is not an open question"
    hits = find_deficits(text)
    if hits:
        return f"uses deficit language ('{hits[0].phrase}')"
    return ""


def _parse_template(template: str, bad) -> tuple[str, str]:
    template = " ".join(str(template).split())
    if not template:
        return "", ""
    slots = set(_SLOT_RE.findall(template))
    unknown = slots - set(SLOTS) - {"activity"}
    main = slots & set(SLOTS)
    if unknown or len(main) != 1 or ("activity" in slots and main != {"interest"}):
        raise bad(f"template must use exactly one of {{{'}, {'.join(SLOTS)}}} "
                  f"({{activity}} only with {{interest}}): {template!r}")
    slot = main.pop()
    sample = template.replace("{" + slot + "}", _SAMPLE[slot]).replace("{activity}", "singing with others")
    problem = _question_problem(sample[0].upper() + sample[1:])
    if problem:
        raise bad(f"template {problem}: {template!r}")
    return template, slot


def _citation(c: Any, docs: dict[str, Document], path: Path, where: str, n: int = 1) -> Citation:
    """Resolve {doc_id, quote} to a Citation with offsets; `where` names the entry in any error."""
    if not isinstance(c, dict) or not c.get("doc_id") or not c.get("quote"):
        raise LibraryError(f"{path}: {where}: each cite needs a doc_id and a quote.")
    doc = docs.get(str(c["doc_id"]))
    if doc is None:
        raise LibraryError(f"{path}: {where} cites '{c['doc_id']}', which is not in the guidance folder "
                           f"(known: {', '.join(sorted(docs)) or 'none'}).")
    quote = str(c["quote"])
    start = doc.text.find(quote)
    if start < 0:
        raise LibraryError(f"{path}: {where}: the quote {quote[:70]!r}… no longer matches '{doc.doc_id}' "
                           "word for word; copy it again from the document's cleaned text.")
    return Citation(marker=f"[{n}]", chunk_id="", doc_id=doc.doc_id, title=doc.title, publisher=doc.publisher,
                    url=doc.url, quote=quote, start=start, end=start + len(quote), section=_section(doc.text, start))


def _section(text: str, pos: int) -> str:
    """Text of the nearest `#` heading before pos ('' when there is none)."""
    heading = ""
    for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", text[:pos], re.M):
        heading = m.group(1)
    return heading


# ------------------------------------------------------------------ details

def _lexicon(root: Path) -> dict:
    return _lexicon_cached(root, _stamp(root))


@functools.lru_cache(maxsize=4)
def _lexicon_cached(root: Path, _stamp: tuple) -> dict:
    lex = _read_yaml(root / "prompts" / "details.yaml")
    if not isinstance(lex, dict) or not all(k in lex for k in ("relationships", "interests", "places", "goals")):
        raise LibraryError(f"{root / 'prompts' / 'details.yaml'}: needs relationships, interests, places and goals.")
    return lex


def _alt(words) -> str:
    """Regex alternation, longest first so 'foster carer' wins over 'carer'."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=lambda w: (-len(w), w)))


_NEG_BEFORE = re.compile(r"\b(?:can't|cannot|can not|unable|difficulty|difficulties|struggles?|hard to|trouble"
                         r"|afraid of|fear of|scared of|no longer able)\W+(?:\w+\W+){0,2}$", re.I)
_HARMFUL = re.compile(r"\b(?:die|died|dead|death|kill|hurt|harm|suicid\w*|overdose|end (?:my|his|her|their) life"
                      r"|run away|drink|drinking|drugs?|gambl\w*|weapon|knife)\b", re.I)
_DEATH = re.compile(r"\b(?:died|dies|passed away|death|bereave\w*|funeral)\b", re.I)
_ONGOING_CARE = re.compile(r"\b(?:caring|care for|carer)\b", re.I)
_CARED = re.compile(r"\b(?:looks? after|looking after|cares? for|cared for|caring for|carer (?:for|to)|supports)\s+$",
                    re.I)
_POSSESSIVE = r"(?:her|his|their|my|our|your)"
_OWNERS = frozenset(("her", "his", "their", "my", "our", "your", "a", "an", "two", "three", "four", "five"))
_DETERMINERS = frozenset(("the", "a", "an", "our", "their", "his", "her", "my", "your", "this"))
_CLAUSE_END = re.compile(r"[.,;:!?()\n]|\s(?:and|but|so|because|when|while|although|though|who|which|as|if)\s", re.I)
_PHRASE_END = re.compile(r"[.,;:!?()\n]|\s(?:and|but|so|because|when|while|who|which|as|if|on|at|in|with|for|to"
                         r"|from|by|every|each|during|after|before|since)\s", re.I)
_LIKES = re.compile(r"\b(?:(?P<like>enjoys|loves|likes|is passionate about|is into|used to play|used to run)"
                    r"|(?P<role>is a keen|is a talented|talented|is a brilliant|is a great|is a good))\s+"
                    r"(?!to\b|it\b|that\b|being\b|her\b|his\b|their\b)(?P<x>[^.,;:!?()\n]{1,60})", re.I)


def extract_details(situation: str) -> dict[str, list[str]]:
    """Personal details in a situation: interests, people, places and goals, as written."""
    return _by_kind(_find_details(situation or ""))


def _by_kind(details: list[Detail]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"interests": [], "people": [], "places": [], "goals": []}
    for d in details:
        if d.text.lower() not in (x.lower() for x in out[d.kind]):
            out[d.kind].append(d.text)
    return out


def _find_details(text: str) -> list[Detail]:
    lex = _lexicon(_root(None))
    goals = _goals(text, lex["goals"])
    people = _people(text, lex["relationships"])
    places = _places(text, lex["places"], _spans(goals))
    interests = _interests(text, lex["interests"], _spans(goals + people), places)
    same = {(i.start, i.end) for i in interests}
    places = [p for p in places if p.tag == "group" or (p.start, p.end) not in same]
    found = [d for d in goals + people + places + interests if not _HARMFUL.search(d.text)]
    return sorted(found, key=lambda d: (d.start, d.kind))


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
            if (_overlaps(m.start(), m.end(), _spans(out)) or _DEATH.search(_sentence(text, m.start(), m.end()))
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


def _interests(text: str, entries: list, taken, places: list[Detail]) -> list[Detail]:
    out: list[Detail] = []
    for m in _LIKES.finditer(text):
        x = m.group("x")
        cut = _PHRASE_END.search(" " + x + " ")
        words = (" " + x)[: cut.start() if cut else None].split()[:4]
        while words and words[-1].lower() in STOPWORDS:
            words.pop()
        end = m.start("x") + len(" ".join(words))
        if not words or _overlaps(m.start("x"), end, taken):
            continue
        phrase = " ".join(words)
        entry = _lexicon_entry(phrase, entries)
        if m.group("role"):
            item, say = (entry["label"], entry["label"]) if entry else (f"a keen {phrase}", f"being a keen {phrase}")
        elif m.group("like").lower() == "used to run":
            item = say = f"running {_the(phrase)}"
        else:
            item = _as_written(text, m.start("x"), phrase)
            say = _the(item, bare=False)
        out.append(Detail("interests", item, m.start("x"), end, say=say, phrase=(entry or {}).get("phrase", "")))
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


def _lexicon_entry(phrase: str, entries: list) -> dict | None:
    for entry in entries:
        words = list(entry.get("forms") or []) + list(entry.get("nouns") or [])
        if words and re.search(rf"\b(?:{_alt(words)})\b", phrase, re.I):
            return entry
    return None


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
    fits = sorted((d for d in fits if uses[d.text.lower()] < max_uses), key=lambda d: (uses[d.text.lower()], d.start))
    for d in fits:
        text = p.template.replace("{" + p.slot + "}", d.say or d.text).replace("{activity}", d.phrase or "that")
        text = text[0].upper() + text[1:]
        if accept_extra(text):
            return text, d
    return None


def accept_extra(prompt_text: str) -> bool:
    """True when a proposed prompt (e.g. from an LLM) is an open, deficit-free question fit to show."""
    if not isinstance(prompt_text, str):
        return False
    return _accept(" ".join(prompt_text.split()))


@functools.lru_cache(maxsize=4096)
def _accept(text: str) -> bool:
    return 8 <= len(text) <= 300 and not _question_problem(text)


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
    s = 0.6 if len(p.settings) == 1 and ctx["setting"] != "adults" else 0.0  # written for this setting
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
_PARENT = re.compile(r"\b(?:parent|parents|mum of|dad of|mother of|father of|single (?:mum|dad|parent)"
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


def generate(situation: str, setting: str = "adults", stage: str | None = None, n: int = 10) -> PromptSet:
    """8–12 cited, open, strengths-focused prompts for a situation, ordered opening → reviewing.

    With `stage`, n-2 prompts come from that stage and one each from two neighbouring stages,
    so the set still reads as a short conversation. Same input, same output.
    """
    situation, setting, stage, n = _validate(situation, setting, stage, n)
    library = load_library()
    sg = detect(situation)
    details = _find_details(situation)
    usable = [d for d in details if not (sg.flag and d.kind in ("people", "goals"))]  # never name a possible harmer
    chosen = _safe_prompts(setting) if sg.flag else []
    quotas = _quotas(n, stage)
    extra = len(chosen)
    for s in sorted(STAGES, key=lambda s: (s != "opening", -quotas[s])):
        take = min(extra, quotas[s])
        quotas[s] -= take
        extra -= take
    audience = _audience(situation) if setting == "children-families" else ""
    # A parent's question put to a nine-year-old (or the reverse) reads badly, so those never enter the pool.
    bereaved = setting == "carers" and bool(_DEATH.search(situation))
    pool = [p for p in library if setting in p.settings and not (sg.flag and p.probing)
            and not (audience and p.audience and p.audience != audience)
            and not (bereaved and _ONGOING_CARE.search(p.text + " " + p.template))]  # caring may have ended
    ctx = {"words": set(tokens(situation)), "details": usable, "flag": sg.flag, "setting": setting,
           "uses": Counter(), "max_uses": 3 if len(usable) == 1 else 2}
    chosen = _ensure_themes(_select(pool, quotas, ctx, chosen), pool)
    if usable:
        chosen = _ensure_personal(chosen, pool, ctx)
    chosen = [c for c in chosen if accept_extra(c.text)]  # belt and braces: nothing unchecked reaches a user
    rank = {s: i for i, s in enumerate(STAGES)}
    chosen.sort(key=lambda c: rank[c.stage])  # stable: safeguarding questions stay first within opening
    return PromptSet(situation=situation, setting=setting, safeguarding=sg, prompts=chosen,
                     details=_by_kind(details))


# ------------------------------------------------------------------ rendering

def to_markdown(prompt_set: PromptSet) -> str:
    """A copy-pasteable Markdown document: safeguarding first, details, then prompts by stage."""
    ps = prompt_set
    lines = [f"# Strengths-focused conversation prompts ({ps.setting})", ""]
    if ps.safeguarding.flag:
        lines += ["> **Safeguarding — act on this first.** " + ps.safeguarding.guidance, ">"]
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
            kind = ", ".join(x for x in (p.theme, p.question_type, p.approach) if x)
            mine = " (uses a detail from the situation)" if p.personalised else ""
            lines += [f"{number}. **{p.text}**", f"   - Why: {p.rationale}{mine} _({kind})_"]
            for c in p.citations:
                where = f"{c.title} — {c.section}" if c.section else c.title
                lines.append(f"   - Guidance: {where}: “{c.quote}”")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
