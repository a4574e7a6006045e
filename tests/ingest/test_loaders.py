"""Loaders: every format gives the same Document shape; bad files give a LoaderError that names the fix."""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from assistant.errors import LoaderError
from assistant.ingest.clean import clean_text, slugify
from assistant.ingest.loaders import iter_files, load_path
from assistant.textutil import sentence_spans

GUIDANCE = ("6.64 Local authorities should consider the person's own strengths and capabilities, and what "
            "support might be available from their wider support network or within the community.")


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def make_pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A minimal, valid PDF with real text: one Helvetica text object per page, one line per entry."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    for i, lines in enumerate(pages):
        ops = "\n".join(["BT /F1 11 Tf 14 TL 72 760 Td", *(f"({esc(x)}) Tj T*" for x in lines), "ET"])
        stream = ops.encode("cp1252")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                    f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    info_ref = ""
    if info:
        objs.append(("<< " + " ".join(f"/{k} ({esc(v)})" for k, v in info.items()) + " >>").encode())
        info_ref = f" /Info {len(objs)} 0 R"
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_docx(build=None, title: str = "", author: str = "", created=None) -> bytes:
    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = author
    if created:
        d.core_properties.created = created
    if build:
        build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def encrypted(pdf: bytes, user: str, owner: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user, owner_password=owner)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


# --- text and Markdown -----------------------------------------------------------------------

def test_markdown_front_matter_gives_metadata_and_is_not_text(tmp_path):
    md = ("---\ntitle: Care and support statutory guidance\npublisher: DHSC\nauthor: Jo Bloggs\n"
          "date: 2014-10-23\naudience: adults, carers\naliases: [statutory guidance, CASS]\n"
          "jurisdiction: England\ndoc_type: guidance\n---\n\n# Assessment\n\n" + GUIDANCE + "\n")
    doc = load_path(write(tmp_path, "Care_Guidance.md", md))
    assert (doc.title, doc.publisher, doc.author, doc.date) == (
        "Care and support statutory guidance", "DHSC", "Jo Bloggs", "2014-10-23")
    assert doc.audience == ["adults", "carers"] and doc.aliases == ["statutory guidance", "CASS"]
    assert (doc.jurisdiction, doc.doc_type, doc.doc_id) == ("England", "guidance", "care-guidance")
    assert doc.text == "# Assessment\n\n" + GUIDANCE + "\n"
    assert "publisher" not in doc.text


def test_title_falls_back_to_the_file_name(tmp_path):
    doc = load_path(write(tmp_path, "carers_assessment-notes.txt", GUIDANCE))
    assert doc.title == "carers assessment notes"
    assert doc.publisher == doc.author == doc.date == doc.url == ""


def test_odd_yaml_values_become_text_not_a_crash(tmp_path):
    md = "---\ntitle: 2014\naliases: [1, care act]\nauthor: [A. Smith, B. Jones]\n---\n" + GUIDANCE
    doc = load_path(write(tmp_path, "odd.md", md))
    assert (doc.title, doc.author, doc.aliases) == ("2014", "A. Smith, B. Jones", ["1", "care act"])


def test_malformed_front_matter_is_reported(tmp_path):
    with pytest.raises(LoaderError, match="front matter is malformed.*fix it"):
        load_path(write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\n" + GUIDANCE))


def test_windows_1252_text_is_read(tmp_path):
    text = "The carer’s views – and the person’s wishes – come first. Café £5 “quoted”."
    doc = load_path(write(tmp_path, "legacy.txt", text, encoding="cp1252"))
    assert doc.text == text + "\n"


def test_utf16_text_with_a_byte_order_mark_is_read(tmp_path):
    doc = load_path(write(tmp_path, "notes.txt", "\ufeff" + GUIDANCE, encoding="utf-16-le"))
    assert doc.text == GUIDANCE + "\n"


@pytest.mark.parametrize("drop_zeros", [False, True])
def test_random_bytes_are_rejected(tmp_path, drop_zeros):
    data = random.Random(7).randbytes(20000)
    if drop_zeros:  # no NUL bytes: the decoder and the control-character check must catch it
        data = data.replace(b"\x00", b"")
    with pytest.raises(LoaderError, match="binary file|not UTF-8"):
        load_path(write(tmp_path, "notes.md", data))


@pytest.mark.parametrize("content,name,fix", [
    (make_pdf([["Hello guidance"]]), "guide.txt", "PDF with a '.txt' name; rename it to .pdf"),
    (make_pdf([["Hello guidance"]]), "guide.md", "rename it to .pdf"),
    (make_pdf([["Hello guidance"]]), "guide.docx", "rename it to .pdf"),
    (make_docx(), "guide.md", "rename it to .docx"),
    (make_docx(), "guide.pdf", "zip archive.*rename it to .docx"),
    (b"<!DOCTYPE html><html><body><p>Guidance page</p></body></html>", "guide.pdf", "web page.*rename it to .html"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "scan.md", "PNG image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.docx", "old-format Office.*save it as .docx"),
    (b"Just some text, not a PDF at all, with enough words.", "fake.pdf", "not a PDF.*export or download it again"),
])
def test_content_that_does_not_match_the_extension_is_named(tmp_path, content, name, fix):
    with pytest.raises(LoaderError, match=fix):
        load_path(write(tmp_path, name, content))


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:  # sparse: big on paper, cheap to make
        f.truncate(3 * 1024 * 1024)
    with pytest.raises(LoaderError, match=r"over the 2 MB limit.*ASSISTANT_MAX_FILE_MB"):
        load_path(path, max_mb=2)


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty"),
    ("empty.pdf", b"", "empty"),
    ("empty.docx", b"", "empty"),
    ("blank.md", b"---\ntitle: Only metadata\n---\n\n   \n", "no readable text"),
    ("slides.pptx", b"whatever", "unsupported file type '.pptx'"),
])
def test_unusable_files_say_why(tmp_path, name, content, reason):
    with pytest.raises(LoaderError, match=reason):
        load_path(write(tmp_path, name, content))


def test_missing_path_and_folder_are_reported(tmp_path):
    with pytest.raises(LoaderError, match="no such file"):
        load_path(tmp_path / "nope.md")
    with pytest.raises(LoaderError, match="not a file"):
        load_path(tmp_path)


# --- clean_text ------------------------------------------------------------------------------

FURNITURE = [
    "top of page", "bottom of page", "Back to top",
    "Performance issue: If clicking on a link doesn't do anything, press F5 to refresh the page",
    "If a flag appears next to this message, click on it to see others' comments about this definition",
    "Leave a comment", "We only ask for your email address so we know you're a real person",
    "By submitting a comment you understand it may be published on this public website. Please read our "
    "privacy notice to see how the GOV.UK blogging platform handles your information.",
    "Added on", "Added on:", "Accept all cookies", "Reject cookies", "Cookie settings",
    "We use some essential cookies to make this website work.", "Cookies on GOV.UK", "Share", "Print", "Read more",
]

# Real sentences that contain furniture words: none may be touched.
KEEP = [
    "Share information with the person's carer only with their consent.",
    "Print a copy of the support plan if the person asks for one.",
    "Read more about eligibility in chapter 6 of the statutory guidance.",
    "Email the carer's assessment to them within five working days.",
    "Added on to the plan were the person's own goals for the year.",
    "Added on 12 March 2021",
    "Leave a comment in the case notes when the plan changes.",
    "Top of the agenda is what matters to the person.",
    "Cookie-cutter plans ignore the person's strengths.",
    "Share.",
    "Related content from the person's own history should be recorded.",
    "We use the person's own words in the plan.",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_page_furniture_lines_are_removed(line):
    assert clean_text(f"{GUIDANCE}\n{line}\nNext paragraph.\n") == f"{GUIDANCE}\nNext paragraph.\n"


@pytest.mark.parametrize("line", KEEP)
def test_guidance_lines_containing_furniture_words_are_kept(line):
    assert clean_text(line) == line + "\n"
    assert clean_text(f"{GUIDANCE}\n\n{line}\n") == f"{GUIDANCE}\n\n{line}\n"


def test_numbered_paragraph_keeps_its_number_at_the_start():
    raw = f"top of page\n\n\n  {GUIDANCE}  \nLeave a comment\n6.65 The next paragraph.\n"
    text = clean_text(raw)
    assert text == f"{GUIDANCE}\n6.65 The next paragraph.\n"
    first = sentence_spans(text)[0]
    assert text[first[0]:first[1]].startswith("6.64 Local authorities should")


def test_clean_text_normalises_layout_only():
    raw = ("A Long Title\r\nA Long Title\r\n\r\n\r\n\r\n• first\u00a0point\n  ▪  second point\n* third point\n"
           "tab\tseparated  words\x07 and a soft\u00adhyphen\f")
    assert clean_text(raw) == ("A Long Title\n\n- first point\n- second point\n- third point\n"
                               "tab separated words and a softhyphen\n")


def test_short_repeated_lines_are_kept():
    assert clean_text("Yes\n\nYes\n\nNo\n") == "Yes\n\nYes\n\nNo\n"


def test_clean_text_is_idempotent():
    raw = "\n".join(FURNITURE + KEEP + [GUIDANCE, "", "• bullet", "Heading", "Heading", "A repeated title"] * 2)
    once = clean_text(raw)
    assert clean_text(once) == once
    for line in KEEP:
        assert line in once


# --- HTML ------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<title>Strengths-based practice | Example Council</title>
<meta property="og:title" content="Strengths-based practice">
<meta property="og:site_name" content="Example Council">
<meta name="Author" content="Sam Lee">
<meta property="article:published_time" content="2023-05-04T09:00:00+00:00">
<link rel="canonical" href="https://example.org/sbp">
<style>body { color: red } .secret-style {}</style>
<script>var tracking = "SCRIPT-IN-HEAD";</script>
</head>
<body onload="bodyOnloadHandler()">
<div class="cookie-banner" role="region">We use cookies to improve this site. <button>Accept</button></div>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><nav><ul><li>Home</li><li>Services</li></ul></nav></header>
<div id="global-breadcrumb"><a href="/">Home</a> / Adults</div>
<main id="main">
  <article>
    <header><h1>Strengths-based practice</h1></header>
    <p>Practitioners start from what the person <em>can</em> do, <a href="javascript:stealCookies()"
       onclick="clickHandler()">not what they cannot</a>.</p>
    <!-- an editor's comment that must not appear -->
    <h2>What it means</h2>
    <p>6.64 Local authorities should consider the person's own strengths.</p>
    <ul><li>Listen to the person</li><li>Ask what matters to them</li></ul>
    <p onmouseover="hoverHandler()">Record the person's own words.<script>document.write("INLINE-SCRIPT")</script></p>
    <img src="x.png" onerror="imgOnerror()" alt="diagram">
    <div hidden>Hidden draft text</div>
    <form><label>Was this page useful?</label><input type="submit" value="Yes"></form>
    <footer class="share">Share this page</footer>
  </article>
  <aside><h2>Related links</h2><p>Sidebar promotion</p></aside>
</main>
<footer><p>Copyright Example Council</p></footer>
<noscript>NOSCRIPT-TEXT</noscript>
</body></html>"""


def test_html_keeps_main_text_as_headings_lists_and_paragraphs(tmp_path):
    doc = load_path(write(tmp_path, "sbp.html", PAGE))
    assert doc.text == (
        "# Strengths-based practice\n\n"
        "Practitioners start from what the person can do, not what they cannot.\n\n"
        "## What it means\n\n"
        "6.64 Local authorities should consider the person's own strengths.\n\n"
        "- Listen to the person\n- Ask what matters to them\n\n"
        "Record the person's own words.\n"
    )
    assert (doc.title, doc.publisher, doc.author, doc.date, doc.url) == (
        "Strengths-based practice", "Example Council", "Sam Lee", "2023-05-04", "https://example.org/sbp")


@pytest.mark.parametrize("needle", [
    "SCRIPT-IN-HEAD", "INLINE-SCRIPT", "color", "secret-style", "Handler", "stealCookies", "imgOnerror",
    "onclick", "onload", "editor's comment", "cookies", "Accept", "Skip to", "Home", "Services", "Adults",
    "Sidebar", "Related", "Copyright", "NOSCRIPT", "Hidden draft", "useful", "Share",
])
def test_html_boilerplate_script_and_handlers_never_reach_the_text(tmp_path, needle):
    doc = load_path(write(tmp_path, "sbp.html", PAGE))
    assert needle.lower() not in doc.text.lower()


def test_html_without_main_keeps_text_in_plain_divs(tmp_path):
    page = ("<html><head><title>Carers' rights - Carers Trust</title>"
            "<meta property='og:site_name' content='Carers Trust'></head><body>"
            "<nav>Menu</nav><div>Carers have a right to an assessment of their own needs.<br>"
            "Ask the council for one.</div><div><div><b>Tip:</b> keep a diary of what you do.</div></div>"
            "<table><tr><th>Who</th><td>Any adult carer</td></tr></table></body></html>")
    doc = load_path(write(tmp_path, "carers.htm", page))
    assert paragraphs(doc.text) == [
        "Carers have a right to an assessment of their own needs.\nAsk the council for one.",
        "Tip: keep a diary of what you do.", "Who", "Any adult carer"]
    assert (doc.title, doc.publisher) == ("Carers' rights", "Carers Trust")


def test_html_nested_lists_and_headings_with_markup(tmp_path):
    page = ("<body><h3>Steps <small>(in order)</small></h3><ol><li>Plan<ul><li>Ask</li><li>Listen</li></ul></li>"
            "<li><p>Review with the person</p></li></ol></body>")
    doc = load_path(write(tmp_path, "steps.html", page))
    assert doc.text == "### Steps (in order)\n\n- Plan\n- Ask\n- Listen\n- Review with the person\n"


def test_deeply_nested_html_loads(tmp_path):
    depth = 3000
    page = "<html><body>" + "<div>" * depth + f"<p>{GUIDANCE}</p>" + "</div>" * depth + "</body></html>"
    assert load_path(write(tmp_path, "deep.html", page)).text == GUIDANCE + "\n"


@pytest.mark.parametrize("declared", ["", '<meta charset="windows-1252">', '<meta charset="utf-8">',
                                      '<meta charset="x-nonsense">'])
def test_html_in_windows_1252_is_read_whatever_it_declares(tmp_path, declared):
    page = f"<html><head>{declared}</head><body><p>The person’s own view – always recorded first.</p></body></html>"
    doc = load_path(write(tmp_path, "cp.html", page, encoding="cp1252"))
    assert doc.text == "The person’s own view – always recorded first.\n"


def test_html_sections_about_consent_or_sharing_are_guidance_not_banners(tmp_path):
    page = ("<body><section id='consent' class='consent' aria-label='What to share'><h2>Consent</h2>"
            "<p>Ask for consent before sharing information.</p></section>"
            "<div class='sharing-information'><p>Share only what is needed.</p></div>"
            "<div class='cookie-consent-banner'>We use cookies.</div></body>")
    doc = load_path(write(tmp_path, "consent.html", page))
    assert doc.text == "## Consent\n\nAsk for consent before sharing information.\n\nShare only what is needed.\n"


# --- PDF -------------------------------------------------------------------------------------

PDF_PAGES = [
    ["6.64 Local authorities should consider the person's own strengths and capabilities,",
     "and what support might be available from their wider support network or within the",
     "community to help.",
     "6.65 The assessment should be person-centred, involving the individual and any carer.",
     "1"],
    ["Page 2 of 3",
     "Prevention services support an individual's independence, resilience, ability to make",
     "choices and wellbeing, whatever their circumstances, and whatever the strengths-",
     "based approach."],
    ["Working together promotes co-production.", "3"],
]


def test_pdf_text_pages_and_metadata(tmp_path):
    info = {"Title": "Care and support statutory guidance", "Author": "DHSC", "CreationDate": "D:20141023120000Z"}
    doc = load_path(write(tmp_path, "cass.pdf", make_pdf(PDF_PAGES, info)))
    assert paragraphs(doc.text) == [
        "6.64 Local authorities should consider the person's own strengths and capabilities, and what support "
        "might be available from their wider support network or within the community to help.",
        "6.65 The assessment should be person-centred, involving the individual and any carer.",
        "Prevention services support an individual's independence, resilience, ability to make choices and "
        "wellbeing, whatever their circumstances, and whatever the strengths-based approach.",
        "Working together promotes co-production.",
    ]
    assert (doc.title, doc.author, doc.date) == ("Care and support statutory guidance", "DHSC", "2014-10-23")
    assert len(doc.pages) == 3 and doc.pages[0] == 0
    assert doc.text[doc.pages[1]:].startswith("Prevention services")
    assert doc.text[doc.pages[2]:].startswith("Working together")


def test_pdf_page_locators_reach_the_chunks(tmp_path):
    from assistant.ingest.chunking import chunk_document

    doc = load_path(write(tmp_path, "cass.pdf", make_pdf(PDF_PAGES)))
    chunks = chunk_document(doc, target=80, max_chars=200)
    by_start = {c.text.split()[0]: c.locator for c in chunks}
    assert by_start["6.64"] == "6.64, p. 1" and by_start["Prevention"] == "p. 2"
    assert doc.title == "cass"  # no /Title in the PDF: the file name


def test_pdf_running_header_and_junk_title_are_dropped(tmp_path):
    pages = [["Care and support guidance", f"Paragraph {n} says something useful about practice.", str(n)]
             for n in range(1, 5)]
    doc = load_path(write(tmp_path, "guide.pdf", make_pdf(pages, {"Title": "Microsoft Word - draft3.docx"})))
    assert "Care and support guidance" not in doc.text
    assert paragraphs(doc.text) == [f"Paragraph {n} says something useful about practice." for n in range(1, 5)]
    assert doc.title == "guide"


def test_pdf_numbers_start_paragraphs_only_after_a_sentence_ends(tmp_path):
    lines = ["The asset-based area, published in 2017, described a set of features that were",
             "10 features of an asset-based area needed for strong communities, as paragraph",
             "6.64 of the guidance says about the wider network of the person and the carer.",
             "6.65 The next numbered paragraph starts here, after a full stop at the line end.",
             "(a) a lettered point after it, which is its own block in the cleaned text too;",
             "(b) and another lettered point."]
    doc = load_path(write(tmp_path, "wrap.pdf", make_pdf([lines])))
    assert paragraphs(doc.text) == [" ".join(lines[:3]), lines[3], lines[4], lines[5]]


def test_password_protected_pdf_is_refused(tmp_path):
    data = encrypted(make_pdf(PDF_PAGES), "secret")
    with pytest.raises(LoaderError, match="needs a password to open; .*save a copy without one"):
        load_path(write(tmp_path, "locked.pdf", data))


def test_pdf_with_only_an_owner_password_opens(tmp_path):
    data = encrypted(make_pdf(PDF_PAGES), "", owner="owner-secret")
    assert load_path(write(tmp_path, "owner.pdf", data)).text.startswith("6.64 Local authorities")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_pdf_is_refused(tmp_path, fraction):
    data = make_pdf(PDF_PAGES)
    with pytest.raises(LoaderError, match="incomplete.*download or export it again"):
        load_path(write(tmp_path, "cut.pdf", data[: int(len(data) * fraction)]))


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\ngarbage that is not a PDF body at all\n%%EOF\n",
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
])
def test_malformed_pdf_is_refused(tmp_path, data):
    with pytest.raises(LoaderError, match="damaged|no pages"):
        load_path(write(tmp_path, "broken.pdf", data))


def test_pdf_without_text_suggests_ocr(tmp_path):
    with pytest.raises(LoaderError, match="no readable text.*OCR"):
        load_path(write(tmp_path, "scan.pdf", make_pdf([[], []])))


# --- DOCX ------------------------------------------------------------------------------------

def _build_guidance(d) -> None:
    d.add_heading("Carers' assessments", level=1)
    d.add_paragraph("Carers have a right to an assessment of their own needs.")
    d.add_heading("What to ask", level=2)
    d.add_paragraph("What matters to you?", style="List Bullet")
    d.add_paragraph("Who helps you?", style="List Number")
    d.add_paragraph(GUIDANCE)
    d.add_paragraph("Leave a comment")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Strength"
    table.cell(0, 1).text = "Example"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Knows the neighbours well"
    d.add_paragraph("After the table.")


def test_docx_headings_lists_tables_and_core_properties(tmp_path):
    import datetime as dt

    data = make_docx(_build_guidance, title="Carers guide", author="Pat Kaur", created=dt.datetime(2024, 5, 1, 9, 30))
    doc = load_path(write(tmp_path, "carers.docx", data))
    assert doc.text == (
        "# Carers' assessments\n\nCarers have a right to an assessment of their own needs.\n\n## What to ask\n\n"
        "- What matters to you?\n- Who helps you?\n\n" + GUIDANCE + "\n\n"
        "Strength\n\nExample\n\nKnows the neighbours well\n\nAfter the table.\n"
    )
    assert (doc.title, doc.author) == ("Carers guide", "Pat Kaur")
    assert doc.date == "2024-05-01"


def test_docx_without_a_title_uses_the_file_name(tmp_path):
    data = make_docx(lambda d: d.add_paragraph(GUIDANCE))
    assert load_path(write(tmp_path, "team_notes.docx", data)).title == "team notes"


def test_text_that_is_not_a_zip_is_not_a_docx(tmp_path):
    with pytest.raises(LoaderError, match="not a Word .docx file.*save it as .docx"):
        load_path(write(tmp_path, "notes.docx", "Plain text saved with the wrong name, long enough."))


def test_damaged_zip_is_not_a_docx(tmp_path):
    data = make_docx(lambda d: d.add_paragraph(GUIDANCE))
    with pytest.raises(LoaderError, match="damaged"):
        load_path(write(tmp_path, "cut.docx", data[: len(data) // 2]))


@pytest.mark.parametrize("members,what", [
    ({"readme.txt": "hello"}, "a zip archive, not a Word document"),
    ({"xl/workbook.xml": "<workbook/>", "[Content_Types].xml": "<Types/>"}, "an Excel workbook"),
])
def test_zip_that_is_not_a_word_document(tmp_path, members, what):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    with pytest.raises(LoaderError, match=what):
        load_path(write(tmp_path, "thing.docx", buf.getvalue()))


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"<w:p/>" * (1 << 17)  # streamed: never more than 768 KB in memory
            for _ in range(400):  # ~300 MB uncompressed
                member.write(block)
    assert path.stat().st_size < 3 * 1024 * 1024
    with pytest.raises(LoaderError, match="zip bomb"):
        load_path(path)


def _lying_docx() -> bytes:
    """A docx whose document.xml really inflates to ~60 MB but whose headers claim 1000 bytes."""
    src = zipfile.ZipFile(io.BytesIO(make_docx(lambda d: d.add_paragraph(GUIDANCE))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info in src.infolist():
            body = src.read(info.filename)
            with zf.open(info.filename, "w") as member:
                member.write(body)
                if info.filename == "word/document.xml":
                    for _ in range(60):
                        member.write(b" " * (1 << 20))
    raw = bytearray(out.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("word/document.xml")
    struct.pack_into("<I", raw, info.header_offset + 22, 1000)  # local header: uncompressed size
    pos = raw.find(b"PK\x01\x02")
    while pos != -1:  # central directory entry for the same member
        if raw[pos + 46: pos + 46 + struct.unpack_from("<H", raw, pos + 28)[0]] == b"word/document.xml":
            struct.pack_into("<I", raw, pos + 24, 1000)
        pos = raw.find(b"PK\x01\x02", pos + 4)
    return bytes(raw)


def test_zip_bomb_with_false_sizes_is_refused_without_inflating_it(tmp_path):
    path = write(tmp_path, "liar.docx", _lying_docx())
    tracemalloc.start()
    try:
        with pytest.raises(LoaderError, match="zip bomb"):
            load_path(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024


# --- every loader, one record ------------------------------------------------------------------

def test_every_format_gives_the_same_text(tmp_path):
    md = "---\ntitle: Same\n---\n# Same\n\nCarers have a right to an assessment.\n\n- Listen\n- Ask\n"
    html = ("<html><head><title>Same</title></head><body><h1>Same</h1><p>Carers have a right to an "
            "assessment.</p><ul><li>Listen</li><li>Ask</li></ul></body></html>")

    def build(d):
        d.add_heading("Same", level=1)
        d.add_paragraph("Carers have a right to an assessment.")
        d.add_paragraph("Listen", style="List Bullet")
        d.add_paragraph("Ask", style="List Bullet")

    docs = [load_path(write(tmp_path, "same.md", md)), load_path(write(tmp_path, "same.html", html)),
            load_path(write(tmp_path, "same.docx", make_docx(build, title="Same")))]
    assert {d.text for d in docs} == {"# Same\n\nCarers have a right to an assessment.\n\n- Listen\n- Ask\n"}
    assert {(d.doc_id, d.title) for d in docs} == {("same", "Same")}
    pdf = load_path(write(tmp_path, "same.pdf", make_pdf([["Carers have a right to an assessment."]],
                                                         {"Title": "Same"})))
    assert type(pdf) is type(docs[0]) and (pdf.doc_id, pdf.title) == ("same", "Same")


def test_iter_files_and_slugify(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/two.md", "one.txt", ".hidden.md", ".git/config"):
        (tmp_path / name).write_text("x")
    single = write(tmp_path, "single.md", "x")
    assert iter_files([tmp_path / "b", single]) == [tmp_path / "b" / "two.md", single]
    assert [p.name for p in iter_files([tmp_path])] == ["two.md", "one.txt", "single.md"]
    assert slugify("Care Act 2014: Guidance (v2)") == "care-act-2014-guidance-v2"
    assert slugify("!!!") == "document"
