"""Fixtures for the browser tests: the real app over real-model indexes, and a Chromium to drive it."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_kit import ARGS, CHROMIUM, DESKTOP, launch, new_page

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def real_app(real_index_dir):
    """The app over the session's real-model index of the shipped corpus."""
    from assistant.core import Assistant
    from assistant.settings import load_settings

    settings = load_settings(corpus_dir=CORPUS, index_dir=real_index_dir, home=real_index_dir)
    demo, url = launch(Assistant(settings))
    yield url, settings
    demo.close()


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory):
    """The app over a fresh real-model index in a temp dir, for uploads (the shared index stays untouched)."""
    from assistant.core import Assistant
    from assistant.settings import load_settings

    d = tmp_path_factory.mktemp("fresh-index")
    settings = load_settings(corpus_dir=CORPUS, index_dir=d, home=d)
    assistant = Assistant(settings)
    assistant.ensure_index(progress=False)
    demo, url = launch(assistant)
    yield url, settings
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh desktop page (1366x800); afterwards, no request may have gone anywhere but this machine."""
    context, pg, outside = new_page(browser, DESKTOP)
    yield pg
    context.close()
    assert outside == [], f"the page contacted other hosts: {outside}"
