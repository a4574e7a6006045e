"""The batch JSONL protocol (DESIGN.md): one JSON object in per line, one out, same order, same id."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from typing import IO, Any

from pydantic import ValidationError

from assistant.errors import AssistantError
from assistant.types import SETTINGS

Handler = Callable[[Any, dict], dict]


def _search(a, line: dict) -> dict:
    k = line.get("k")
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 100):
        raise AssistantError("'k' must be a whole number from 1 to 100")
    hits = a.search(_field(line, "query"), k)
    return {"results": [h.model_dump(include={"rank", "chunk_id", "doc_id", "title", "text", "score", "section",
                                              "locator", "start", "end", "publisher", "dense", "lexical"})
                        for h in hits]}


def _ask(a, line: dict) -> dict:
    history = line.get("history") or []
    if not isinstance(history, list):
        raise AssistantError("'history' must be a list of {role, content} objects")
    ans = a.ask(_field(line, "question"), history)
    return {"answer": ans.answer, "abstained": ans.abstained, "searched_query": ans.searched_query,
            "citations": [c.model_dump() for c in ans.citations], "notices": ans.notices, "removed": ans.removed,
            "closest": [p.model_dump(include={"doc_id", "title", "text", "section", "locator", "score"})
                        for p in ans.closest]}


def _prompts(a, line: dict) -> dict:
    setting = line.get("setting") or "adults"
    if setting not in SETTINGS:
        raise AssistantError(f"'setting' must be one of {', '.join(SETTINGS)}")
    ps = a.prompts(_field(line, "situation"), setting=setting, stage=line.get("stage"), n=line.get("n") or 10)
    return {"safeguarding": ps.safeguarding.model_dump(), "details": ps.details,
            "prompts": [p.model_dump() for p in ps.prompts]}


def _check(a, line: dict) -> dict:
    rep = a.check(_field(line, "text"))
    return {"claims": [c.model_dump() for c in rep.claims]}


HANDLERS: dict[str, Handler] = {"search": _search, "ask": _ask, "prompts": _prompts, "check": _check}


def _field(line: dict, name: str) -> str:
    if name not in line:
        raise AssistantError(f"missing field '{name}'")
    value = line[name]
    if not isinstance(value, str):
        raise AssistantError(f"field '{name}' must be a string")
    return value


def run_batch(assistant, command: str, lines: Iterable[str], out: IO[str] = sys.stdout,
              log: IO[str] = sys.stderr) -> int:
    """Process every line; a bad line yields an error object and the batch goes on. Returns the error count."""
    handler = HANDLERS[command]
    errors = 0
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        result: dict = {"id": None}
        try:
            line = json.loads(raw)
            if not isinstance(line, dict):
                raise AssistantError("each line must be a JSON object")
            result["id"] = line.get("id")
            result.update(handler(assistant, line))
        except json.JSONDecodeError as e:
            result["error"] = f"line {n}: not valid JSON ({e.msg} at column {e.colno})"
        except (AssistantError, ValidationError) as e:
            result["error"] = f"line {n}: {_one_line(e)}"
        if "error" in result:
            errors += 1
            print(result["error"], file=log)
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return errors


def _one_line(e: Exception) -> str:
    if isinstance(e, ValidationError):
        err = e.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(e)
