"""Plain text and Markdown, with optional YAML front matter for title, publisher and the rest."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assistant.errors import LoaderError
from assistant.ingest.clean import LINE_BREAKS, clean_text, decode_text, make_document
from assistant.ingest.webclean import clean_web_markdown
from assistant.types import Document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL | re.MULTILINE)


def load_text(data: bytes, path: Path) -> Document:
    raw = LINE_BREAKS.sub("\n", decode_text(data, path.name))
    meta, raw = front_matter(raw, path.name)
    if path.suffix.lower() in (".md", ".markdown"):
        raw = clean_web_markdown(raw)
        if not meta.get("title"):
            meta = {**meta, "title": main_heading(raw)}
    return make_document(path, meta, clean_text(raw))


def main_heading(markdown: str) -> str:
    """The page's top heading (the highest level, first of them): what a saved web page is called."""
    heads = re.findall(r"(?m)^(#{1,6})\s+(.*\S)\s*$", markdown)
    if not heads:
        return ""
    top = min(len(h) for h, _ in heads)
    return next(t for h, t in heads if len(h) == top)


def front_matter(raw: str, name: str) -> tuple[dict, str]:
    m = _FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" near line {where.line + 2}" if where is not None else ""
        raise LoaderError(f"{name}: the YAML front matter is malformed{line}; fix it or remove the --- block") from e
    return (meta if isinstance(meta, dict) else {}), raw[m.end():]
