"""Gradio callbacks and API endpoints: parse input, call the library, render. No product logic here."""

from __future__ import annotations

import functools
import json
import logging
import tempfile
import time
import uuid
from pathlib import Path

import gradio as gr
from gradio.data_classes import (
    FileData,  # module level: gr.api resolves the type hints here
)

from assistant.core import Assistant
from assistant.errors import AssistantError, InputError
from assistant.evaluation import feedback
from assistant.index.store import add_to_library, from_library
from assistant.types import Answer

from . import render

log = logging.getLogger(__name__)
FEEDBACK_LABELS = {"helpful": "helpful", "unhelpful": "not helpful", "wrong_citation": "wrong citation"}
FEEDBACK_KINDS = {"Like": "helpful", "Dislike": "unhelpful", "Wrong citation": "wrong_citation"}
PREVIEW_CHARS = 300  # how much of an over-long question the chat repeats back
DRAFT_EVERY = 0.25  # seconds between re-renders of an LLM draft in the chat
GENERIC_ERROR = "Something went wrong on our side; the details are in the app's console log. Please try again."


def _message(e: Exception) -> str:
    if isinstance(e, AssistantError):
        return str(e)
    log.exception("unexpected error in the app")  # the traceback goes to the console, never to the page
    return GENERIC_ERROR


def guarded(fallback, raw: bool = False):
    """Run a UI callback; on error show its message inline (via `fallback`), never a traceback.

    No pop-up: an inline message sits where the result would have been, so the next success replaces it.
    `raw`: give `fallback` the message text rather than a rendered notice.
    """
    def deco(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 — every failure becomes a readable message
                msg = _message(e)
                return fallback(msg if raw else render.notice(msg))
        return inner
    return deco


def api_guarded(fn):
    """API endpoints: library errors reach the client as gr.Error with the user-facing message."""
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001
            raise gr.Error(_message(e), print_exception=False) from None
    return inner


def _preview(text) -> str:
    text = text if isinstance(text, str) else ""
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS].rstrip() + " …"


def _turn(history: list[dict] | None, index) -> int | None:
    """The answer a chat message belongs to (two messages per turn), or None if it is gone."""
    index = index[0] if isinstance(index, (list, tuple)) else index
    turn = int(index or 0) // 2
    return turn if history and 0 <= turn < len(history) else None


def _skips(n: int) -> tuple:
    return tuple(gr.skip() for _ in range(n))


def _progress_adapter(progress):
    """The library's progress(done, total, message) as a gr.Progress update."""
    def update(done: int, total: int, message: str) -> None:
        progress((done, total) if total else None, desc=message)
    return update


class Callbacks:
    """The UI's event handlers, bound to one Assistant."""

    def __init__(self, assistant: Assistant):
        self.a = assistant
        self.settings = assistant.settings
        self.downloads = Path(tempfile.mkdtemp(prefix="sa-downloads-"))

    def doc_texts(self, doc_ids) -> dict[str, str]:
        docs = self.a.index.documents
        return {d: docs[d].text for d in set(doc_ids) if d in docs}

    def _write_download(self, stem: str, text: str) -> str:
        path = self.downloads / f"{stem}-{uuid.uuid4().hex[:8]}.md"
        path.write_text(text, encoding="utf-8")
        return str(path)

    # ------------------------------------------------------------ ask

    def ask(self, question: str, history: list[dict]):
        """-> chatbot, history, sources html, cleared textbox, feedback status, privacy notice (a generator).

        With an LLM its draft is shown as it is written, marked as not yet checked, and then replaced by the
        verified answer. A question that cannot be answered (empty, too long, …) gets its reason as a reply in
        the chat; the box keeps the text so it can be shortened, and the next answer replaces the reply.
        """
        history = list(history or [])
        asked = {"role": "user", "content": render.esc(_preview(question))}
        ans, shown_at = None, 0.0
        try:
            for step in self.a.ask_stream(question, self._turns(history)):
                if isinstance(step, Answer):
                    ans = step
                elif time.monotonic() - shown_at >= DRAFT_EVERY:  # a re-render per token would flood the page
                    shown_at = time.monotonic()
                    draft = {"role": "assistant", "content": render.draft_message(step)}
                    yield (self._chat(history) + [asked, draft], *_skips(5))
        except Exception as e:  # noqa: BLE001 — the reason goes into the chat, never a traceback
            problem = {"role": "assistant", "content": render.chat_problem(self._problem(question, e))}
            yield self._chat(history) + [asked, problem], history, gr.skip(), gr.skip(), "", gr.skip()
            return
        history.append({"id": uuid.uuid4().hex[:12], "question": ans.question, "answer": ans.model_dump()})
        sources = render.sources_panel(ans, self._cited_texts(ans), turn=len(history) - 1)
        warn = render.privacy_notice(question, bool(self.settings.llm_provider))
        yield self._chat(history), history, sources, "", "", warn

    def ask_example(self, text: str):
        """An example question chip: sends that question straight away."""
        def send(history):
            yield from self.ask(text, history)
        return send

    def _turns(self, history: list[dict]) -> list[dict]:
        """The conversation so far as turns for the library (each answer with the documents it cited)."""
        turns = [t for h in history for t in ({"role": "user", "content": h["question"]},
                                               {"role": "assistant", "content": h["answer"]["answer"],
                                                "doc_ids": [c["doc_id"] for c in h["answer"].get("citations", [])]})]
        return turns[-8:]

    def _problem(self, question, e: Exception) -> str:
        """Why a question was not answered, in plain words (the library's messages name settings for admins)."""
        limit = self.settings.max_question_chars
        if isinstance(question, str) and len(question) > limit:
            return (f"Your question is {len(question):,} characters long, and questions can be up to {limit:,}. "
                    "Ask about one thing at a time in a sentence or two; to check a long piece of writing, "
                    "paste it into the Check tab instead.")
        return _message(e)

    def _chat(self, history: list[dict]) -> list[dict]:
        return [m for n, h in enumerate(history) for m in (
            {"role": "user", "content": render.esc(h["question"])},
            {"role": "assistant", "content": render.answer_message(Answer.model_validate(h["answer"]), turn=n)})]

    def _cited_texts(self, ans: Answer) -> dict[str, str]:
        return self.doc_texts([c.doc_id for c in ans.citations])

    def select_answer(self, history: list[dict], evt: gr.SelectData):
        """Selecting a message (or one of its [n] markers) shows that answer's sources."""
        turn = _turn(history, evt.index)
        if turn is None:
            return gr.skip()
        ans = Answer.model_validate(history[turn]["answer"])
        return render.sources_panel(ans, self._cited_texts(ans), turn=turn)

    def clear(self):
        return [], [], render.sources_panel(None, {}), "", "", ""

    def privacy(self, external: bool = False):
        """The personal-details warning for what is typed so far (shown as the user types)."""
        return lambda text: render.privacy_notice(text, external and bool(self.settings.llm_provider))

    @guarded(lambda err: (err, gr.skip()))
    def rate(self, history: list[dict], note: str, evt: gr.LikeData):
        """A rating on one answer; rating the same answer again replaces the earlier rating."""
        turn = _turn(history, evt.index)
        if turn is None:
            raise InputError("That answer is no longer in the conversation: ask again to rate it.")
        item = history[turn]
        ans = Answer.model_validate(item["answer"])
        kind = FEEDBACK_KINDS.get(evt.liked if isinstance(evt.liked, str) else
                                  {True: "Like", False: "Dislike"}.get(evt.liked, ""))
        if kind is None:
            feedback.withdraw(self.settings, item.get("id", ""))
            return render.notice(f"Rating removed for “{ans.question}”.", "info"), gr.skip()
        feedback.record(self.settings, kind, ans.question, ans, note or "", answer_id=item.get("id", ""))
        msg = f"Thank you: recorded as {FEEDBACK_LABELS[kind]} for “{ans.question}”."
        return render.notice(msg, "info"), ""

    def feedback_export(self):
        """The download button for feedback turned into eval cases (JSONL), enabled once there are any."""
        cases = feedback.export_eval_cases(self.settings)
        if not cases:
            return gr.DownloadButton(value=None, interactive=False)
        path = self.downloads / f"feedback-eval-cases-{uuid.uuid4().hex[:8]}.jsonl"
        path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
        return gr.DownloadButton(value=str(path), interactive=True)

    # ------------------------------------------------------------ prompts

    @guarded(lambda err: (err, gr.skip(), gr.skip()))
    def prompts(self, situation: str, setting: str, stage: str):
        chosen = None if stage in (None, "", "any") else stage
        ps = self.a.prompts(situation, setting=setting, stage=chosen)
        if chosen:  # the generator tops a short stage up from the others; the user asked for this stage only
            # (the person-led safety questions stay first whatever the stage, when something was noticed)
            ps = ps.model_copy(update={"prompts": [p for p in ps.prompts if p.stage == chosen
                                                   or p.prompt_id.startswith("safeguarding")]})
        if not ps.prompts:
            raise InputError(f"No {chosen} prompts fit this situation: choose another stage, or any.")
        from assistant.prompts.generate import to_markdown

        md = to_markdown(ps, where=render.where)
        path = self._write_download("conversation-prompts", md)
        return render.prompts_html(ps), md, gr.DownloadButton(value=path, interactive=True)

    # ------------------------------------------------------------ check and reframe

    @guarded(lambda err: (gr.skip(), err))
    def load_check_file(self, file):
        """Put an uploaded .docx/.txt/.md file's text into the text box."""
        if not file:
            return gr.skip(), ""
        from assistant.ingest.loaders import load_path

        doc = load_path(Path(file), self.settings.max_file_mb)
        return doc.text, render.notice(f"Loaded {Path(file).name}: {len(doc.text):,} characters. "
                                       "Press Check to check it.", "info")

    @guarded(lambda err: (err, gr.skip()))
    def check(self, text: str):
        report = self.a.check(text)
        from assistant.check.verify import to_markdown

        ids = [d for c in report.claims for d in [e.doc_id for e in c.evidence[:1]]]
        path = self._write_download("citation-check", to_markdown(report))
        return render.check_html(report, self.doc_texts(ids)), gr.DownloadButton(value=path, interactive=True)

    @guarded(lambda err: err)
    def reframe(self, text: str):
        return render.reframe_html(self.a.reframe(text))

    # ------------------------------------------------------------ library

    def on_load(self):
        """Per page view: the library table, the remove list and the feedback export button."""
        return (*self.library_view(), self.feedback_export())

    def library_view(self):
        """-> the documents (cards on a phone, a table on a desk), remove-dropdown update (titles shown, ids kept)."""
        infos = self.a.docs() if self.a.has_index() else []
        mine = [(i.title or i.doc_id, i.doc_id) for i in infos if from_library(self.settings, i.source_path)]
        return render.documents(infos), gr.Dropdown(choices=mine, value=None)

    def _titles(self) -> dict[str, str]:
        return {i.doc_id: i.title or i.doc_id for i in (self.a.docs() if self.a.has_index() else [])}

    @guarded(lambda err: (err, gr.Row(visible=False), gr.skip()))
    def confirm_remove(self, doc_id: str | None):
        """Before removing, say which document goes and ask to confirm."""
        if not doc_id:
            raise InputError("Choose a document you added from the list first.")
        title = self._titles().get(doc_id, doc_id)
        return (render.notice(f"Remove “{title}” from the library? It will no longer be searched or cited.",
                              "warning"), gr.Row(visible=True), "")

    @guarded(lambda err: err)
    def search(self, query: str):
        hits = self.a.search(query)
        return render.passages_list(hits, f"Passages for “{query.strip()}”")

    @guarded(lambda err: (err, gr.skip(), gr.skip(), gr.skip()))
    def add_files(self, files, progress=gr.Progress()):
        paths = [Path(f if isinstance(f, str) else f.name) for f in (files or [])]
        rows = self.add_paths(paths, _progress_adapter(progress))
        return (render.ingest_result(rows), *self.library_view(), None)

    def add_paths(self, paths: list[Path], progress=False) -> list[tuple[str, str, str]]:
        """Copy files into the library and index them: (file name, added/updated/unchanged/skipped, detail)."""
        if not paths:
            raise InputError("Choose one or more guidance files (PDF, Word, HTML, Markdown or text) first.")
        copied, refused = add_to_library(self.settings, paths)
        report = self.a.ingest(progress=progress) if copied else None
        rows = [(name, "skipped", why) for name, why in refused.items()]
        return rows + [self._outcome(dest, report) for dest in copied]

    def _outcome(self, dest: Path, report) -> tuple[str, str, str]:
        """What happened to one copied file: added, updated, unchanged or skipped (with the loader's reason)."""
        for where, why in report.skipped.items():
            if Path(where).resolve() == dest.resolve():
                dest.unlink(missing_ok=True)  # a file the index refused should not linger in the library
                return dest.name, "skipped", why
        for doc_id, meta in self.a.index.manifest["docs"].items():
            if from_library(self.settings, meta["source_path"], dest):
                status = ("added" if doc_id in report.added else "updated" if doc_id in report.updated
                          else "unchanged")
                n = meta["chunks"]
                return dest.name, status, f"{n} passage{'s' if n != 1 else ''}; id {doc_id}; searchable now"
        return dest.name, "skipped", "it was not indexed"

    @guarded(lambda err: (err, gr.skip(), gr.skip(), "", gr.Row(visible=False)))
    def remove(self, doc_id: str | None):
        if not doc_id:
            raise InputError("Choose a document you added from the list first.")
        titles = self._titles()
        report = self.a.remove([doc_id])
        gone = ", ".join(f"“{titles.get(d, d)}”" for d in report.removed) or f"“{titles.get(doc_id, doc_id)}”"
        msg = f"Removed {gone}; {report.chunks_total} passages indexed."
        return (render.notice(msg, "info"), *self.library_view(), "", gr.Row(visible=False))

    @guarded(lambda err: (err, gr.skip(), gr.skip()))
    def rebuild(self, progress=gr.Progress()):
        report = self.a.ingest(rebuild=True, progress=_progress_adapter(progress))
        msg = f"Rebuilt the index: {report.chunks_total} passages from {len(self.a.docs())} documents in {report.seconds:.0f} s."
        return (render.notice(msg, "info"), *self.library_view())


def api_endpoints(a: Assistant, cb: Callbacks | None = None) -> list:
    """Typed, JSON-returning functions for gr.api (gradio_client and scripts).

    Each text endpoint also returns `privacy_warning`: a one-line warning when the text holds personal
    details (names, NHS numbers, …), else null.
    """
    from assistant.safety.privacy import warning

    cb = cb or Callbacks(a)

    def ask(question: str, history: list[dict] | None = None) -> dict:
        """Ask a question; returns the Answer (answer text with [n] markers, citations, abstained, closest)."""
        ans = a.ask(question, history=history or [])
        return {**ans.model_dump(), "privacy_warning": warning(question, bool(a.settings.llm_provider))}

    def search(query: str, k: int = 5) -> dict:
        """Hybrid search over the guidance; returns the top k passages with provenance."""
        return {"query": query, "results": [p.model_dump() for p in a.search(query, k)],
                "privacy_warning": warning(query)}

    def prompts(situation: str, setting: str = "adults", stage: str = "any", n: int = 10) -> dict:
        """Strengths-focused conversation prompts for a situation, with safeguarding and Markdown."""
        from assistant.prompts.generate import to_markdown

        ps = a.prompts(situation, setting=setting, stage=None if stage in ("", "any") else stage, n=n)
        return {**ps.model_dump(), "markdown": to_markdown(ps), "privacy_warning": warning(situation)}

    def check(text: str) -> dict:
        """Check the claims and citations in a text; returns each claim's verdict and evidence."""
        from assistant.check.verify import to_markdown

        report = a.check(text)
        return {**report.model_dump(), "counts": report.counts(), "markdown": to_markdown(report),
                "privacy_warning": warning(text)}

    def reframe(text: str) -> dict:
        """Deficit phrases in a text with strengths-based alternatives and a suggested rewrite."""
        return {**a.reframe(text).model_dump(), "privacy_warning": warning(text)}

    def docs() -> dict:
        """The indexed documents."""
        return {"documents": [i.model_dump() for i in a.docs()]}

    def give_feedback(kind: str, answer: dict, note: str = "") -> dict:
        """Record helpful / unhelpful / wrong_citation for an answer returned by /ask (stored locally as JSONL)."""
        from assistant.types import Answer as AnswerModel

        fields = {k: v for k, v in (answer or {}).items() if k in AnswerModel.model_fields}
        try:
            ans = AnswerModel.model_validate(fields)
        except ValueError as e:
            raise InputError("Pass the answer exactly as /ask returned it.") from e
        return {"stored": feedback.record(a.settings, kind, ans.question, ans, note or "")}

    def feedback_cases() -> dict:
        """Answers marked unhelpful or 'wrong citation', as eval cases (id, question, empty gold, note)."""
        return {"cases": feedback.export_eval_cases(a.settings)}

    def add_documents(files: list[FileData]) -> dict:
        """Add guidance files (PDF, Word, HTML, Markdown, text) to the library; searchable as soon as this returns."""
        paths = [Path(f["path"] if isinstance(f, dict) else getattr(f, "path", f)) for f in files or []]
        rows = cb.add_paths(paths)
        return {"results": [{"file": n, "result": r, "detail": d} for n, r, d in rows]}

    def remove(doc_id: str) -> dict:
        """Remove a document you added (by its id from /docs) from the library and the index."""
        report = a.remove([doc_id])
        return {"removed": report.removed, "passages": report.chunks_total}

    def rebuild() -> dict:
        """Re-embed the whole library from scratch."""
        report = a.ingest(rebuild=True, progress=False)
        return {"documents": len(a.docs()), "passages": report.chunks_total, "seconds": round(report.seconds, 1)}

    return [api_guarded(f) for f in (ask, search, prompts, check, reframe, docs, give_feedback, feedback_cases,
                                     add_documents, remove, rebuild)]
