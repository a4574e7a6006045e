"""The app's HTML and Markdown, without a browser: provenance wording, quotation diffs, answers with lists."""

from __future__ import annotations

import re

from ui import render

from assistant.types import Answer, Citation, DocInfo


def test_locators_read_as_practitioners_cite():
    assert render.locator_text("6.64") == "para 6.64"
    assert render.locator_text("6.63–6.64") == "paras 6.63–6.64"
    assert render.locator_text("p. 9") == "p. 9"
    assert render.locator_text("6.64, p. 9") == "para 6.64, p. 9"
    assert render.locator_text("") == ""


def test_where_names_publisher_section_and_paragraph_never_offsets():
    c = Citation(marker="[1]", chunk_id="c1", doc_id="d", title="Care Act guidance", publisher="SCIE",
                 quote="q", start=796, end=1020, section="Care Act guidance > Assessment > Carers", locator="6.64")
    assert render.where(c) == "SCIE · Assessment › Carers · para 6.64"
    card = render.citation_card(c, None)
    assert "796" not in card and "characters" not in card and ">d<" not in card


def test_a_quote_narrows_a_paragraph_range_to_its_own_paragraph():
    text = "6.63 First paragraph here.\n\n6.64 The carer chooses who attends."
    start = text.index("The carer")
    c = Citation(marker="[1]", chunk_id="c1", doc_id="d", title="T", quote="The carer chooses who attends.",
                 start=start, end=len(text), locator="6.63–6.64")
    assert render.quote_locator(c, text) == "6.64"
    assert "para 6.64" in render.citation_card(c, text)


def test_typographic_variants_are_never_struck_out():
    diff = render.word_diff("looks at a person's whole life – holistically",
                            "looks at a person’s life — holistically")
    assert re.findall(r"<del>(.*?)</del>", diff) == ["whole"]
    assert "<ins>" not in diff


def test_answers_with_bullet_lists_and_attribution_keep_their_shape():
    ans = Answer(question="q", abstained=False, answer="According to SCIE, practitioners should:\n\n- ask the carer [1]\n- agree "
                 "the plan [2]", citations=[
                     Citation(marker="[1]", chunk_id="a", doc_id="d", title="T", quote="x", start=0, end=1),
                     Citation(marker="[2]", chunk_id="b", doc_id="d", title="T", quote="y", start=1, end=2)])
    msg = render.answer_message(ans)
    assert "\n- ask the carer" in msg and "\n- agree the plan" in msg and msg.startswith("According to SCIE")
    assert msg.count('class="sa-ref"') == 2 and 'aria-label="source 2"' in msg


def test_library_rows_are_escaped_and_labelled_for_cards():
    info = DocInfo(doc_id="x", title='<img src=x onerror="1">', publisher="", chunks=3, added="2026-12-01T10:00")
    html = render.documents([info])
    assert "<img" not in html and "&lt;img" in html
    assert 'data-label="Publisher">not stated<' in html and "Indexed documents (1)" in html


def test_removed_sentences_are_one_line_with_the_details_folded():
    ans = Answer(question="q", answer="Kept. [1]", abstained=False, citations=[], removed=["Made up one.", "<b>Made up two</b>."],
                 notices=["Removed 2 sentences from the model's answer because the guidance cited does not support "
                          "them."])
    html = render.answer_message(ans)
    assert html.count("Note:") == 1
    folded = re.search(r'<details class="sa-removed"><summary>([^<]*)</summary>(.*?)</details>', html, re.S)
    assert folded and "2 removed sentences" in folded.group(1)
    assert "Made up one." in folded.group(2) and "&lt;b&gt;" in folded.group(2) and "<b>" not in html
    assert "sa-removed" not in render.answer_message(ans.model_copy(update={"removed": []}))


def test_a_draft_says_it_is_not_yet_the_answer_and_escapes_what_the_model_wrote():
    html = render.draft_message("Carers matter <script>x</script> [1]")
    assert "checked against the guidance" in html and "<script>" not in html and "&lt;script&gt;" in html
