"""The Gradio app: layout and wiring over the library (callbacks in callbacks.py, HTML in render.py)."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import gradio as gr

from assistant.core import Assistant
from assistant.errors import SettingsError
from assistant.settings import Settings
from assistant.types import SETTINGS

from . import render
from .callbacks import Callbacks, api_endpoints

log = logging.getLogger(__name__)
TITLE = "Strengths-based practice assistant"
PRIVACY = ("Private by design: this app runs on this computer, and your questions, notes and documents "
           "never leave it.")
PRIVACY_LLM = ("Your questions go to the language model at {where} with names, NHS numbers and other personal "
               "details replaced by placeholders; your notes and documents stay on this computer.")
EXAMPLES = [
    "What do strengths and asset-based approaches focus on?",
    "What does the Care Act 2014 say about family and friends providing support?",
    "munro 2011",
]
STAGE_CHOICES = ["any", "opening", "exploring", "planning", "reviewing"]
FEEDBACK_OPTIONS = ("Like", "Dislike", "Wrong citation")  # shown as thumbs up, thumbs down and a flag menu
LIBRARY_TYPES = [".pdf", ".docx", ".html", ".htm", ".md", ".txt"]
CHECK_TYPES = [".docx", ".txt", ".md"]
API_NAMES = ("ask", "search", "prompts", "check", "reframe", "docs", "feedback", "feedback_cases", "add_documents",
             "remove", "rebuild")
CSS = (Path(__file__).with_name("style.css")).read_text(encoding="utf-8")
# Selecting an answer's [n] marker (click, or Enter on the focused link) opens that source's card beside the
# chat. The chat's select event swaps in that answer's sources first, so the card may take a moment to appear.
SCRIPT = (Path(__file__).with_name("app.js")).read_text(encoding="utf-8")


def privacy_line(settings: Settings) -> str:
    """What the header promises: everything local, or (LLM configured) what is sent where, redacted."""
    if not settings.llm_provider:
        return PRIVACY
    return PRIVACY_LLM.format(where=settings.llm_base_url or f"the {settings.llm_provider} default address")


def _private(name: str) -> dict:
    """UI events: named ui_* and hidden, so the public API names belong to the typed endpoints."""
    return {"api_name": f"ui_{name}", "api_visibility": "private"}


def build_app(assistant: Assistant) -> gr.Blocks:
    """The whole app for one Assistant; queued so that many users are answered side by side."""
    cb = Callbacks(assistant)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        # The stylesheet rides in <head> through this component, so it applies however the app is launched.
        promise = render.esc(privacy_line(assistant.settings))
        gr.HTML(f'<header class="sa-header"><h1>{render.esc(TITLE)}</h1><p class="sa-privacy">{promise}'
                "</p></header>", head=f"<style>{CSS}</style>", js_on_load=SCRIPT, elem_id="sa-header")
        # The feedback download lives in the Library tab but is refreshed by ratings in the Ask tab.
        export = gr.DownloadButton("Download rated answers as eval cases (JSONL)", interactive=False, size="sm",
                                   elem_id="sa-fb-export", render=False)
        with gr.Tabs(elem_id="sa-tabs", overflow_behavior="wrap"):  # every tab in sight on a phone, none behind "…"
            with gr.Tab("Ask", id="ask"):
                _ask_tab(cb, export)
            with gr.Tab("Conversation prompts", id="prompts"):
                _prompts_tab(cb)
            with gr.Tab("Check citations", id="check"):
                _check_tab(cb)
            with gr.Tab("Reframe", id="reframe"):
                _reframe_tab(cb)
            with gr.Tab("Library", id="library"):
                table, remove_choice = _library_tab(cb, export)
        demo.load(cb.on_load, outputs=[table, remove_choice, export], **_private("load"))
        for fn, name in zip(api_endpoints(assistant, cb), API_NAMES, strict=True):
            gr.api(fn, api_name=name)
    demo.queue(default_concurrency_limit=assistant.settings.app_concurrency)
    return demo


def _privacy_box(cb: Callbacks, box: gr.Textbox, name: str, event: str = "change") -> gr.HTML:
    """A warning under a text box that appears as soon as what is typed holds personal details."""
    notice = gr.HTML(elem_id=f"sa-pii-{name}")
    getattr(box, event)(cb.privacy(external=name == "question"), [box], [notice], show_progress="hidden",
                        trigger_mode="always_last",
                        queue=False, **_private(f"privacy_{name}"))
    return notice


def _ask_tab(cb: Callbacks, export: gr.DownloadButton) -> None:
    history = gr.State([])
    limit = cb.settings.max_question_chars
    with gr.Row(elem_id="sa-ask-row"):
        with gr.Column(scale=3, elem_id="sa-chat-col"):
            # No "share" button: it would offer to post the conversation off this machine. Each answer carries its
            # own rating (thumbs up, thumbs down, or "Wrong citation" under the flag); a second rating replaces it.
            chat = gr.Chatbot(label="Conversation", height="calc(100vh - 390px)", min_height=260,
                              feedback_options=FEEDBACK_OPTIONS, elem_id="sa-chat", buttons=["copy", "copy_all"],
                              autoscroll=False,
                              placeholder="Ask about the guidance: every answer quotes its sources.")
            with gr.Row(elem_id="sa-ask-box", equal_height=True):
                # One line that grows to six: Enter sends, Shift+Enter starts a new line.
                question = gr.Textbox(label="Your question", placeholder="e.g. What does the Care Act say about carers?",
                                      lines=1, max_lines=6, scale=6, elem_id="sa-question")
                send = gr.Button("Send", variant="primary", scale=1, min_width=90, elem_id="sa-send")
            gr.HTML(render.counter(0, limit), elem_id="sa-question-count")
            # .input, not .change: clearing the box after sending keeps the warning beside the answer.
            pii = _privacy_box(cb, question, "question", "input")
            with gr.Row(elem_id="sa-examples"):
                chips = [gr.Button(ex, size="sm", variant="secondary", elem_classes=["sa-chip"]) for ex in EXAMPLES]
                clear = gr.Button("New conversation", size="sm", variant="secondary", elem_id="sa-clear")
            fb_status = gr.HTML(elem_id="sa-fb-status")
            with gr.Accordion("Add a note to your next rating (optional)", open=False, elem_id="sa-fb-note"):
                note = gr.Textbox(label="What was wrong or missing?", lines=1, max_lines=3)
        with gr.Column(scale=2, elem_id="sa-sources-col"):
            sources = gr.HTML(render.sources_panel(None, {}), elem_id="sa-sources")
    outputs = [chat, history, sources, question, fb_status, pii]
    after = {"js": "() => window.saShowLatestAnswer && window.saShowLatestAnswer()"}
    gr.on([send.click, question.submit], cb.ask, [question, history], outputs, **_private("ask")).then(
        None, None, None, **after)
    for n, (chip, text) in enumerate(zip(chips, EXAMPLES, strict=True)):
        chip.click(cb.ask_example(text), [history], outputs, **_private(f"example_{n}")).then(None, None, None, **after)
    clear.click(cb.clear, None, outputs, **_private("clear"))
    chat.select(cb.select_answer, [history], [sources], show_progress="hidden", **_private("select_answer"))
    chat.like(cb.rate, [history, note], [fb_status, note], **_private("rate")).then(
        cb.feedback_export, None, [export], **_private("feedback_export"))


def _prompts_tab(cb: Callbacks) -> None:
    situation = gr.Textbox(label="Situation", lines=4, elem_id="sa-situation",
                           placeholder="A few sentences about the person, family or community and what matters to them.")
    _privacy_box(cb, situation, "situation")
    with gr.Row():
        setting = gr.Dropdown(list(SETTINGS), value="adults", label="Setting", elem_id="sa-setting")
        stage = gr.Dropdown(STAGE_CHOICES, value="any", label="Conversation stage", elem_id="sa-stage")
        go = gr.Button("Generate prompts", variant="primary", elem_id="sa-generate")
    out = gr.HTML(elem_id="sa-prompts-out")
    with gr.Accordion("Markdown to copy into your notes", open=False):
        md = gr.Code(language="markdown", interactive=False, label="Markdown", elem_id="sa-prompts-md")
    download = gr.DownloadButton("Download Markdown", interactive=False, elem_id="sa-prompts-download")
    go.click(cb.prompts, [situation, setting, stage], [out, md, download], **_private("prompts"))


def _check_tab(cb: Callbacks) -> None:
    text = gr.Textbox(label="Text to check", lines=8, max_lines=30, elem_id="sa-check-text",
                      placeholder="Paste text that cites the guidance, e.g. 'The Care Act says … (SCIE, 2015).'")
    _privacy_box(cb, text, "check")
    with gr.Row():
        upload = gr.File(label="…or load a .docx, .txt or .md file", file_types=CHECK_TYPES, type="filepath",
                         height=120, elem_id="sa-check-file")
        with gr.Column():
            go = gr.Button("Check", variant="primary", elem_id="sa-check")
            download = gr.DownloadButton("Download report (Markdown)", interactive=False, elem_id="sa-check-download")
    out = gr.HTML(elem_id="sa-check-out")
    upload.upload(cb.load_check_file, [upload], [text, out], **_private("load_check_file"))
    go.click(cb.check, [text], [out, download], **_private("check"))


def _reframe_tab(cb: Callbacks) -> None:
    gr.Markdown("Paste a case note or plan: deficit phrases are marked, with strengths-based alternatives.")
    text = gr.Textbox(label="Text", lines=6, elem_id="sa-reframe-text")
    _privacy_box(cb, text, "reframe")
    go = gr.Button("Suggest strengths-based wording", variant="primary", elem_id="sa-reframe")
    out = gr.HTML(elem_id="sa-reframe-out")
    go.click(cb.reframe, [text], [out], **_private("reframe"))


def _library_tab(cb: Callbacks, export: gr.DownloadButton):
    table = gr.HTML(elem_id="sa-docs")
    with gr.Row():
        query = gr.Textbox(label="Search the guidance", scale=4, elem_id="sa-search-text")
        go = gr.Button("Search", elem_id="sa-search", scale=1)
    results = gr.HTML(elem_id="sa-search-out")
    with gr.Row():
        with gr.Column():
            files = gr.File(label="Add guidance (PDF, Word, HTML, Markdown, text)", file_count="multiple",
                            file_types=LIBRARY_TYPES, type="filepath", elem_id="sa-upload")
            add = gr.Button("Add to library", variant="primary", elem_id="sa-add")
        with gr.Column():
            remove_choice = gr.Dropdown([], label="Documents you added", elem_id="sa-remove-choice")
            remove = gr.Button("Remove from library", variant="stop", elem_id="sa-remove")
            confirm = gr.HTML(elem_id="sa-remove-confirm")
            with gr.Row(visible=False, elem_id="sa-remove-sure") as sure_row:
                sure = gr.Button("Yes, remove it", variant="stop", size="sm", elem_id="sa-remove-yes")
                keep = gr.Button("Keep it", variant="secondary", size="sm", elem_id="sa-remove-no")
            rebuild = gr.Button("Rebuild index", variant="secondary", elem_id="sa-rebuild")
    status = gr.HTML(elem_id="sa-library-status")
    with gr.Accordion("Feedback on answers", open=False, elem_id="sa-fb-panel"):
        gr.Markdown("Answers rated thumbs down or “Wrong citation” in the Ask tab, as eval cases to label and run "
                    "with `assistant eval --set DIR`.")
        export.render()
    gr.on([go.click, query.submit], cb.search, [query], [results], **_private("search"))
    add.click(cb.add_files, [files], [status, table, remove_choice, files], **_private("add_files"))
    remove.click(cb.confirm_remove, [remove_choice], [confirm, sure_row, status], **_private("confirm_remove"))
    sure.click(cb.remove, [remove_choice], [status, table, remove_choice, confirm, sure_row], **_private("remove"))
    keep.click(lambda: ("", gr.Row(visible=False)), None, [confirm, sure_row], **_private("keep"))
    rebuild.click(cb.rebuild, None, [status, table, remove_choice], **_private("rebuild"))
    return table, remove_choice


# ---------------------------------------------------------------- serving


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def bind_options(settings: Settings, host: str | None = None, port: int | None = None) -> dict:
    """launch() arguments for where to listen; refuse a non-loopback address without a password."""
    host = host or settings.host
    port = port or settings.port
    opts: dict = {"server_name": host, "server_port": port}
    if is_loopback(host):
        return opts
    password = settings.auth_password.get_secret_value()
    if settings.auth_username and password:
        return {**opts, "auth": (settings.auth_username, password)}
    if settings.allow_unauthenticated_remote:
        log.warning("!" * 72)
        log.warning("LISTENING ON %s WITHOUT A PASSWORD: anyone who can reach this address can use the app "
                    "and read what is typed into it (ASSISTANT_ALLOW_UNAUTHENTICATED_REMOTE=true).", host)
        log.warning("!" * 72)
        return opts
    raise SettingsError(
        f"Refusing to listen on {host} without a password: anyone on the network could use the app. "
        "Set ASSISTANT_AUTH_USERNAME and ASSISTANT_AUTH_PASSWORD, or use --host 127.0.0.1 "
        "(or set ASSISTANT_ALLOW_UNAUTHENTICATED_REMOTE=true if you accept the risk).")


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Build the index if missing (progress on the console), then run the app until interrupted."""
    if not logging.getLogger().handlers:  # first, so the no-password warning below is printed in full
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    opts = bind_options(settings, host, port)  # fail before the slow index build
    assistant = Assistant(settings)
    report = assistant.ensure_index(progress=True)
    if report is not None:
        print(f"Built the index: {report.chunks_total} passages from {len(report.added)} documents "
              f"in {report.seconds:.0f} s.", flush=True)
    if settings.safeguarding_meaning:  # embed the safeguarding bank now (once per machine), not on the first situation
        from assistant.safety.indicators import matcher

        matcher(settings)
    demo = build_app(assistant)
    print(f"{TITLE}: open http://{'127.0.0.1' if opts['server_name'] in ('0.0.0.0', '::') else opts['server_name']}"
          f":{opts['server_port']} in your browser (Ctrl+C to stop).", flush=True)
    demo.launch(**opts, share=False, inbrowser=False, show_error=False,
                max_file_size=f"{settings.max_file_mb:g}mb", quiet=True)
