"""Pages saved from websites: only the page's own content reaches a passage (fixtures: docgen/make_web.py)."""

from __future__ import annotations

import re

import pytest
from docgen.make_web import BODY, PAGE_TITLE, SITE, charity_html, govuk_markdown

from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_path
from assistant.ingest.webclean import clean_web_markdown

FURNITURE = re.compile(r"cookie|popular on|is this page useful|report a problem|skip to|crown copyright|"
                       r"open government licence|support links|privacy|donate|registered charity|contents", re.I)


def load(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = load_path(path)
    return doc, chunk_document(doc)


@pytest.mark.parametrize("name, make", [("carers.md", govuk_markdown), ("carers.html", charity_html)])
def test_no_banner_menu_widget_or_footer_in_any_passage_or_section(tmp_path, name, make):
    doc, chunks = load(tmp_path, name, make())
    assert chunks
    for c in chunks:
        assert not FURNITURE.search(c.text), c.text
        assert not FURNITURE.search(c.section), c.section
        assert "](" not in c.text and "http" not in c.text and "**" not in c.text


@pytest.mark.parametrize("name, make", [("carers.md", govuk_markdown), ("carers.html", charity_html)])
def test_sections_locators_and_title_come_from_the_page(tmp_path, name, make):
    doc, chunks = load(tmp_path, name, make())
    assert doc.title == PAGE_TITLE and SITE not in doc.title
    for n, (heading, text) in BODY.items():
        c = next(c for c in chunks if text in c.text)
        assert c.section == f"{PAGE_TITLE} > {n} {heading}" and c.locator == n


def test_links_become_their_text(tmp_path):
    doc, _ = load(tmp_path, "carers.md", govuk_markdown())
    assert "Read more about carer's assessments on this page." in doc.text


def test_lone_heading_mark_takes_the_next_line():
    assert clean_web_markdown("###\n4.1 Who can get support\n\n4.1 Text here.\n") == \
        "### 4.1 Who can get support\n\n4.1 Text here.\n"


def test_html_keeps_lists_and_tables(tmp_path):
    doc, _ = load(tmp_path, "carers.html", charity_html())
    assert "- a break from caring\n- help with housework or shopping" in doc.text
    assert "Service: Carer's assessment; Cost: Free" in doc.text and "|" not in doc.text


def test_markdown_tables_and_setext_headings():
    out = clean_web_markdown("Who can ask\n===========\n\n| Who | When |\n|---|:---:|\n| Adult carers | Any time |\n"
                             "| Young carers | From 16 |\n")
    assert out == "# Who can ask\n\nWho: Adult carers; When: Any time\nWho: Young carers; When: From 16\n"


def test_guidance_that_mentions_cookies_or_links_is_kept():
    text = ("# Online safety\n\nTalk with the person about cookies and tracking when they shop online.\n\n"
            "See [the council's guide](https://example.org/g) before the visit, and write down what they say.\n")
    out = clean_web_markdown(text)
    assert "cookies and tracking" in out and "See the council's guide before the visit" in out


def test_lone_links_and_bare_addresses_are_not_passages():
    out = clean_web_markdown("# Help\n\nCarers can ask for an assessment at any time of year.\n\n[Donate](https://example.org/d)\n\n"
                             "https://example.org/reports/2024/annual.pdf\n")
    assert out == "# Help\n\nCarers can ask for an assessment at any time of year.\n"


def test_link_lists_go_in_our_own_html_walk_too(tmp_path):
    page = ("<html><body><div><a href='/a'>Home</a> <a href='/b'>Services</a> <a href='/c'>Contact us</a></div>"
            "<div>Carers have a right to an assessment of their own needs, <a href='/x'>whatever</a> the hours.</div>"
            "<div><a href='/d'><div>A block inside a link</div></a></div></body></html>")
    doc, _ = load(tmp_path, "plain.html", page)
    assert doc.text == ("Carers have a right to an assessment of their own needs, whatever the hours.\n\n"
                        "A block inside a link\n")


def test_html_text_keeps_the_pages_own_characters_not_markdown_escapes(tmp_path):
    from assistant.ingest.loaders import load_path

    page = tmp_path / "escapes.html"
    page.write_text("<html><body><main><h1>Drop-in times</h1><p>Call the care_line team (2-4pm) on Tuesdays. "
                    "Ask for the *welcome* pack &lt;free&gt; and the #carers leaflet.</p>"
                    "<p>Our befriending volunteers visit people at home every week across the borough.</p>"
                    "</main></body></html>", encoding="utf-8")
    text = load_path(page).text
    assert "\\" not in text
    assert "care_line team (2-4pm)" in text and "<free>" in text
