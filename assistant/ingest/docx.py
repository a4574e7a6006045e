"""Word .docx files, checked as zip archives first (size, ratio, and what kind of Office file it is)."""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from assistant.errors import LoaderError
import yaml

from assistant.ingest.clean import clean_text, date_from_text, join_blocks, make_document
from assistant.types import Document

_MAX_UNZIPPED = 200 * 1024 * 1024
_MAX_RATIO = 200  # real .docx files expand 3-20x; far more than this is a zip bomb
_NOT_WORD = {"xl/workbook.xml": "an Excel workbook", "ppt/presentation.xml": "a PowerPoint presentation",
             "mimetype": "an OpenDocument or e-book file", "content.xml": "an OpenDocument file"}


def load_docx(data: bytes, path: Path) -> Document:
    name = path.name
    try:
        check_zip(data, name)
        import docx

        d = docx.Document(io.BytesIO(data))
        blocks = _docx_blocks(d)
        meta = _core_meta(d.core_properties)
    except LoaderError:
        raise
    except Exception as e:  # python-docx / lxml / zipfile raise many types on damaged files
        raise LoaderError(f"{name}: the Word document is damaged and cannot be read ({e.__class__.__name__}); "
                          "open it in Word and save it again") from e
    text = clean_text(join_blocks(blocks))
    meta["date"] = meta["date"] or date_from_text(text)
    if not meta["title"]:
        m = re.search(r"(?m)^#{1,6} (.+)$", text)
        meta["title"] = m.group(1) if m else ""
    return make_document(path, meta, text)


@functools.cache
def _defaults() -> dict:
    data = yaml.safe_load(Path(__file__).with_name("metadata_defaults.yaml").read_text(encoding="utf-8"))
    return {k: {str(x).lower() for x in v} for k, v in data.items()}


def _core_meta(cp) -> dict:
    """Title, author and date from the core properties, unless they are a template's or a library's own."""
    known = _defaults()
    title = (cp.title or "").strip()
    author = (cp.author or "").strip()
    stamp = cp.created.replace(tzinfo=None).isoformat(timespec="seconds") if cp.created else ""
    return {"title": "" if title.lower() in known["titles"] else title,
            "author": "" if author.lower() in known["authors"] else author,
            "date": "" if not stamp or stamp.lower() in known["dates"] else stamp[:10]}


def check_zip(data: bytes, name: str) -> None:
    """Refuse archives that are not Word documents or would expand to an unreasonable size."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as e:
        raise LoaderError(f"{name}: not a Word .docx file (the zip archive is damaged); "
                          "open it in Word and save it as .docx") from e
    bomb = f"{name}: the archive would expand far beyond its size — refused as a possible zip bomb; " \
           "save the document again from Word"
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if len(infos) > 5000 or total > _MAX_UNZIPPED or total > _MAX_RATIO * len(data):
            raise LoaderError(bomb)
        names = set(zf.namelist())
    if "word/document.xml" not in names:
        what = next((v for k, v in _NOT_WORD.items() if k in names), "a zip archive")
        raise LoaderError(f"{name}: this is {what}, not a Word document; save it from Word as .docx")
    for info in infos:
        if info.flag_bits & 1:
            raise LoaderError(f"{name}: the Word document is password-protected; save a copy without a password")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise LoaderError(f"{name}: the archive uses a compression Word never writes; save it again from Word")
        # zipfile trusts the declared sizes and inflates a whole member in one go: check what it really holds.
        if _inflated_size(data, info) > info.file_size:
            raise LoaderError(bomb)


def _inflated_size(data: bytes, info: zipfile.ZipInfo) -> int:
    """Bytes a member really inflates to, counted in bounded steps and stopped just past its declared size."""
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    pending = data[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(pending)
    inflater, total = zlib.decompressobj(-15), 0
    while not inflater.eof and total <= info.file_size:
        out = inflater.decompress(pending, 1 << 20)
        pending = inflater.unconsumed_tail
        total += len(out)
        if not out and not pending:
            break
    return total


def _docx_blocks(d) -> list[str]:
    """Paragraphs and table cells in reading order (cells row by row, merged cells once)."""
    from docx.table import Table

    blocks: list[str] = []
    stack = [(x, False) for x in reversed(list(d.iter_inner_content()))]
    while stack:
        item, in_table = stack.pop()
        if isinstance(item, Table):
            cells = [c for row in item.rows for c in row.cells]
            seen: set[int] = set()  # ids stay valid while `cells` holds the elements
            fresh = [c for c in cells if not (id(c._tc) in seen or seen.add(id(c._tc)))]
            stack.extend(reversed([(x, True) for c in fresh for x in c.iter_inner_content()]))
            continue
        block = _docx_paragraph(item, in_table)
        if block:
            blocks.append(block)
    return blocks


def _docx_paragraph(p, in_table: bool = False) -> str:
    text = p.text.strip()
    if not text:
        return ""
    style = (p.style.name if p.style is not None else "") or ""
    m = re.match(r"heading (\d)", style, re.IGNORECASE)
    numbered = p._p.pPr is not None and p._p.pPr.numPr is not None
    # Bold labels in a form's table cells ("Name of child") are not the document's sections.
    level = (int(m.group(1)) if m else 1 if style == "Title" else _outline_level(p)
             or (0 if in_table else _bold_heading_level(p, text)))
    if level:
        return "#" * min(level, 6) + " " + " ".join(text.split())
    if (style.startswith("List") and not style.startswith("List Continue")) or numbered:
        return "- " + " ".join(text.split())
    return text


def _outline_level(p) -> int:
    """A paragraph (or its style) given an outline level in Word's paragraph settings: 0 is level 1."""
    for el in (p._p, getattr(p.style, "element", None)):
        found = el.xpath("./w:pPr/w:outlineLvl/@w:val") if el is not None else []
        if found and found[0].isdigit() and int(found[0]) < 9:
            return int(found[0]) + 1
    return 0


def _bold_heading_level(p, text: str) -> int:
    """A short paragraph set wholly in bold, with no closing full stop, is a heading (most council
    documents mark headings this way, with no heading style)."""
    runs = [r for r in p.runs if r.text.strip()]
    if not runs or len(text.split()) > 12 or text.endswith((".", ",", ";", ":")) and not text.endswith("…:"):
        return 0
    style_bold = bool(p.style is not None and p.style.font is not None and p.style.font.bold)
    if all(r.bold or (r.bold is None and style_bold) for r in runs):
        return 2
    return 0
