"""The parse cache: a file's cleaned document remembered by its bytes, so an unchanged file is never parsed twice."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import uuid
from pathlib import Path

from assistant.ingest.clean import slugify
from assistant.ingest.loaders import load_path
from assistant.settings import Settings
from assistant.textutil import sha1
from assistant.types import Document

log = logging.getLogger(__name__)

def safe_filename(name: str) -> str:
    """A file name with no path parts, no leading dots and only safe characters."""
    raw = Path(name.replace("\\", "/")).name
    base = raw.lstrip(".")
    stem, ext = os.path.splitext(base)
    if not ext and base != raw and "." not in base:  # "....md": the whole remaining name was the extension
        stem, ext = "", "." + base
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip(" .") or "document"
    return f"{stem[:100]}{ext.lower()[:10]}"



def parse_cache_dir(settings: Settings) -> Path:
    return settings.index_root / "parsed"


@functools.cache
def _reader_version() -> str:
    """A hash of the ingest code and data: any change to a reader makes every cached parse stale."""
    src = Path(load_path.__code__.co_filename).parent
    return sha1("".join(p.read_text(encoding="utf-8") for p in sorted(src.glob("*.py")) + sorted(src.glob("*.yaml"))))[:12]


def load_cached(settings: Settings, f: Path, used: set[str] | None = None) -> Document:
    """load_path, remembered by the file's bytes: an unchanged file is never parsed twice."""
    try:
        # The name is part of the key: a document without a title is called after its file.
        key = sha1(f"{_reader_version()}:{safe_filename(f.name)}:{settings.max_file_mb}")[:16] + \
            hashlib.sha1(f.read_bytes()).hexdigest()[:24]
    except OSError:
        return load_path(f, settings.max_file_mb)  # let the loader say what is wrong with it
    if used is not None:
        used.add(key)
    cached = parse_cache_dir(settings) / f"{key}.json"
    try:
        d = Document.model_validate_json(cached.read_text(encoding="utf-8"))
        return d.model_copy(update={"doc_id": slugify(f.stem), "source_path": str(f)})
    except (OSError, ValueError):
        pass
    d = load_path(f, settings.max_file_mb)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{uuid.uuid4().hex[:6]}.part")
        tmp.write_text(d.model_dump_json(), encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:  # a read-only or full disk costs a re-parse next time, nothing more
        log.debug("could not write the parse cache at %s", cached)
    return d


def _prune_parse_cache(settings: Settings, used: set[str]) -> None:
    for p in parse_cache_dir(settings).glob("*.json") if parse_cache_dir(settings).is_dir() else []:
        if p.stem not in used:
            p.unlink(missing_ok=True)
