"""Practitioners' feedback on answers, kept as JSONL beside the indexes and turned into eval cases.

Only the question, the answer, its citations, the kind of feedback, an optional note the
user typed and the time are stored: no names, addresses, sessions or conversation history.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from assistant.errors import InputError
from assistant.settings import Settings
from assistant.textutil import sha1
from assistant.types import Answer

KINDS = ("helpful", "unhelpful", "wrong_citation")
TO_LABEL = ("unhelpful", "wrong_citation")  # feedback that says an answer needs a gold label
MAX_NOTE_CHARS = 1000
_CITATION_FIELDS = ("marker", "doc_id", "chunk_id", "title", "quote", "start", "end", "section", "locator")
_lock = threading.Lock()  # one app process, many worker threads: keep each line whole


def feedback_path(settings: Settings) -> Path:
    return settings.index_root / "feedback.jsonl"


def record(settings: Settings, kind: str, question: str, answer: Answer, note: str = "", answer_id: str = "") -> dict:
    """Append one feedback line; return what was stored.

    `answer_id` names one answer shown in the app: a later rating of the same answer replaces this one.
    """
    if kind not in KINDS:
        raise InputError(f"Unknown feedback kind '{kind}': use one of {', '.join(KINDS)}.")
    if not isinstance(answer, Answer):
        answer = Answer.model_validate(answer)
    line = {
        "time": dt.datetime.now().isoformat(timespec="seconds"),
        "kind": kind,
        "question": (question or answer.question).strip(),
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [{k: getattr(c, k) for k in _CITATION_FIELDS} for c in answer.citations],
        "note": (note or "").strip()[:MAX_NOTE_CHARS],
    }
    if answer_id:
        line["answer_id"] = str(answer_id)[:64]
    _append(settings, line)
    return line


def withdraw(settings: Settings, answer_id: str) -> None:
    """The user took back their rating of this answer: it no longer counts."""
    _append(settings, {"time": dt.datetime.now().isoformat(timespec="seconds"), "kind": "withdrawn",
                       "answer_id": str(answer_id)[:64]})


def _append(settings: Settings, line: dict) -> None:
    path = feedback_path(settings)
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def read_all(settings: Settings) -> list[dict]:
    """Every feedback that still counts, oldest first: the latest rating of each answer, none if withdrawn."""
    path = feedback_path(settings)
    if not path.is_file():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(raw)
        except ValueError:
            continue  # a line cut short by a crash must not hide the rest
        if isinstance(item, dict) and (item.get("question") or item.get("answer_id")):
            out.append(item)
    latest = {item["answer_id"]: n for n, item in enumerate(out) if item.get("answer_id")}
    return [item for n, item in enumerate(out) if item.get("question") and item.get("kind") != "withdrawn"
            and latest.get(item.get("answer_id"), n) == n]


def export_eval_cases(settings: Settings) -> list[dict]:
    """Questions users marked 👎 or 'wrong citation', as eval lines with an empty gold list to fill in."""
    cases: dict[str, dict] = {}
    for item in read_all(settings):
        if item.get("kind") not in TO_LABEL:
            continue
        q = item["question"]
        key = " ".join(q.lower().split())
        case = cases.setdefault(key, {"id": "fb-" + sha1(key)[:8], "question": q, "gold": [], "note": ""})
        note = "; ".join(x for x in (item.get("kind", "").replace("_", " "), item.get("note", "")) if x)
        if note and note not in case["note"]:
            case["note"] = f"{case['note']} | {note}" if case["note"] else note
    return list(cases.values())
