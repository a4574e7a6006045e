"""PDFs as councils print them: the passages a user is shown carry no page furniture, whole sentences,
intact numbers, section paths, real paragraph locators and a real title (fixtures: docgen/make_pdfs.py)."""

from __future__ import annotations

import re

import pytest
from docgen.make_pdfs import (
    MANIFESTO_FOOTER,
    MANIFESTO_SECTIONS,
    MANIFESTO_TITLE,
    PROTOCOL_HEADER,
    PROTOCOL_TITLE,
    encrypt,
    manifesto_pdf,
    protocol_pdf,
)

from assistant.errors import LoaderError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_path


def load(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    doc = load_path(path)
    return doc, chunk_document(doc, target=320, max_chars=520)


@pytest.fixture(scope="module")
def protocol(tmp_path_factory):
    return load(tmp_path_factory.mktemp("protocol"), "protocol.pdf", protocol_pdf())


@pytest.fixture(scope="module")
def manifesto(tmp_path_factory):
    return load(tmp_path_factory.mktemp("manifesto"), "manifesto.pdf", manifesto_pdf())


def test_no_running_header_footer_or_page_number_in_any_passage(protocol, manifesto):
    for doc, chunks in (protocol, manifesto):
        for c in chunks:
            assert PROTOCOL_HEADER not in c.text and MANIFESTO_FOOTER not in c.text
            assert not re.search(r"(?m)^\d{1,3}$", c.text), c.text


def test_every_passage_is_whole_sentences(protocol, manifesto):
    for doc, chunks in (protocol, manifesto):
        for c in chunks:
            for para in c.text.split("\n\n"):  # no printed line breaks inside a paragraph
                lines = para.split("\n")
                assert len(lines) == 1 or all(x.startswith("- ") for x in lines), para
            assert c.text[0].isupper() or c.text[0].isdigit(), c.text
            assert c.text.rstrip().endswith((".", "?", "!", ":")), c.text


def test_lines_are_reflowed_into_paragraphs(protocol):
    doc, _ = protocol
    assert ("3.4 The first responder should explain what the referral means, how long a decision usually takes "
            "and who will be in contact, so the person can make an informed choice.\n") in doc.text


def test_words_broken_over_lines_are_joined_as_the_document_spells_them(protocol):
    doc, _ = protocol
    assert "a concern recognised early is shared" in doc.text  # "recognised" is printed whole elsewhere
    assert "in a strengths-based way." in doc.text  # and "strengths-based" keeps its hyphen
    assert "\u2027" not in doc.text


def test_footnote_markers_come_off_the_numbers_and_footnotes_stay_on_their_page(protocol, manifesto):
    doc, chunks = protocol
    assert "a 45-day period of reflection" in doc.text and "recovery period of 45 days" in doc.text
    assert not re.search(r"45-day7|4542|day\d", doc.text)
    assert "earn a wage of 12 pounds an hour." in manifesto[0].text  # markers raised only a little, too
    note = doc.text.index("7 The period can be extended where the person needs longer to recover.")
    page = next(i for i, s in enumerate(doc.pages) if s > note) if doc.pages[-1] > note else len(doc.pages)
    assert doc.text.index("45-day period") >= doc.pages[page - 1]  # the note sits on the page of its marker
    assert "42 Counted from the date of the reasonable grounds decision." in doc.text
    assert "partnership board.\n" in doc.text and "https://" not in doc.text  # a bare-address note is no sentence


def test_section_paths_from_type_size_and_paragraph_locators_with_pages(protocol):
    doc, chunks = protocol
    c = next(c for c in chunks if "3.2 After a positive" in c.text)
    assert c.section == "3. The National Referral Mechanism > Referral and support"
    assert "3.2" in c.locator and c.locator.endswith("p. 5")
    assert next(c for c in chunks if c.text.startswith("1.1 ")).section == "1. Introduction"


def test_figures_at_a_paragraph_start_are_not_locators(manifesto):
    doc, chunks = manifesto
    c = next(c for c in chunks if "5.8 million apprenticeships" in c.text)
    assert c.locator == "p. 1" and c.section == "Skills and work"


def test_contents_page_without_leader_dots_is_dropped(tmp_path, protocol):
    doc, chunks = load(tmp_path, "p.pdf", protocol_pdf(leaders=False))
    assert doc.text == protocol[0].text


def test_contents_page_entries_and_leader_dots_are_dropped(protocol):
    doc, chunks = protocol
    assert "...." not in doc.text and "\ufffd" not in doc.text
    assert not any(re.search(r"Introduction\s*\.*\s*3\b", c.text) for c in chunks)


def test_title_from_the_first_page_heading_or_the_metadata(protocol, manifesto, tmp_path):
    assert protocol[0].title == PROTOCOL_TITLE  # metadata holds "Microsoft Word - protocol v3.docx"
    assert manifesto[0].title == MANIFESTO_TITLE
    assert load(tmp_path, "p.pdf", protocol_pdf(title_in_metadata=True))[0].title == PROTOCOL_TITLE


def test_two_columns_are_read_in_order(manifesto):
    doc, chunks = manifesto
    for _, paras in MANIFESTO_SECTIONS:
        for para in paras:
            # a paragraph running over the column break comes out whole (its footnote marks taken off)
            assert re.sub(r"\^+\d+", "", para) in doc.text


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256", "RC4-128", "RC4-40"])
def test_owner_restricted_copies_open(protocol, tmp_path, algorithm):
    doc, _ = load(tmp_path, "restricted.pdf", encrypt(protocol_pdf(), algorithm=algorithm))
    assert doc.text == protocol[0].text


def test_a_password_to_open_gets_a_clear_message(tmp_path):
    with pytest.raises(LoaderError, match="needs a password to open"):
        load(tmp_path, "locked.pdf", encrypt(protocol_pdf(), user="letmein", algorithm="AES-128"))


def test_typeset_bullets_footers_and_paragraphs_over_page_breaks(tmp_path):
    from docgen.make_pdfs import STRATEGY_BULLETS, STRATEGY_FOOTER, STRATEGY_TITLE, strategy_pdf

    doc, chunks = load(tmp_path, "strategy.pdf", strategy_pdf())
    assert doc.title == STRATEGY_TITLE and len(doc.pages) >= 2
    # the title is set no larger than the sections after it: it names the document and stays a heading
    assert {c.section for c in chunks} == {"1 Our vision", "2 Next steps"}
    assert "\n".join(f"- {b}" for b in STRATEGY_BULLETS) in doc.text
    assert STRATEGY_FOOTER not in doc.text and "Page 1" not in doc.text
    paras = [p for p in doc.text.split("\n\n") if re.match(r"\d\.\d ", p)]
    assert len(paras) == 12 and all(p.count("Carers tell us") == 4 for p in paras)  # none cut at a page end
    assert {c.locator.split(",")[0] for c in chunks if c.section.endswith("Next steps")} == \
        {f"2.{i}" for i in range(1, 7)}


def test_a_heading_that_opens_every_page_is_not_a_running_header(tmp_path):
    from docgen.make_pdfs import key_points_pdf

    doc, chunks = load(tmp_path, "points.pdf", key_points_pdf())
    assert doc.text.count("Key points") == 4 and {c.section for c in chunks} == {"Key points"}
    assert all(any(f"Point {i} is" in c.text for c in chunks) for i in range(1, 5))


def test_printed_page_numbers_that_start_late_or_in_roman_numerals_are_furniture(tmp_path):
    from test_loaders import make_pdf

    body = "Practitioners ask the person what matters to them before any service is offered."
    pages = [["Cover of the guide", body + " (cover)"], ["ii", body + " (front matter)"]]
    pages += [[body + f" (chapter page {n})", str(n)] for n in range(1, 4)]
    doc, chunks = load(tmp_path, "late.pdf", make_pdf(pages))
    assert not re.search(r"(?m)^(?:ii|\d)$", doc.text) and doc.text.count(body) == 5
