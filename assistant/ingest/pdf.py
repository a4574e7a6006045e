"""PDF files: opened with pypdf (encryption, metadata), laid out from pypdfium2's characters (positions, fonts, sizes).

pypdfium2 (Google's PDFium) gives every character with its box, font name, weight and size, which the
layout reading in `pdf_layout` needs, about seven times faster than pdfplumber/pdfminer.six gives the same
(docs/benchmarks.md). PDFium opens owner-restricted copies (AES or RC4, no password to open) itself.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from assistant.errors import LoaderError
from assistant.ingest import pdf_layout as lay
from assistant.ingest.clean import as_str, clean_text, date_from_text, make_document
from assistant.types import Document


def load_pdf(data: bytes, path: Path) -> Document:
    name = path.name
    reader, data = _open(data, name)
    meta = _pdf_meta(reader)
    try:
        pages = _pdfium_pages(data)
    except LoaderError:
        raise
    except Exception as e:  # pdfium refuses damaged or hostile input in many ways
        raise LoaderError(f"{name}: the PDF is damaged and cannot be read ({e.__class__.__name__}); "
                          "open it and export a fresh PDF, or save it as text") from e
    text, starts, title = compose([p for p, _ in pages], [w for _, w in pages])
    meta["title"] = meta["title"] or title
    meta["date"] = meta["date"] or date_from_text(text)
    return make_document(path, meta, text, pages=starts)


def _open(data: bytes, name: str):
    """A pypdf reader (metadata, and whether a password is needed to open the file) and the bytes to lay out."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            if not reader.decrypt(""):
                raise LoaderError(f"{name}: the PDF needs a password to open; open it with the password, "
                                  "save a copy without one (Print > Save as PDF) and add that copy")
        if len(reader.pages) == 0:
            raise LoaderError(f"{name}: the PDF has no pages (it may be damaged); export or download it again")
    except LoaderError:
        raise
    except (DependencyError, FileNotDecryptedError) as e:
        raise LoaderError(f"{name}: the PDF is encrypted in a way this installation cannot read ({e}); "
                          "install the 'cryptography' package or save a copy without a password") from e
    except Exception as e:  # pypdf raises a wide variety of errors on damaged or hostile input
        if b"%%EOF" not in data[-2048:]:
            raise LoaderError(f"{name}: the PDF is incomplete (it ends early, as if the download was cut off); "
                              "download or export it again") from e
        raise LoaderError(f"{name}: the PDF is damaged and cannot be read ({e.__class__.__name__}); "
                          "open it and export a fresh PDF, or save it as text") from e
    return reader, data


_PDFIUM = threading.Lock()  # PDFium is not thread-safe: the app may read two uploads at once


def _pdfium_pages(data: bytes) -> list[tuple[list[lay.Line], float]]:
    """Every page's lines, from pdfium's characters with their boxes, font names, weights and sizes."""
    with _PDFIUM:
        return _read_pages(data)


def _read_pages(data: bytes) -> list[tuple[list[lay.Line], float]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)  # an owner-restricted copy (AES or RC4) opens without a password
    try:
        out = []
        for i in range(len(pdf)):
            page = pdf[i]
            width, height = page.get_size()
            out.append((lay.page_lines(_pdfium_chars(page, height), i), float(width)))
        return out
    finally:
        pdf.close()


def _pdfium_chars(page, height: float) -> list[dict]:
    """Characters as dicts (text, x0, x1, top, bottom, size, fontname), top-down like the page is read."""
    import ctypes
    import math

    import pypdfium2.raw as raw

    tp = page.get_textpage()
    box, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    name, flags = ctypes.create_string_buffer(128), ctypes.c_int()
    chars = []
    for i in range(raw.FPDFText_CountChars(tp)):
        code = raw.FPDFText_GetUnicode(tp, i)
        if code == 2 or raw.FPDFText_IsHyphen(tp, i) == 1:  # pdfium's mark for a hyphen that ends a line
            code = ord("-")
        if code <= 32 or raw.FPDFText_IsGenerated(tp, i) or 0xD800 <= code <= 0xDFFF or code >= 0xFFFE:
            continue
        angle = raw.FPDFText_GetCharAngle(tp, i)
        raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(box))
        raw.FPDFText_GetMatrix(tp, i, ctypes.byref(matrix))
        raw.FPDFText_GetFontInfo(tp, i, name, len(name), ctypes.byref(flags))
        # The size pdfium reports is the Tf operand; what is printed is that times the text matrix's scale.
        size = raw.FPDFText_GetFontSize(tp, i) * math.hypot(matrix.c, matrix.d)
        bold = raw.FPDFText_GetFontWeight(tp, i) >= 600
        chars.append({"text": chr(code), "x0": box.left, "x1": box.right, "top": height - box.top,
                      "bottom": height - box.bottom, "size": size or (box.top - box.bottom),
                      "fontname": name.value.decode("latin-1") + (" Bold" if bold else ""),
                      "upright": min(angle, 2 * math.pi - angle) < 0.1 if angle >= 0 else True})
    tp.close()
    return chars


def _pdf_meta(reader) -> dict:
    try:
        info = reader.metadata or {}
    except Exception:  # a broken info dictionary must not stop the text being read
        info = {}

    def get(key: str) -> str:
        try:
            return as_str(info.get(key))
        except Exception:
            return ""

    title = get("/Title")
    # Word exports often carry the source file name as the title: that is no title at all.
    if re.search(r"\.(?:docx?|pdf|indd|txt|rtf)$|^microsoft word\b|^untitled\b|^document\d*$", title, re.IGNORECASE):
        title = ""
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", get("/CreationDate"))
    return {"title": title, "author": get("/Author"), "date": "-".join(m.groups()) if m else ""}


def compose(pages: list[list[lay.Line]], widths: list[float]) -> tuple[str, list[int], str]:
    """Cleaned text, the offset where each page starts, and the first page's title heading."""
    bodies, _furniture = lay.split_furniture(pages, lay.body_size(pages))
    size = lay.body_size(bodies)
    pitch = lay.line_pitch(bodies, size)
    per_page: list[tuple[list[lay.Block], list[lay.Block]]] = []
    for lines, width in zip(bodies, widths):
        main, notes = lay.split_footnotes(lines, size)
        main = lay.drop_contents(main, width, len(pages))
        per_page.append((lay.blocks(lay.reading_order(main, width), size, pitch), _footnotes(notes)))
    lay.heading_levels([b for page, _ in per_page for b in page])
    title = _take_title(per_page, size)
    return (*_render(per_page), title)


def _footnotes(lines: list[lay.Line]) -> list[lay.Block]:
    out: list[lay.Block] = []
    for ln in lines:
        m = re.match(r"(\d{1,3})(?=[A-Z])", ln.text)
        if m:  # "42Counted": the number printed tight against the note
            ln.text = f"{m.group(1)} {ln.text[m.end():]}"
        if ln.lead_mark:
            ln.text, ln.lead_mark = f"{ln.lead_mark} {ln.text}", ""
        if not out or re.match(r"\d{1,3}\s", ln.text):
            out.append(lay.Block([ln], "footnote"))
        else:
            out[-1].lines.append(ln)
    return out


def _take_title(per_page, size: float) -> str:
    """The largest heading on the first page with text is the document's title. Set larger than any heading
    after it, it is a cover title and leaves the text; otherwise it also stays as the first section."""
    for i, (blocks, _) in enumerate(per_page):
        heads = [b for b in blocks if b.kind == "heading" and b.lines[0].size >= 1.3 * size]
        if not blocks:
            continue
        if not heads:
            return ""
        top = max(heads, key=lambda b: b.lines[0].size)
        later = [b.lines[0].size for page, _ in per_page[i:] for b in page if b.kind == "heading" and b is not top]
        if all(s < top.lines[0].size for s in later):
            blocks.remove(top)
        return " ".join(top.text.split())
    return ""


def _resolve_hyphens(texts: list[str]) -> list[str]:
    """A word broken over two lines ("recog-" / "nised") is one word when the document also prints it
    unbroken and never with the hyphen; otherwise the hyphen was a real one ("strengths-based")."""
    broken = re.compile(r"([A-Za-z]+)-" + lay.LINE_HYPHEN + r"([a-z]+)")
    words = set(re.findall(r"[a-z]+(?:-[a-z]+)*", broken.sub(" ", "\n".join(texts)).lower()))

    def fix(m: re.Match) -> str:
        left, right = m.group(1), m.group(2)
        one_word = (left + right).lower() in words and f"{left}-{right}".lower() not in words
        return left + right if one_word else f"{left}-{right}"

    return [broken.sub(fix, t).replace(lay.LINE_HYPHEN, "") for t in texts]


_URL_ONLY = re.compile(r"(?:\d{1,3}\s*)?(?:(?:https?://|www\.)\S+[\s,;]*)+(?:\(accessed [^)]*\))?\.?")


def _render(per_page) -> tuple[str, list[int]]:
    items: list[list] = []  # [text, page, is_paragraph_open]
    starts: list[int | None] = []
    pending: list[str] = []
    for page, (blocks, notes) in enumerate(per_page):
        first = len(items)
        for i, b in enumerate(blocks):
            text = clean_text(b.text).strip() if b.kind != "heading" else " ".join(b.text.split())
            if not text:
                continue
            if b.kind == "heading":
                text = "#" * b.level + " " + text
            elif (i == 0 and items and items[-1][2] and not lay._NUMBER_START.match(text)
                  and not text.startswith("- ")):
                items[-1][0] += " " + text  # a paragraph running on from the previous page
                items[-1][2] = b.full_last_line or not lay._SENTENCE_END.search(text)
                first = len(items)
                continue
            items.extend([n, page - 1, False] for n in pending)
            pending = []
            items.append([text, page, b.kind == "text" and (b.full_last_line or not lay._SENTENCE_END.search(text))])
        # A footnote that is only a web address is a reference, not a sentence anyone should be quoted.
        pending.extend(t for t in (clean_text(n.text).strip() for n in notes) if t and not _URL_ONLY.fullmatch(t))
        starts.append(first)
    items.extend([n, len(per_page) - 1, False] for n in pending)
    for item, fixed in zip(items, _resolve_hyphens([i[0] for i in items])):
        item[0] = fixed
    text, offsets = "", []
    for i, (t, _, _) in enumerate(items):
        if i:
            text += "\n" if t.startswith("- ") and items[i - 1][0].startswith("- ") else "\n\n"
        offsets.append(len(text))
        text += t
    text = text.rstrip() + "\n"
    page_starts = []
    for p, first in enumerate(starts):
        own = next((offsets[j] for j in range(first, len(items)) if items[j][1] >= p), len(text))
        page_starts.append(min(own, len(text)))
    return text, page_starts
