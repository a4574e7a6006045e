"""The app as practitioners use it, in a real Chromium at 1366x800 and 390x844 against the real app and model:
chat conventions, provenance, accessibility (axe-core on every tab), the phone, prompts and the checker.

Also saves the README's desktop and phone screenshots to docs/screenshots/.
"""

from __future__ import annotations

import json
import re

import pytest
from browser_kit import AXE, CHROMIUM, PHONE, TABS, WAIT, ask, axe, new_page, open_app, shot

if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium: run scripts/install-browser.sh",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.model]
FAMILY_Q = "What does the Care Act 2014 say about family and friends providing support?"
STRENGTHS_Q = "What do strengths and asset-based approaches focus on?"
NUMBERED_MD = """---
title: Carers' Breaks Practice Guidance
publisher: Test Borough Council
audience: [carers]
---
# Carers' breaks

## Planning a break

6.63 Practitioners should ask each carer what a good break looks like for them before any plan is written.

6.64 A carer's break plan should name the people and places the carer chooses, and be reviewed with the
carer within three months.
"""


def bot(page):
    return page.locator("#sa-chat [data-testid=bot]")


def feedback_lines(settings) -> list[dict]:
    path = settings.index_root / "feedback.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


# ------------------------------------------------------------ chat conventions


def test_enter_sends_shift_enter_adds_a_line_and_the_box_is_on_screen(page, real_app):
    open_app(page, real_app[0])
    for sel in ("#sa-question textarea", "#sa-send"):
        box = page.locator(sel).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 800, (sel, box)
    assert page.evaluate("() => window.scrollY") == 0
    question = page.locator("#sa-question textarea")
    question.fill("What do strengths-based approaches")
    question.press("Shift+Enter")
    question.press_sequentially("focus on?")
    expect(question).to_have_value("What do strengths-based approaches\nfocus on?")
    assert bot(page).count() == 0, "Shift+Enter only adds a line"
    question.press("Enter")
    expect(bot(page).first).to_contain_text("[1]", timeout=WAIT)
    expect(question).to_have_value("")


def test_example_chips_send_straight_away(page, real_app):
    open_app(page, real_app[0])
    page.get_by_role("button", name=STRENGTHS_Q).click()
    expect(page.locator("#sa-chat [data-testid=user]").first).to_contain_text(STRENGTHS_Q, timeout=WAIT)
    expect(bot(page).first).to_contain_text("[1]", timeout=WAIT)
    expect(page.locator("#sa-sources .sa-for")).to_contain_text(STRENGTHS_Q)


def test_a_new_answer_is_shown_from_its_start(page, real_app):
    open_app(page, real_app[0])
    ask(page, FAMILY_Q)
    ask(page, STRENGTHS_Q)
    ask(page, "What does the Care Act say about carers?")
    page.wait_for_timeout(800)  # the scroll happens after the answer is drawn
    top = bot(page).last.bounding_box()["y"]
    chat = page.locator("#sa-chat [role=log]").bounding_box()
    assert chat["y"] - 2 <= top <= chat["y"] + chat["height"] / 2, (top, chat)


def test_every_answer_has_its_own_rating_and_a_second_click_replaces_the_first(page, real_app):
    url, settings = real_app
    open_app(page, url)
    expect(page.locator("#sa-fb-export")).to_be_hidden()  # the export is not under every chat
    ask(page, FAMILY_Q)
    ask(page, STRENGTHS_Q)
    dislike = page.locator("#sa-chat button[aria-label='Dislike']")
    assert dislike.count() == 2, "each answer carries its own rating buttons"
    before = len(feedback_lines(settings))
    dislike.nth(0).click()
    expect(page.locator("#sa-fb-status")).to_contain_text("not helpful", timeout=WAIT)
    expect(page.locator("#sa-fb-status")).to_contain_text(FAMILY_Q)
    page.locator("#sa-chat button[aria-label='Like']").nth(0).click()  # second thoughts on the FIRST answer
    expect(page.locator("#sa-fb-status")).to_contain_text("helpful for", timeout=WAIT)
    page.locator("#sa-chat button[aria-label='Feedback']").nth(1).click()
    page.get_by_text("Wrong citation", exact=True).last.click()
    expect(page.locator("#sa-fb-status")).to_contain_text(f"wrong citation for “{STRENGTHS_Q}”", timeout=WAIT)
    from assistant.evaluation.feedback import export_eval_cases, read_all

    lines = feedback_lines(settings)[before:]
    assert [(x["kind"], x["question"]) for x in lines[:2]] == [("unhelpful", FAMILY_Q), ("helpful", FAMILY_Q)]
    assert lines[0]["answer_id"] == lines[1]["answer_id"] != lines[-1]["answer_id"]
    counted = [(x["kind"], x["question"]) for x in read_all(settings) if x.get("answer_id") in
               {lines[0]["answer_id"], lines[-1]["answer_id"]}]
    assert counted == [("helpful", FAMILY_Q), ("wrong_citation", STRENGTHS_Q)], "one rating per answer: the latest"

    questions = [c["question"] for c in export_eval_cases(settings)]
    assert STRENGTHS_Q in questions and FAMILY_Q not in questions, "the later 'helpful' replaced 'not helpful'"
    page.get_by_role("tab", name="Library").click()
    page.get_by_text("Feedback on answers").click()
    expect(page.locator("#sa-fb-export")).to_be_enabled(timeout=WAIT)


def test_a_problem_is_said_in_the_chat_and_cleared_by_the_next_success(page, real_app):
    open_app(page, real_app[0])
    page.locator("#sa-question textarea").fill("   ")
    page.locator("#sa-send").click()
    expect(bot(page).last).to_contain_text("Not answered", timeout=WAIT)
    expect(bot(page).last).to_contain_text("empty")
    assert page.locator(".toast-body, [data-testid=toast-body]").count() == 0, "no pop-up over the page"
    ask(page, FAMILY_Q)
    expect(page.locator("#sa-chat")).not_to_contain_text("Not answered")
    page.get_by_role("tab", name="Check citations").click()
    page.locator("#sa-check").click()
    expect(page.locator("#sa-check-out [role=alert]")).to_contain_text("empty", timeout=WAIT)
    page.locator("#sa-check-text textarea").fill("Community strengths can include knowledge, people, spaces, "
                                                 "networks and services.")
    page.locator("#sa-check").click()
    expect(page.locator("#sa-check-out .sa-claim")).to_have_count(1, timeout=WAIT)
    assert page.locator("[role=alert], .toast-body").count() == 0


def test_over_limit_question_counter_and_plain_message_in_the_chat(page, real_app):
    url, settings = real_app
    open_app(page, url)
    limit = settings.max_question_chars
    counter = page.locator("#sa-question-count")
    expect(counter).to_contain_text(f"0 of {limit:,} characters")
    page.locator("#sa-question textarea").fill("carers " * 14_286)
    page.locator("#sa-question textarea").dispatch_event("input")
    expect(counter).to_contain_text(f"100,002 of {limit:,} characters — too long to send")
    page.locator("#sa-question textarea").press("Enter")
    reply = bot(page).last
    expect(reply).to_contain_text("100,002 characters long", timeout=WAIT)
    expect(reply).to_contain_text(f"up to {limit:,}")
    assert "ASSISTANT_" not in page.inner_text("body") and "ASSISTANT_" not in reply.inner_text()
    assert page.locator("#sa-sources .sa-error").count() == 0


# ------------------------------------------------------------ provenance


def test_sources_are_cited_as_practitioners_cite(page, fresh_app, tmp_path):
    url, _ = fresh_app
    (tmp_path / "carers-breaks.md").write_text(NUMBERED_MD, encoding="utf-8")
    open_app(page, url, "Library")
    page.locator("#sa-upload input[type=file]").set_input_files(str(tmp_path / "carers-breaks.md"))
    expect(page.locator("#sa-upload")).to_contain_text("carers-breaks", timeout=WAIT)
    page.locator("#sa-add").click()
    expect(page.locator("#sa-library-status")).to_contain_text("added", timeout=WAIT)
    page.get_by_role("tab", name="Ask").click()
    ask(page, "Who should a carer's break plan name, and when is it reviewed?")
    card = page.locator("#sa-sources details.sa-cite").first
    expect(card).to_contain_text("Carers' Breaks Practice Guidance", timeout=WAIT)
    where = card.locator(".sa-where").inner_text()
    assert "Test Borough Council" in where and "Planning a break" in where and "para 6.64" in where, where
    panel = page.locator("#sa-sources").inner_text()
    assert not re.search(r"characters? \d", panel) and "carers-breaks" not in panel, panel


# ------------------------------------------------------------ accessibility


def test_accessible_names_are_text_and_metadata_is_readable(page, real_app):
    open_app(page, real_app[0])
    ask(page, FAMILY_Q)
    expect(page.get_by_role("link", name="source 1", exact=True)).to_be_visible()
    name = bot(page).last.get_attribute("aria-label")
    assert name.startswith("Answer:") and "<" not in name and "&lt;" not in name and "(source 1)" in name, name
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        '.sa-where, .sa-meta, .sa-for, .sa-hint, .sa-counter, .sa-n, .sa-count, .sa-tag')]
        .filter(e => e.offsetParent !== null).map(e => [e.className, parseFloat(getComputedStyle(e).fontSize)])""")
    assert sizes and all(size >= 14 for _, size in sizes), sizes


def _tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` (or one inside it) has the keyboard focus."""
    for _ in range(limit):
        if page.evaluate("s => { const a = document.activeElement; return !!(a && a.closest(s)); }", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def _keyboard_to_tab(page, tab_id: str) -> None:
    _tab_to(page, f"[role=tab][data-tab-id='{tab_id}']")
    page.keyboard.press("Enter")
    expect(page.locator(f"[role=tab][data-tab-id='{tab_id}']")).to_have_attribute("aria-selected", "true")


def _type_and_press(page, box: str, text: str, button: str) -> None:
    _tab_to(page, box)
    page.keyboard.insert_text(text)
    _tab_to(page, button)
    page.keyboard.press("Enter")


def test_every_tab_works_by_keyboard_alone(page, real_app):
    open_app(page, real_app[0])
    page.locator("body").focus()
    _tab_to(page, "#sa-question")
    page.keyboard.insert_text(FAMILY_Q)
    page.keyboard.press("Enter")
    expect(bot(page).first).to_contain_text("[1]", timeout=WAIT)
    _tab_to(page, "#sa-chat a.sa-ref")
    page.keyboard.press("Enter")
    expect(page.locator("#sa-sources details.sa-selected")).to_have_count(1, timeout=WAIT)
    for tab, box, text, button, result in (
        ("prompts", "#sa-situation", "Mr Ahmed enjoys cooking and wants to see his grandchildren.",
         "#sa-generate", "#sa-prompts-out .sa-question"),
        ("check", "#sa-check-text", "Community strengths can include knowledge, people, spaces, "
         "networks and services.", "#sa-check", "#sa-check-out .sa-claim"),
        ("reframe", "#sa-reframe-text", "She is non-compliant with her medication.", "#sa-reframe",
         "#sa-reframe-out mark"),
        ("library", "#sa-search-text", "carers", "#sa-search", "#sa-search-out .sa-passage"),
    ):
        _keyboard_to_tab(page, tab)
        _type_and_press(page, box, text, button)
        expect(page.locator(result).first).to_be_visible(timeout=WAIT)


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run scripts/install-browser.sh")
def test_axe_core_finds_no_serious_or_critical_violation_on_any_tab(page, real_app):
    open_app(page, real_app[0])
    ask(page, FAMILY_Q)
    expect(page.locator("#sa-sources details.sa-cite").first).to_be_visible(timeout=WAIT)
    page.wait_for_timeout(1500)  # the answer has settled: no progress indicator left on the page
    report: dict[str, list] = {"Ask": axe(page)}
    fills = {"Conversation prompts": ("#sa-situation textarea", "Mrs Khan loves gardening.", "#sa-generate"),
             "Check citations": ("#sa-check-text textarea", "Lyn Romeo is the Chief Social Worker for Adults "
                                 "(Care Act 2014 guidance).", "#sa-check"),
             "Reframe": ("#sa-reframe-text textarea", "He refuses to engage.", "#sa-reframe"),
             "Library": ("#sa-search-text textarea", "carers", "#sa-search")}
    for tab, (box, text, button) in fills.items():
        page.get_by_role("tab", name=tab).click()
        page.locator(box).fill(text)
        page.locator(button).click()
        page.wait_for_timeout(1500)
        report[tab] = axe(page)
    print("axe-core serious/critical violations per tab:", json.dumps({t: len(v) for t, v in report.items()}))
    print(json.dumps(report, indent=1))
    assert all(not v for v in report.values()), json.dumps(report, indent=1)


# ------------------------------------------------------------ phone


def test_phone_tabs_library_and_a_marker_source_beside_the_answer(browser, real_app):
    context, page, outside = new_page(browser, PHONE, phone=True)
    try:
        open_app(page, real_app[0])
        for name in TABS:
            tab = page.get_by_role("tab", name=name, exact=True)
            expect(tab).to_be_visible()
            box = tab.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)
        assert page.locator("[aria-label='More tabs']:visible").count() == 0
        page.get_by_role("tab", name="Library", exact=True).click()
        cells = page.locator("#sa-docs td")
        expect(cells.first).to_be_visible(timeout=WAIT)
        widths = [c["width"] for c in cells.evaluate_all("cs => cs.map(c => c.getBoundingClientRect())")]
        assert min(widths) >= 200, widths  # whole lines, never a letter per line
        shot(page, "phone-library", full_page=False)
        page.get_by_role("tab", name="Ask", exact=True).click()
        ask(page, FAMILY_Q)
        marker = page.locator("#sa-chat a.sa-ref").first
        marker.click()
        sheet = page.locator("#sa-sheet[role=dialog]")
        expect(sheet).to_be_visible(timeout=WAIT)
        expect(sheet).to_contain_text("Care Act 2014")
        box = sheet.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"] + 1 and box["y"] > 0, box
        shot(page, "phone-ask", full_page=False)
        page.get_by_role("button", name="Back to the answer").click()
        expect(sheet).to_have_count(0)
        assert page.evaluate("() => document.activeElement.classList.contains('sa-ref')"), "focus back on the marker"
        assert outside == []
    finally:
        context.close()


# ------------------------------------------------------------ prompts


def test_prompts_respect_the_chosen_stage_and_show_no_internal_tags(page, real_app):
    from browser_kit import choose

    open_app(page, real_app[0], "Conversation prompts")
    page.locator("#sa-situation textarea").fill(
        "Mrs Khan cares for her husband and loves gardening; she would like a break on Fridays.")
    choose(page, "sa-setting", "carers")
    choose(page, "sa-stage", "opening")
    page.locator("#sa-generate").click()
    out = page.locator("#sa-prompts-out")
    expect(out.locator(".sa-question").first).to_be_visible(timeout=WAIT)
    assert out.locator(".sa-stage h3").all_inner_texts() == ["Opening"]
    page.get_by_text("Markdown to copy into your notes").click()
    for text in (out.inner_text(), page.locator("#sa-prompts-md").inner_text()):
        assert not re.search(r"\([a-z]+(?:-[a-z]+)+(?:, [a-z-]+)*\)", text), text
        assert "## Exploring" not in text and "## Planning" not in text


# ------------------------------------------------------------ the checker


CHECK_NOTE = """Summary

Hi team, hope you are well.

The Care Act guidance says an assessment 'should lead to an approach that looks at a person's whole life holistically'.
Ewan King writes that 'a strengths-based approach should be considered a quick fix'.
There has been a rapidly growing interest over the last ten years in such approaches.

See para 6.64.
Many thanks,
Sam
"""


def test_check_tab_reads_a_note_as_a_practitioner_would(page, real_app):
    open_app(page, real_app[0], "Check citations")
    page.locator("#sa-check-text textarea").fill(CHECK_NOTE)
    page.locator("#sa-check").click()
    cards = page.locator("#sa-check-out .sa-claim")
    expect(cards.first).to_be_visible(timeout=WAIT)
    texts = cards.locator("blockquote").all_inner_texts()
    assert len(texts) == 3 and not any(t.strip() in ("Summary", "See para 6.64.") for t in texts), texts
    holistic, quick_fix, figure = (cards.nth(i) for i in range(3))
    expect(holistic).to_contain_text("altered")
    assert "person" not in " ".join(holistic.locator("del").all_inner_texts()), "an apostrophe is not a change"
    expect(holistic.locator("del")).to_contain_text("whole")
    expect(quick_fix).to_contain_text("altered")  # single quotes checked like double
    expect(quick_fix).to_contain_text("‘not’ left out")
    expect(figure.locator(".sa-verdict")).to_contain_text("Contradicted")
    expect(figure).to_contain_text("five years")
    report = page.locator("#sa-check-out").inner_text()
    assert "similarity" not in report and not re.search(r"'\w+(?:, \w+)+'", report), report
    assert "Strengths-based social care for children, young people and their families" in figure.inner_text()
