"""Turn .md / .txt / .html / .pdf / .docx files into cleaned Document records.

Every loader produces the same shape of text: paragraphs separated by blank
lines, headings as Markdown `#` lines, list items as `- ` lines. Offsets and
quotes everywhere else refer to this cleaned text.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import LoaderError
from assistant.ingest.docx import load_docx
from assistant.ingest.html import load_html
from assistant.ingest.pdf import load_pdf
from assistant.ingest.text import load_text
from assistant.types import Document

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")


def load_path(path: Path, max_mb: float = 25.0) -> Document:
    """Load one file, or raise LoaderError saying why it cannot be used."""
    path = Path(path)
    data = _read_checked(path, max_mb)
    ext = path.suffix.lower()
    _check_content_matches(data, ext, path.name)
    reader = {".pdf": load_pdf, ".docx": load_docx, ".html": load_html, ".htm": load_html}.get(ext, load_text)
    doc = reader(data, path)
    if len(re.sub(r"\s+", "", doc.text)) < 20:
        hint = "a scanned PDF needs OCR first" if ext == ".pdf" else "is the document empty?"
        raise LoaderError(f"{path.name}: no readable text found ({hint})")
    return doc


def _read_checked(path: Path, max_mb: float) -> bytes:
    if not path.exists():
        raise LoaderError(f"{path.name}: no such file ({path}); check the path")
    if not path.is_file():
        raise LoaderError(f"{path.name}: not a file; give a file, or a folder to load every file in it")
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise LoaderError(f"{path.name}: unsupported file type '{ext or 'none'}' (use {', '.join(SUPPORTED)})")
    size = path.stat().st_size
    if size == 0:
        raise LoaderError(f"{path.name}: the file is empty (0 bytes); save it again with its content")
    if size > max_mb * 1024 * 1024:
        raise LoaderError(f"{path.name}: {size / 1e6:.1f} MB is over the {max_mb:g} MB limit; "
                          "split the document or raise ASSISTANT_MAX_FILE_MB")
    try:
        return path.read_bytes()
    except OSError as e:
        raise LoaderError(f"{path.name}: cannot be read ({e.strerror or e}); check its permissions") from e


# Leading bytes of formats people rename by mistake: (magic, what it is, the extension it needs or a fix).
_SIGNATURES = (
    (b"%PDF-", "a PDF", "rename it to .pdf"),
    (b"PK\x03\x04", "a zip archive (for example a Word .docx)", "rename it to .docx if it is a Word document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-format Office file (.doc/.xls)",
     "open it in Word and save it as .docx"),
    (b"{\\rtf", "a Rich Text (.rtf) file", "open it in Word and save it as .docx"),
    (b"\x89PNG", "a PNG image", "the assistant reads text, PDF and Word files only"),
    (b"\xff\xd8\xff", "a JPEG image", "the assistant reads text, PDF and Word files only"),
    (b"GIF8", "a GIF image", "the assistant reads text, PDF and Word files only"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
)


def _check_content_matches(data: bytes, ext: str, name: str) -> None:
    """Refuse a file whose bytes say it is something other than its extension claims."""
    found = next(((what, fix) for magic, what, fix in _SIGNATURES if data.startswith(magic)), None)
    if ext == ".pdf":
        if b"%PDF-" in data[:1024]:
            return
        if found is None and re.search(rb"<(?:!doctype html|html)", data[:1024], re.IGNORECASE):
            found = ("a web page", "rename it to .html")
    elif ext == ".docx":
        if found is not None and found[0].startswith("a zip"):
            return
        if found is None:
            found = ("not a Word .docx file (a .docx is a zip archive)", "open it in Word and save it as .docx")
    if found is None:
        if ext == ".pdf":
            raise LoaderError(f"{name}: not a PDF (it does not start with %PDF); export or download it again")
        return
    what, fix = found
    prefix = what if what.startswith("not ") else f"this is {what} with a '{ext}' name"
    raise LoaderError(f"{name}: {prefix}; {fix}")


def iter_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the files they hold (sorted, hidden files and folders skipped), keeping files as given."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file()
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out
