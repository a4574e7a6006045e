"""A conversation in the Ask tab, in a real Chromium: a follow-up that refers back, a list-shaped answer, and an
LLM answer that streams in as a draft before the verified answer stands."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium: run scripts/install-browser.sh "
                "to run the browser tests", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')")
expect = sync_api.expect

from browser_kit import WAIT, ask, bot_messages, launch, open_app, shot  # noqa: E402
from langchain_core.language_models.chat_models import BaseChatModel  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.model]
CORPUS = Path(__file__).resolve().parents[2] / "corpus"
BLOG = "Looking for strengths at the heart of social care"


def test_a_follow_up_keeps_to_the_document_and_a_list_question_gets_a_list(page, real_app):
    url, _ = real_app
    open_app(page, url)
    ask(page, f"Who wrote the blog {BLOG}?")
    assert "Ewan King" in bot_messages(page)[-1]
    expect(page.locator("#sa-sources details.sa-cite summary").first).to_contain_text(BLOG)

    ask(page, "what's his job?")  # "his" is the author of the document the last answer cited
    assert "Director of Business Development" in bot_messages(page)[-1]
    expect(page.locator("#sa-sources .sa-for")).to_contain_text("what's his job?", timeout=WAIT)
    titles = page.locator("#sa-sources details.sa-cite summary").all_inner_texts()
    assert titles and all(BLOG in t for t in titles), titles

    ask(page, "What are the key elements of a strengths-based approach for children? In 3 bullet points")
    last = page.locator("#sa-chat [data-testid='bot']").last
    items = last.locator("li")
    expect(items).to_have_count(3)  # the document's own items, shown as a list, each quoted and cited
    assert all(t.strip().endswith("]") for t in items.all_inner_texts())
    assert "essentially" in last.inner_text()  # the document's lead-in says what the list is
    searched = page.locator("#sa-sources .sa-searched")  # a new topic: nothing of the blog is folded in
    assert searched.count() == 0 or not any(w in searched.inner_text() for w in ("Ewan", "job", "blog"))
    assert all("children" in t.lower() for t in page.locator("#sa-sources details.sa-cite summary").all_inner_texts())


class SlowChunks(BaseChatModel):
    """A stand-in for a model server: streams a scripted reply a few characters at a time, slowly."""

    script: Callable[[str], str]
    delay: float = 0.08

    @property
    def _llm_type(self) -> str:
        return "slow-chunks"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        raise AssertionError("the app streams the answer")

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        reply = self.script("\n".join(str(m.content) for m in messages))
        for i in range(0, len(reply), 6):
            time.sleep(self.delay)
            yield ChatGenerationChunk(message=AIMessageChunk(content=reply[i:i + 6]))


def _munro_reply(prompt: str) -> str:
    import re

    n = next(m.group(1) for m in re.finditer(r'<passage number="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S)
             if "Munro review" in m.group(2))
    return (f"The Munro review of child protection was published in 2011. [{n}] "
            f"The Munro review said every council must close its children's centres by 2012. [{n}]")


@pytest.fixture(scope="module")
def llm_app(real_index_dir):
    from assistant.core import Assistant
    from assistant.settings import load_settings

    settings = load_settings(corpus_dir=CORPUS, index_dir=real_index_dir, home=real_index_dir)
    demo, url = launch(Assistant(settings, chat_model=SlowChunks(script=_munro_reply)))
    yield url
    demo.close()


def test_an_llm_answer_streams_as_a_draft_and_the_verified_answer_stands(page, llm_app):
    open_app(page, llm_app)
    box = page.locator("#sa-question textarea")
    box.fill("When was the Munro review published?")
    box.press("Enter")
    draft = page.locator("#sa-chat [data-testid='bot'] .sa-draft-label")
    expect(draft).to_be_visible(timeout=WAIT)  # the model's words appear while it writes, marked as a draft
    expect(page.locator("#sa-chat [data-testid='bot']").last).to_contain_text("Munro", timeout=WAIT)
    expect(draft).to_have_count(0, timeout=WAIT)  # then the verified answer replaces the draft
    last = page.locator("#sa-chat [data-testid='bot']").last
    expect(last).to_contain_text("2011")
    shown = last.inner_text()
    assert "children's centres" not in shown.split("Show the")[0]  # the unsupported sentence is not in the answer
    assert shown.count("Note:") == 1 and "Removed 1 sentence" in shown
    folded = last.locator("details.sa-removed")
    expect(folded).not_to_have_attribute("open", "")
    folded.locator("summary").click()
    expect(folded.locator("li")).to_contain_text("children's centres")
    shot(page, "ask-llm-verified", full_page=False)
    expect(page.locator("#sa-sources details.sa-cite mark").first).to_contain_text("Munro")
