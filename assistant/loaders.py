"""Turn .md / .txt / .html / .pdf / .docx files into cleaned Document records.

Every loader produces the same shape of text: paragraphs separated by blank
lines, headings as Markdown `#` lines, list items as `- ` lines. Offsets and
quotes everywhere else refer to this cleaned text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import yaml

from .errors import LoaderError
from .types import Document

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")
META_FIELDS = ("title", "publisher", "author", "date", "url", "audience", "jurisdiction", "doc_type", "aliases")
_LIST_FIELDS = ("audience", "aliases")

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
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL | re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[•●▪◦·‣⁃]|[*+](?=\s))\s*")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero-width space, word joiners
_LINE_BREAKS = re.compile(r"\r\n|[\r\f\v\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # every control character but tab
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # ones that never occur in real text files


def slugify(name: str) -> str:
    """A stable, file-name-safe id: lower-case words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "document"


def clean_text(raw: str) -> str:
    """Remove page furniture and normalise layout; every other sentence is kept as it was."""
    raw = _LINE_BREAKS.sub("\n", raw).replace("\u00a0", " ").translate(_INVISIBLE)
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


def load_path(path: Path, max_mb: float = 25.0) -> Document:
    """Load one file, or raise LoaderError saying why it cannot be used."""
    path = Path(path)
    data = _read_checked(path, max_mb)
    ext = path.suffix.lower()
    _check_content_matches(data, ext, path.name)
    reader = {".pdf": _load_pdf, ".docx": _load_docx, ".html": _load_html, ".htm": _load_html}.get(ext, _load_text)
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


def _base(path: Path, meta: dict, text: str, **extra) -> Document:
    fields = {}
    for k in META_FIELDS:
        v = meta.get(k)
        v = _as_list(v) if k in _LIST_FIELDS else _as_str(v)
        if v:
            fields[k] = v
    fields.setdefault("title", path.stem.replace("_", " ").replace("-", " ").strip() or path.name)
    return Document(doc_id=slugify(path.stem), source_path=str(path), text=text, **fields, **extra)


def _as_str(v) -> str:
    """One metadata value as a single line of text (YAML may give dates, numbers or lists)."""
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()[:10]
    if isinstance(v, (list, tuple)):
        return ", ".join(_as_str(x) for x in v if _as_str(x))
    return " ".join(_CONTROLS.sub("", str(v)).split())


def _as_list(v) -> list[str]:
    if v is None:
        return []
    items = v.split(",") if isinstance(v, str) else (v if isinstance(v, (list, tuple)) else [v])
    return [s for s in (_as_str(x) for x in items) if s]


# --- plain text and Markdown -------------------------------------------------------------

def _decode(data: bytes, name: str) -> str:
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
        if len(_BINARY_CONTROLS.findall(text)) > max(2, len(text) // 200):  # real text has next to none
            raise LoaderError(f"{name}: this looks like a binary file, not text; give the original document")
        return text
    raise LoaderError(f"{name}: the text is not UTF-8 or Windows-1252; save it as UTF-8 and try again")


def _load_text(data: bytes, path: Path) -> Document:
    raw = _LINE_BREAKS.sub("\n", _decode(data, path.name))
    meta, raw = _front_matter(raw, path.name)
    return _base(path, meta, clean_text(raw))


def _front_matter(raw: str, name: str) -> tuple[dict, str]:
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


# --- HTML ----------------------------------------------------------------------------------

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "template", "object", "embed", "select", "textarea", "input", "dialog", "menu", "head"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
# Class / id / aria-label tokens of cookie banners, breadcrumbs, share bars and skip links.
# Not bare "consent": guidance pages have sections about consent.
_BOILERPLATE = re.compile(r"cookie|(?:cc|consent)-?(?:banner|manager|notice)|gdpr|breadcrumb|skip-?link|skip-?to|"
                          r"social-?share|share-?(?:bar|links|buttons|tools|this)|(?:^|\s)share(?:\s|$)|newsletter|"
                          r"site-?(?:header|footer|nav)", re.IGNORECASE)
_KEEP_ALWAYS = {"html", "body", "main", "article"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "blockquote", "pre", "table", "thead", "tbody", "tr",
               "td", "th", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address", "details",
               "summary", "center", "body", "html", "caption", "hr"}
_HEADING_TAGS = {f"h{i}": i for i in range(1, 7)}


def _load_html(data: bytes, path: Path) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode_html(data, path.name), "html.parser")
    meta = _html_meta(soup)
    _strip_boilerplate(soup)
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    return _base(path, meta, clean_text(_join_blocks(_html_blocks(root))))


def _decode_html(data: bytes, name: str) -> str:
    """Honour the page's declared charset when it has one and it fits; otherwise decode as text."""
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", data[:4096], re.IGNORECASE)
    if m and not m.group(1).lower().startswith((b"utf-16", b"utf-32")):
        try:
            text = data.decode(m.group(1).decode("ascii").lower())
            if not _BINARY_CONTROLS.search(text[:8192]):
                return text
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: fall back to detection
    return _decode(data, name)


def _html_meta(soup) -> dict:
    site = _meta(soup, "og:site_name", "publisher", "dc.publisher", "dcterms.publisher")
    title = _meta(soup, "og:title", "dc.title", "dcterms.title")
    if not title and soup.title:
        title = soup.title.get_text(" ", strip=True)
        if site:  # "<page> | <site>" titles: the site is the publisher, not part of the title
            title = re.sub(r"\s*[|–—-]\s*" + re.escape(site) + r"\s*$", "", title)
    author = _meta(soup, "author", "dc.creator", "dcterms.creator", "article:author")
    date = _meta(soup, "article:published_time", "dc.date", "dcterms.date", "dcterms.issued", "date")
    canonical = soup.find("link", rel="canonical")
    url = _meta(soup, "og:url") or (canonical.get("href", "") if canonical else "")
    return {"title": title, "publisher": site, "author": "" if author.startswith("http") else author,
            "date": date[:10] if re.match(r"\d{4}-\d{2}-\d{2}", date) else date,
            "url": url if url.startswith(("http://", "https://")) else ""}


def _meta(soup, *names: str) -> str:
    for name in names:
        pattern = re.compile(rf"^{re.escape(name)}$", re.IGNORECASE)
        tag = soup.find("meta", attrs={"property": pattern}) or soup.find("meta", attrs={"name": pattern})
        if tag and (tag.get("content") or "").strip():
            return " ".join(tag["content"].split())
    return ""


def _strip_boilerplate(soup) -> None:
    """Remove everything that is not the page's own content, including all script and style."""
    from bs4 import Tag

    # An explicit walk, not find_all + .decomposed: that property searches the subtree on every call.
    stack = [(soup, False)]
    while stack:
        node, in_content = stack.pop()
        for child in list(node.children):
            if not isinstance(child, Tag):
                continue
            keep = child.name in _KEEP_ALWAYS or (child.name == "header" and in_content)  # an article's own header
            if not keep and (child.name in _DROP_TAGS or _is_hidden(child) or _is_boilerplate(child)):
                child.decompose()
            else:
                stack.append((child, in_content or child.name in ("main", "article")))


def _is_hidden(tag) -> bool:
    style = re.sub(r"\s+", "", str(tag.get("style") or "")).lower()
    return (tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _is_boilerplate(tag) -> bool:
    if str(tag.get("role", "")).lower() in _DROP_ROLES or "cookie" in str(tag.get("aria-label", "")).lower():
        return True
    classes = tag.get("class") or []  # aria-label is free prose, so only class and id are matched as names
    names = " ".join([*(classes if isinstance(classes, list) else [classes]), str(tag.get("id") or "")])
    return bool(_BOILERPLATE.search(names))


def _html_blocks(root) -> list[str]:
    """Walk the tree (iteratively: deep nesting must not overflow) into heading, list and text blocks."""
    from bs4 import CData, NavigableString, Tag

    blocks: list[str] = []
    buf: list[str] = []
    prefix = [""]

    def flush(end: bool = False) -> None:
        lines = [" ".join(x.split()) for x in "".join(buf).split("\n")]
        buf.clear()
        text = ("\n" if not prefix[0] else " ").join(x for x in lines if x)
        if text:
            blocks.append(prefix[0] + text)
            prefix[0] = ""
        if end:
            prefix[0] = ""

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):  # not comments, doctypes or script bodies
                buf.append(re.sub(r"\s+", " ", str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if leaving:
            flush(end=name in _HEADING_TAGS or name == "li")
            continue
        if name == "br":
            buf.append("\n")
            continue
        if name in _HEADING_TAGS or name == "li" or name in _BLOCK_TAGS:
            flush()
            if name in _HEADING_TAGS:
                prefix[0] = "#" * _HEADING_TAGS[name] + " "
            elif name == "li":
                prefix[0] = "- "
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children)))
    flush()
    return blocks


def _join_blocks(blocks: list[str]) -> str:
    """Blank lines between blocks, except that consecutive list items stay together."""
    out = ""
    for i, block in enumerate(blocks):
        if i:
            out += "\n" if block.startswith("- ") and blocks[i - 1].startswith("- ") else "\n\n"
        out += block
    return out


# --- PDF -----------------------------------------------------------------------------------

def _load_pdf(data: bytes, path: Path) -> Document:
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
    return _base(path, meta, text, pages=[min(s, len(text)) for s in starts])


def _pdf_meta(reader) -> dict:
    info = reader.metadata or {}

    def get(key: str) -> str:
        try:
            return _as_str(info.get(key))
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
    return _join_blocks([b for b in out if b.strip()])


# --- DOCX ----------------------------------------------------------------------------------

_MAX_UNZIPPED = 200 * 1024 * 1024
_MAX_RATIO = 200  # real .docx files expand 3-20x; far more than this is a zip bomb
_NOT_WORD = {"xl/workbook.xml": "an Excel workbook", "ppt/presentation.xml": "a PowerPoint presentation",
             "mimetype": "an OpenDocument or e-book file", "content.xml": "an OpenDocument file"}


def _load_docx(data: bytes, path: Path) -> Document:
    name = path.name
    try:
        _check_zip(data, name)
        import docx

        d = docx.Document(io.BytesIO(data))
        blocks = _docx_blocks(d)
        cp = d.core_properties
        meta = {"title": cp.title, "author": cp.author, "date": cp.created.date().isoformat() if cp.created else ""}
    except LoaderError:
        raise
    except Exception as e:  # python-docx / lxml / zipfile raise many types on damaged files
        raise LoaderError(f"{name}: the Word document is damaged and cannot be read ({e.__class__.__name__}); "
                          "open it in Word and save it again") from e
    return _base(path, meta, clean_text(_join_blocks(blocks)))


def _check_zip(data: bytes, name: str) -> None:
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
    stack = list(reversed(list(d.iter_inner_content())))
    while stack:
        item = stack.pop()
        if isinstance(item, Table):
            cells = [c for row in item.rows for c in row.cells]
            seen: set[int] = set()  # ids stay valid while `cells` holds the elements
            fresh = [c for c in cells if not (id(c._tc) in seen or seen.add(id(c._tc)))]
            stack.extend(reversed([x for c in fresh for x in c.iter_inner_content()]))
            continue
        block = _docx_paragraph(item)
        if block:
            blocks.append(block)
    return blocks


def _docx_paragraph(p) -> str:
    text = p.text.strip()
    if not text:
        return ""
    style = (p.style.name if p.style is not None else "") or ""
    m = re.match(r"heading (\d)", style, re.IGNORECASE)
    numbered = p._p.pPr is not None and p._p.pPr.numPr is not None
    if m or style == "Title":
        return "#" * min(int(m.group(1)) if m else 1, 6) + " " + " ".join(text.split())
    if (style.startswith("List") and not style.startswith("List Continue")) or numbered:
        return "- " + " ".join(text.split())
    return text


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
