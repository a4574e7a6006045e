"""Helpers for the browser tests: open the app, pick from a dropdown, screenshots, axe-core, a phone page."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "docs" / "screenshots"
# scripts/install-browser.sh (run by `make test`) installs the npm package axe-core here.
AXE = REPO / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
WAIT = 90_000  # ms: the first question also loads the embedding model
DESKTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 844}
TABS = ("Ask", "Conversation prompts", "Check citations", "Reframe", "Library")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(assistant):
    from ui.app import build_app

    port = free_port()
    demo = build_app(assistant)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


def new_page(browser, viewport: dict, phone: bool = False):
    """A page in its own context; `outside` collects any request that left this machine."""
    extra = {"is_mobile": True, "has_touch": True} if phone else {}
    context = browser.new_context(viewport=viewport, **extra)
    pg = context.new_page()
    outside: list[str] = []
    pg.on("request", lambda r: outside.append(r.url)
          if urlparse(r.url).hostname not in (None, "127.0.0.1", "localhost") and not r.url.startswith(("data:", "blob:"))
          else None)
    return context, pg, outside


def open_app(page, url: str, tab: str | None = None) -> None:
    page.goto(url)
    page.wait_for_selector("#sa-send")
    if tab:
        page.get_by_role("tab", name=tab).click()


def choose(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def shot(page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def bot_messages(page) -> list[str]:
    return page.locator("#sa-chat [data-testid='bot']").all_inner_texts()


def ask(page, question: str) -> None:
    """Type a question and press Enter; wait until its answer is in the chat."""
    answered = ("() => [...document.querySelectorAll('#sa-chat [data-testid=bot]')]"
                ".filter(m => !m.innerText.includes('Not answered')).length")
    before = page.evaluate(answered)
    box = page.locator("#sa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(f"({answered})() > {before}", timeout=WAIT)


def axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now: [{id, impact, help, targets}]."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => ({id: v.id, impact: v.impact, help: v.help,
                      targets: v.nodes.slice(0, 6).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 160))}));
    }""")
    return json.loads(json.dumps(result))
