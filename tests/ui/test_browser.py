"""What a practitioner does in each tab, in a real Chromium (Playwright), against the real app and model.

Also saves a full-page screenshot of each tab to docs/screenshots/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium: run scripts/install-browser.sh "
                "to run the browser tests", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')")
expect = sync_api.expect

from samples import CHECK_TEXT, SAFEGUARDING

pytestmark = [pytest.mark.browser, pytest.mark.model]
GUIDANCE_MD = """---
title: Zephyr Lantern Visiting Guidance
publisher: Test Borough Council
audience: [carers]
---
# Zephyr lantern visits

Practitioners should offer every carer a zephyr lantern visit within nine days of the carer's assessment,
so that the carer can plan a short break that suits them.

The zephyr lantern visit is led by the carer, who decides who else attends.
"""
HOSTILE_HTML = """<!doctype html><html><head>
<title>Harbour &lt;img src=x onerror="window.__pwned=1"&gt; befriending</title>
<script>window.__pwned = 1</script></head><body><main>
<h1>Harbour &lt;img src=x onerror="window.__pwned=1"&gt; befriending scheme</h1>
<p>Harbour befriending volunteers visit isolated older people every week at home.
<img src=x onerror="window.__pwned=1"></p>
<p>Quarterly harbour reviews check each volunteer match: &lt;img src=x onerror="window.__pwned=1"&gt;
&lt;script&gt;window.__pwned=1&lt;/script&gt; ${window.__pwned=1} {{constructor.constructor('window.__pwned=1')()}}</p>
<script>window.__pwned = 1</script>
</main></body></html>
"""


from browser_kit import WAIT, choose, open_app, shot  # noqa: E402


# ------------------------------------------------------------ ask


def test_ask_shows_cited_answer_and_highlighted_source(page, real_app):
    url, settings = real_app
    open_app(page, url)
    page.locator("#sa-question textarea").fill(
        "What does the Care Act 2014 say about family and friends providing support?")
    page.locator("#sa-send").click()
    first_mark = page.locator("#sa-sources details.sa-cite[open] mark")
    first_mark.wait_for(timeout=WAIT)
    answer = page.locator("#sa-chat").inner_text()
    assert "[1]" in answer
    quote = " ".join(first_mark.inner_text().split())
    assert quote and quote in " ".join(answer.split()), "the highlighted quote is verbatim in the answer"
    assert "Care Act 2014" in page.locator("#sa-sources details.sa-cite summary").first.inner_text()
    markers = page.locator("#sa-chat a.sa-ref")
    assert markers.count() >= 2, "the answer's [n] markers are links to their sources"
    last = markers.nth(markers.count() - 1)
    n = last.inner_text().strip("[]")
    last.click()  # selecting a marker opens its source card: title, where, and the quote marked in its paragraph
    card = page.locator(f"#sa-sources details#cite-0-{n}")
    expect(card).to_have_attribute("open", "")
    expect(card).to_have_class(re.compile("sa-selected"))
    expect(card.locator("mark")).to_be_visible()
    expect(card.locator("summary")).to_contain_text(f"[{n}]")
    assert card.locator(".sa-where").inner_text().strip(), "publisher, section and paragraph are shown"
    assert page.locator("#sa-sources details.sa-cite[open]").count() == 1
    cards = page.locator("#sa-sources details.sa-cite")
    cards.first.locator("summary").click()  # the cards also open by hand
    expect(cards.first.locator("mark")).to_be_visible()
    shot(page, "ask")

    page.locator("#sa-question textarea").fill("and what about for children?")
    page.locator("#sa-send").click()
    expect(page.locator("#sa-sources .sa-searched")).to_contain_text("Searched for:", timeout=WAIT)
    expect(page.locator("#sa-sources .sa-for")).to_contain_text("and what about for children?")
    page.locator("#sa-chat a.sa-ref[href='#cite-0-1']").click()  # a marker in the FIRST answer
    expect(page.locator("#sa-sources .sa-for")).to_contain_text("family and friends", timeout=WAIT)
    expect(page.locator("#sa-sources details#cite-0-1")).to_have_attribute("open", "", timeout=WAIT)
    page.locator("#sa-chat a.sa-ref[href^='#cite-1-']").first.click()  # back to the follow-up's sources
    expect(page.locator("#sa-sources .sa-for")).to_contain_text("and what about for children?", timeout=WAIT)

    page.locator("#sa-chat button[aria-label='Feedback']").last.click()
    page.get_by_text("Wrong citation", exact=True).last.click()
    expect(page.locator("#sa-fb-status")).to_contain_text("wrong citation", timeout=WAIT)
    lines = (settings.index_root / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["question"] == "and what about for children?"
    page.get_by_role("tab", name="Library").click()
    page.get_by_text("Feedback on answers").click()
    export = page.locator("#sa-fb-export")
    expect(export).to_be_enabled(timeout=WAIT)
    with page.expect_download() as download:
        export.click()
    cases = [json.loads(l) for l in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert any(c["question"] == "and what about for children?" and c["gold"] == [] for c in cases)


def test_ask_abstains_and_explains_bad_input(page, real_app):
    open_app(page, real_app[0])
    page.locator("#sa-question textarea").press_sequentially("Can Mrs Patel (NHS 943 476 5919) get help")
    expect(page.locator("#sa-pii-question")).to_contain_text("personal details (a name, an NHS number)",
                                                             timeout=WAIT)
    page.locator("#sa-send").click()
    expect(page.locator("#sa-chat")).to_contain_text("Mrs Patel", timeout=WAIT)
    expect(page.locator("#sa-pii-question")).to_contain_text("personal details")  # still shown beside the answer
    page.locator("#sa-question textarea").press_sequentially("What is")
    expect(page.locator("#sa-pii-question")).to_be_empty(timeout=WAIT)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#sa-chat")).not_to_contain_text("Mrs Patel", timeout=WAIT)
    page.locator("#sa-question textarea").fill("How do I fix a puncture on a bicycle tyre?")
    page.locator("#sa-send").click()
    expect(page.locator("#sa-sources")).to_contain_text(
        "Closest passages (they do not answer the question)", timeout=WAIT)
    assert page.locator("#sa-sources .sa-passage").count() >= 1
    page.locator("#sa-question textarea").fill("   ")
    page.locator("#sa-send").click()
    expect(page.locator("#sa-chat [data-testid=bot]").last).to_contain_text("empty", timeout=WAIT)
    assert "Traceback" not in page.content()


# ------------------------------------------------------------ prompts


def test_prompts_show_open_questions_and_safeguarding_banner(page, real_app):
    open_app(page, real_app[0], "Conversation prompts")
    page.locator("#sa-situation textarea").fill(
        "Mrs Khan cares for her husband and loves gardening; she would like a break on Fridays.")
    choose(page, "sa-setting", "carers")
    page.locator("#sa-generate").click()
    questions = page.locator("#sa-prompts-out .sa-question")
    questions.first.wait_for(timeout=WAIT)
    texts = questions.all_inner_texts()
    assert 8 <= len(texts) <= 12
    assert all(t.split(" uses a detail")[0].strip().endswith("?") for t in texts)
    assert page.locator("#sa-prompts-out .sa-safeguarding").count() == 0
    expect(page.locator("#sa-prompts-out .sa-details")).to_contain_text("Details picked up")
    expect(page.locator("#sa-prompts-download")).to_be_enabled()

    page.locator("#sa-situation textarea").fill(SAFEGUARDING)
    expect(page.locator("#sa-pii-situation")).to_contain_text("a name", timeout=WAIT)
    choose(page, "sa-setting", "adults")
    page.locator("#sa-generate").click()
    banner = page.locator("#sa-prompts-out [role=alert].sa-safeguarding")
    expect(banner).to_be_visible(timeout=WAIT)
    expect(banner).to_contain_text("Safeguarding")
    assert banner.locator("li").count() >= 1  # the reasons are listed
    guidance = page.locator("#sa-prompts-out .sa-prompt details").first
    guidance.locator("summary").click()
    expect(guidance.locator("blockquote").first).to_be_visible()
    shot(page, "prompts")


def test_a_concern_noticed_keeps_safety_questions_first_and_never_names_its_person(page, real_app):
    open_app(page, real_app[0], "Conversation prompts")
    page.locator("#sa-situation textarea").fill(
        "Since her nephew moved in, Joan has stopped going out. He always answers the phone for her and she "
        "seemed frightened of him when I visited. She loves her cats and jigsaws.")
    choose(page, "sa-setting", "adults")
    choose(page, "sa-stage", "exploring")
    page.locator("#sa-generate").click()
    banner = page.locator("#sa-prompts-out [role=alert].sa-safeguarding")
    expect(banner).to_be_visible(timeout=WAIT)
    texts = page.locator("#sa-prompts-out .sa-question").all_inner_texts()
    assert texts and not any("nephew" in t.lower() for t in texts)
    assert "trust" in texts[0].lower() or "safe" in " ".join(texts[:3]).lower()  # person-led safety first


# ------------------------------------------------------------ check and reframe


def test_check_labels_every_verdict(page, real_app, tmp_path):
    open_app(page, real_app[0], "Check citations")
    page.locator("#sa-check-text textarea").fill(CHECK_TEXT)
    page.locator("#sa-check").click()
    cards = page.locator("#sa-check-out .sa-claim")
    cards.first.wait_for(timeout=WAIT)
    assert cards.count() == 5
    labels = page.locator("#sa-check-out .sa-verdict").all_inner_texts()
    for label in ("SUPPORTED", "MISATTRIBUTED", "UNSUPPORTED", "CONTRADICTED"):
        assert any(label in l.upper() for l in labels), labels
    expect(page.locator("#sa-check-out del").first).to_contain_text("competitive")
    expect(page.locator("#sa-check-out ins").first).to_contain_text("collaborative")
    expect(page.locator("#sa-check-out .sa-summary")).to_contain_text("5 claims checked")
    expect(page.locator("#sa-check-download")).to_be_enabled()
    with page.expect_download() as download:
        page.locator("#sa-check-download").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Citation check" in report and report.lower().count("contradicted") >= 1
    shot(page, "check")

    from docx import Document as Docx

    doc = Docx()
    doc.add_paragraph("The Munro review was published in 2015.")
    doc.save(tmp_path / "note.docx")
    page.locator("#sa-check-file input[type=file]").set_input_files(str(tmp_path / "note.docx"))
    expect(page.locator("#sa-check-text textarea")).to_have_value(
        re.compile(r"^The Munro review was published in 2015\.\s*$"), timeout=WAIT)


def test_reframe_marks_phrases_and_suggests_wording(page, real_app):
    open_app(page, real_app[0], "Reframe")
    page.locator("#sa-reframe-text textarea").fill(
        "Mr Jones is non-compliant with his medication and refuses to engage with the team.")
    page.locator("#sa-reframe").click()
    marks = page.locator("#sa-reframe-out mark.sa-deficit")
    marks.first.wait_for(timeout=WAIT)
    assert {"non-compliant", "refuses to engage"} <= set(marks.all_inner_texts())
    assert marks.first.get_attribute("title")  # the reason, on hover
    assert page.locator("#sa-reframe-out tbody tr").count() == marks.count()
    suggested = page.locator("#sa-reframe-out .sa-suggested").inner_text()
    assert "refuses to engage" not in suggested
    shot(page, "reframe")


# ------------------------------------------------------------ library


def test_upload_then_find_it_and_nothing_in_it_runs(page, fresh_app, tmp_path):
    url, _ = fresh_app
    (tmp_path / "zephyr-lantern.md").write_text(GUIDANCE_MD, encoding="utf-8")
    (tmp_path / "harbour.html").write_text(HOSTILE_HTML, encoding="utf-8")
    open_app(page, url, "Library")
    page.locator("#sa-upload input[type=file]").set_input_files(
        [str(tmp_path / "zephyr-lantern.md"), str(tmp_path / "harbour.html")])
    expect(page.locator("#sa-upload")).to_contain_text("harbour", timeout=WAIT)
    page.locator("#sa-add").click()
    result = page.locator("#sa-library-status table")
    result.wait_for(timeout=WAIT)
    assert result.locator("tbody tr").all_inner_texts() and result.inner_text().count("added") == 2
    expect(page.locator("#sa-docs")).to_contain_text("Zephyr Lantern Visiting Guidance")
    expect(page.locator("#sa-docs")).to_contain_text('<img src=x onerror="window.__pwned=1">')  # shown as text

    page.locator("#sa-search-text textarea, #sa-search-text input").first.fill("harbour befriending volunteers")
    page.locator("#sa-search").click()
    expect(page.locator("#sa-search-out")).to_contain_text("Harbour befriending volunteers", timeout=WAIT)
    page.wait_for_timeout(500)  # give any injected handler time to fire
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    expect(page.locator("#sa-search-out")).to_contain_text("<script>window.__pwned=1</script>")
    page.locator("#sa-search-text textarea, #sa-search-text input").first.fill("zephyr lantern visit")
    page.locator("#sa-search").click()
    expect(page.locator("#sa-search-out .sa-passage").first).to_contain_text("zephyr lantern visit", timeout=WAIT)
    shot(page, "library")

    page.get_by_role("tab", name="Ask").click()
    page.locator("#sa-question textarea").fill("When should a carer be offered a zephyr lantern visit?")
    page.locator("#sa-send").click()
    expect(page.locator("#sa-sources details.sa-cite").first).to_contain_text(
        "Zephyr Lantern Visiting Guidance", timeout=WAIT)
    expect(page.locator("#sa-sources mark").first).to_contain_text("nine days")
    page.wait_for_timeout(500)  # give any injected handler time to fire
    assert page.evaluate("() => typeof window.__pwned") == "undefined"

    page.get_by_role("tab", name="Library").click()
    choose(page, "sa-remove-choice", "Zephyr Lantern Visiting Guidance")
    page.locator("#sa-remove").click()
    expect(page.locator("#sa-remove-confirm")).to_contain_text("Remove “Zephyr Lantern Visiting Guidance”",
                                                               timeout=WAIT)
    page.locator("#sa-remove-yes").click()
    expect(page.locator("#sa-library-status")).to_contain_text("Removed “Zephyr Lantern Visiting Guidance”",
                                                               timeout=WAIT)
    expect(page.locator("#sa-docs")).not_to_contain_text("Zephyr Lantern Visiting Guidance")
    assert page.evaluate("() => typeof window.__pwned") == "undefined"

    page.locator("#sa-rebuild").click()
    expect(page.locator("#sa-library-status")).to_contain_text("Rebuilt the index", timeout=WAIT)
    expect(page.locator("#sa-docs")).to_contain_text("befriending")  # the other upload stays
    page.locator("#sa-search-text textarea, #sa-search-text input").first.fill("harbour befriending volunteers")
    page.locator("#sa-search").click()
    expect(page.locator("#sa-search-out .sa-passage").first).to_contain_text("Harbour befriending", timeout=WAIT)
