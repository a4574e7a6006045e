"""PDF files: text per page, running headers, footers and page numbers removed, lines reflowed."""

from __future__ import annotations

import io
import re
from pathlib import Path

from assistant.errors import LoaderError
from assistant.ingest.clean import as_str, clean_text, join_blocks, make_document
from assistant.types import Document


def load_pdf(data: bytes, path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    name = path.name
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoaderError(f"{name}: the PDF is password-protected; save a copy without a password and try again")
        if len(reader.pages) == 0:
            raise LoaderError(f"{name}: the PDF has no pages (it may be damaged); export or download it again")
        raw_pages = [(p.extract_text() or "") for p in reader.pages]
        meta = _pdf_meta(reader)
    except LoaderError:
        raise
    except (DependencyError, FileNotDecryptedError) as e:
        raise LoaderError(f"{name}: the PDF is encrypted; save a copy without a password and try again") from e
    except Exception as e:  # pypdf raises a wide variety of errors on damaged or hostile input
        if b"%%EOF" not in data[-2048:]:
            raise LoaderError(f"{name}: the PDF is incomplete (it ends early, as if the download was cut off); "
                              "download or export it again") from e
        raise LoaderError(f"{name}: the PDF is damaged and cannot be read ({e.__class__.__name__}); "
                          "open it and export a fresh PDF, or save it as text") from e
    text, starts = "", []
    running = _running_lines(raw_pages)
    for page in raw_pages:
        starts.append(len(text))
        cleaned = _reflow(clean_text(_drop_page_furniture(page, running))).strip()
        if cleaned:
            text += cleaned + "\n\n"
    text = text.rstrip() + "\n"
    return make_document(path, meta, text, pages=[min(s, len(text)) for s in starts])


def _pdf_meta(reader) -> dict:
    info = reader.metadata or {}

    def get(key: str) -> str:
        try:
            return as_str(info.get(key))
        except Exception:  # a broken info dictionary must not stop the text being read
            return ""

    title = get("/Title")
    # Word exports often carry the source file name as the title: that is no title at all.
    if re.search(r"\.(?:docx?|pdf|indd|txt|rtf)$|^microsoft word\b|^untitled\b", title, re.IGNORECASE):
        title = ""
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", get("/CreationDate"))
    return {"title": title, "author": get("/Author"), "date": "-".join(m.groups()) if m else ""}


_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)


def _running_lines(pages: list[str]) -> set[str]:
    """Headers and footers: first/last lines repeated (digits aside) on most pages of a long document."""
    if len(pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for page in pages:
        lines = [x.strip() for x in page.split("\n") if x.strip()]
        for line in {re.sub(r"\d+", "#", x) for x in lines[:1] + lines[-1:]}:
            counts[line] = counts.get(line, 0) + 1
    return {line for line, n in counts.items() if n > len(pages) / 2 and len(line) < 120}


def _drop_page_furniture(page: str, running: set[str]) -> str:
    lines = page.split("\n")
    filled = [i for i, x in enumerate(lines) if x.strip()]
    first, last = (filled[0], filled[-1]) if filled else (-1, -1)
    keep = []
    for i, line in enumerate(lines):
        s = line.strip()
        if i in (first, last) and re.sub(r"\d+", "#", s) in running:
            continue
        # A bare number is a page number only at the foot; at the top it may be a chapter number.
        if (i == last or s.lower().startswith("page")) and i in (first, last) and _PAGE_NUMBER.match(s):
            continue
        keep.append(line)
    return "\n".join(keep)


# A list mark always starts a new block; a number such as "6.64", "3." or "(a)" does after a sentence ends
# (mid-sentence, "paragraph\n6.64 says" or "described\n10 features" is just a wrapped line).
_LIST_START = re.compile(r"^[-•]\s")
_NUMBER_START = re.compile(r"^(?:\(?\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[a-z]{1,3}\)|[a-z]\.)\s+\S")
_SENTENCE_END = re.compile(r"[.:;!?][\"'”’)\]]*$")


def _reflow(page: str) -> str:
    """Join a PDF's hard-wrapped lines back into paragraphs; a short line ends its paragraph."""
    lines = page.split("\n")
    width = max((len(x) for x in lines), default=0)
    out: list[str] = []
    last = ""  # the previous raw line: its length tells whether the paragraph went on
    for line in lines:
        starts_block = _LIST_START.match(line) or (_NUMBER_START.match(line) and _SENTENCE_END.search(last))
        if out and out[-1] and line and len(last) >= 0.75 * width and not starts_block:
            glue = "" if re.search(r"[A-Za-z]-$", last) and line[:1].islower() else " "
            out[-1] += glue + line
        else:
            out.append(line)
        last = line
    return join_blocks([b for b in out if b.strip()])
