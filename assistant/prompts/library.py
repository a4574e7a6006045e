"""The prompt library: load corpus/prompts/library.yaml, validate every entry, resolve its citations.

Each quote must be a verbatim substring of a guidance document; a quote that stops
matching (after either file is edited) makes the library refuse to load, naming the
entry, so citations never silently drift. The same open-question and deficit checks
that gate library entries gate every generated or model-proposed prompt (`accept_extra`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import AssistantError
from assistant.ingest.loaders import load_path
from assistant.safety.language import find_deficits, is_open_question
from assistant.settings import REPO_DIR, get_settings
from assistant.types import SETTINGS, Citation, Document

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



# ------------------------------------------------------------------ loading and validation

def library_root(corpus_dir: Path | str | None) -> Path:
    """The corpus folder holding prompts/ and guidance/ (the bundled one when settings point elsewhere)."""
    if corpus_dir is not None:
        root = Path(corpus_dir)
        if not (root / "prompts" / "library.yaml").is_file():
            raise LibraryError(f"No prompt library at {root / 'prompts' / 'library.yaml'}; "
                               "copy corpus/prompts/ from the project into that folder.")
        return root
    root = get_settings().corpus_path
    return root if (root / "prompts" / "library.yaml").is_file() else REPO_DIR / "corpus"


def library_stamp(root: Path) -> tuple:
    files = [root / "prompts" / "library.yaml", root / "prompts" / "details.yaml"]
    files += sorted((root / "guidance").glob("*.md"))
    return tuple((str(f), f.stat().st_mtime_ns) for f in files if f.is_file())


def load_library(corpus_dir: Path | str | None = None) -> list[LibraryPrompt]:
    """Load and validate corpus/prompts/library.yaml (cached until a file changes)."""
    root = library_root(corpus_dir)
    return list(_load_cached(root, library_stamp(root))[0])


def safeguarding_citations(corpus_dir: Path | str | None = None) -> list[Citation]:
    """Citations for the person-led questions that lead a set when safeguarding is flagged."""
    root = library_root(corpus_dir)
    return list(_load_cached(root, library_stamp(root))[1])


@functools.lru_cache(maxsize=4)
def _load_cached(root: Path, library_stamp: tuple) -> tuple[tuple[LibraryPrompt, ...], tuple[Citation, ...]]:
    path = root / "prompts" / "library.yaml"
    data = read_yaml(path)
    docs = _docs_cached(root, library_stamp)
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


def guidance_docs(corpus_dir: Path | str | None = None) -> dict[str, Document]:
    """The cleaned guidance documents the library's quotes are checked against (cached until a file changes)."""
    root = library_root(corpus_dir)
    return _docs_cached(root, library_stamp(root))


@functools.lru_cache(maxsize=4)
def _docs_cached(root: Path, library_stamp: tuple) -> dict[str, Document]:
    return _load_docs(root / "guidance")


def read_yaml(path: Path) -> Any:
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
    problem = question_problem(text)
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


def question_problem(text: str) -> str:
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
    problem = question_problem(sample[0].upper() + sample[1:])
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


def accept_extra(prompt_text: str) -> bool:
    """True when a proposed prompt (e.g. from an LLM) is an open, deficit-free question fit to show."""
    if not isinstance(prompt_text, str):
        return False
    return _accept(" ".join(prompt_text.split()))


@functools.lru_cache(maxsize=4096)
def _accept(text: str) -> bool:
    return 8 <= len(text) <= 300 and not question_problem(text)
