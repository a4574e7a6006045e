"""Word documents as settings write them: headings without heading styles, metadata that is the template's
(fixtures: docgen/make_word.py)."""

from __future__ import annotations

from docgen.make_word import POLICY_AUTHOR, POLICY_TITLE, SECTIONS, policy_docx

from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_path


def load(tmp_path, data: bytes):
    path = tmp_path / "policy.docx"
    path.write_bytes(data)
    doc = load_path(path)
    return doc, chunk_document(doc)


def test_bold_paragraphs_and_outline_levels_give_sections(tmp_path):
    doc, chunks = load(tmp_path, policy_docx())
    for heading, paras in SECTIONS:
        for text in paras:
            assert next(c for c in chunks if text in c.text).section.endswith(heading)
    assert "# Children's welfare comes first." not in doc.text  # a bold sentence stays a sentence
    assert "Name of child" in doc.text and "# Name of child" not in doc.text  # a form's label is no section


def test_template_date_is_not_the_documents_date_the_text_is(tmp_path):
    doc, _ = load(tmp_path, policy_docx())
    assert doc.date == "2025-03" and "2013" not in doc.date
    assert doc.author == POLICY_AUTHOR


def test_title_from_properties_or_the_first_heading(tmp_path):
    assert load(tmp_path, policy_docx())[0].title == POLICY_TITLE
    assert load(tmp_path, policy_docx(title="Safeguarding policy 2025"))[0].title == "Safeguarding policy 2025"
    assert load(tmp_path, policy_docx(author="python-docx"))[0].author == ""
