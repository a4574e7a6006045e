"""Cleaning shared by every format: page furniture, layout normalisation, ids and document metadata."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from assistant.errors import LoaderError
from assistant.types import Document

META_FIELDS = ("title", "publisher", "author", "date", "url", "audience", "jurisdiction", "doc_type", "aliases")
LIST_FIELDS = ("audience", "aliases")
# Page furniture seen on scraped guidance pages. Each pattern must match a WHOLE line, so a
# sentence that merely contains one of these words is never touched.
_FURNITURE = [
    r"top of page", r"bottom of page", r"back to top", r"skip to (?:main )?content",
    r"performance issue: if clicking on a link\b.*", r"if a flag appears next to this message\b.*",
    r"leave a (?:comment|reply)", r"we only ask for your email address\b.*",
    r"by submitting a comment you understand\b.*", r"added on",
    r"share this (?:page|article|post)", r"print this page", r"sign up to our newsletter\b.*",
    r"related (?:content|articles|pages|links)",
    # cookie banners
    r"(?:accept|reject|allow|decline) (?:all |optional |additional |analytics )?cookies",
    r"(?:manage|change|set) (?:your )?cookie (?:settings|preferences)", r"cookie (?:settings|preferences|policy)",
    r"we use (?:some )?(?:essential |necessary )?cookies\b.*", r"this (?:site|website) uses cookies\b.*",
    r"cookies on (?:this (?:site|website)|[\w.-]+)",
]
# Lone words from share/print toolbars: only ever removed when they are the entire line, unpunctuated.
_TOOLBAR_WORDS = [r"share", r"tweet", r"email", r"print", r"read more"]
_FURNITURE_RE = re.compile(
    r"^\s*(?:(?:" + "|".join(_FURNITURE) + r")\s*[.:!]?|(?:" + "|".join(_TOOLBAR_WORDS) + r"))\s*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•●▪◦·‣⁃]|[*+](?=\s))\s*")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero-width space, word joiners
LINE_BREAKS = re.compile(r"\r\n|[\r\f\v\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # every control character but tab
BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # ones that never occur in real text files


def slugify(name: str) -> str:
    """A stable, file-name-safe id: lower-case words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "document"


def clean_text(raw: str) -> str:
    """Remove page furniture and normalise layout; every other sentence is kept as it was."""
    raw = LINE_BREAKS.sub("\n", raw).replace("\u00a0", " ").translate(_INVISIBLE)
    lines: list[str] = []
    for line in raw.split("\n"):
        line = _CONTROLS.sub("", line)
        if _FURNITURE_RE.match(line):
            continue
        line = re.sub(r"[ \t]+", " ", _BULLET.sub("- ", line)).strip()
        if not line:
            if lines and lines[-1] != "":
                lines.append("")
            continue
        last = next((x for x in reversed(lines) if x), "")
        if line == last and not line.startswith("- ") and len(line.split()) >= 3:
            continue  # a title repeated by the scraper (short lines like table cells may repeat for real)
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def make_document(path: Path, meta: dict, text: str, **extra) -> Document:
    fields = {}
    for k in META_FIELDS:
        v = meta.get(k)
        v = as_list(v) if k in LIST_FIELDS else as_str(v)
        if v:
            fields[k] = v
    fields.setdefault("title", path.stem.replace("_", " ").replace("-", " ").strip() or path.name)
    return Document(doc_id=slugify(path.stem), source_path=str(path), text=text, **fields, **extra)


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_DATED = re.compile(r"\b(?:issued|published|updated|last updated|revised|reviewed|approved|effective|dated|date of issue)"
                    r"\b[:\s]*(?:on\s+|in\s+|from\s+)?(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?(" + "|".join(_MONTHS) +
                    r")\s+(\d{4})\b", re.IGNORECASE)


def date_from_text(text: str) -> str:
    """An issue date the document states near its start ("Issued March 2025" -> "2025-03")."""
    m = _DATED.search(text[:4000])
    if not m:
        return ""
    month = _MONTHS.index(m.group(2).lower()) + 1
    return f"{m.group(3)}-{month:02d}" + (f"-{int(m.group(1)):02d}" if m.group(1) else "")


def as_str(v) -> str:
    """One metadata value as a single line of text (YAML may give dates, numbers or lists)."""
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, (list, tuple)):
        return ", ".join(as_str(x) for x in v if as_str(x))
    return " ".join(_CONTROLS.sub("", str(v)).split())


def as_list(v) -> list[str]:
    if v is None:
        return []
    items = v.split(",") if isinstance(v, str) else (v if isinstance(v, (list, tuple)) else [v])
    return [s for s in (as_str(x) for x in items) if s]


def decode_text(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:8192]:
        raise LoaderError(f"{name}: this looks like a binary file, not text; give the original document")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if len(BINARY_CONTROLS.findall(text)) > max(2, len(text) // 200):  # real text has next to none
            raise LoaderError(f"{name}: this looks like a binary file, not text; give the original document")
        return text
    raise LoaderError(f"{name}: the text is not UTF-8 or Windows-1252; save it as UTF-8 and try again")


def join_blocks(blocks: list[str]) -> str:
    """Blank lines between blocks, except that consecutive list items stay together."""
    out = ""
    for i, block in enumerate(blocks):
        if i:
            out += "\n" if block.startswith("- ") and blocks[i - 1].startswith("- ") else "\n\n"
        out += block
    return out
