"""The app's public API, driven through gradio_client against a real server on a real-model index."""

from __future__ import annotations

import json
import logging
import socket
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from samples import CHECK_TEXT, SAFEGUARDING

from assistant.core import Assistant
from assistant.errors import InputError, SettingsError
from assistant.settings import load_settings
from ui.app import API_NAMES, bind_options, build_app, is_loopback, serve

pytestmark = pytest.mark.model
CORPUS = Path(__file__).resolve().parents[2] / "corpus"



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(real_index_dir):
    """The real app on a free loopback port, over the session's real-model index."""
    settings = load_settings(corpus_dir=CORPUS, index_dir=real_index_dir, home=real_index_dir)
    assistant = Assistant(settings)
    demo = build_app(assistant)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    yield f"http://127.0.0.1:{port}/", assistant
    demo.close()


@pytest.fixture(scope="module")
def client(served):
    from gradio_client import Client

    return Client(served[0], verbose=False)


def test_public_api_is_exactly_the_named_endpoints(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {f"/{n}" for n in API_NAMES}


def test_ask_returns_cited_answer_with_verbatim_quotes(client, served):
    docs = served[1].index.documents
    r = client.predict("What does the Care Act 2014 say about family and friends providing support?",
                       api_name="/ask")
    assert not r["abstained"]
    assert r["citations"], r
    for c in r["citations"]:
        assert c["marker"] in r["answer"]
        assert docs[c["doc_id"]].text[c["start"]:c["end"]] == c["quote"]
    assert any("family and friends" in c["quote"] for c in r["citations"])


def test_follow_up_searches_with_history(client):
    history = [{"role": "user", "content": "What do strengths-based approaches focus on?"},
               {"role": "assistant", "content": "They focus on what people have rather than their deficits."}]
    r = client.predict("and what about for children?", history, api_name="/ask")
    assert r["searched_query"] != r["question"]
    assert "strengths" in r["searched_query"].lower()


def test_ask_abstains_with_closest_passages(client):
    r = client.predict("How do I fix a puncture on a bicycle tyre?", api_name="/ask")
    assert r["abstained"] and not r["citations"]
    assert r["closest"]


def test_bad_input_gives_the_users_message_not_a_traceback(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as e:
        client.predict("   ", api_name="/ask")
    assert "empty" in str(e.value) and "Traceback" not in str(e.value)
    with pytest.raises(AppError) as e:
        client.predict("Mrs Khan likes gardening.", "hospital", "any", 10, api_name="/prompts")
    assert "Unknown setting" in str(e.value)


def test_prompts_flag_safeguarding_and_cite_guidance(client):
    r = client.predict(SAFEGUARDING, "adults", "any", 10, api_name="/prompts")
    assert r["safeguarding"]["flag"] and r["safeguarding"]["reasons"]
    assert r["safeguarding"]["level"] in ("red", "amber") and r["safeguarding"]["cues"]
    assert all(c["words"] for c in r["safeguarding"]["cues"])
    assert "safeguarding" in r["markdown"].lower()
    plain = client.predict("Mrs Khan cares for her husband and loves gardening; she wants a break on Fridays.",
                           "carers", "any", 10, api_name="/prompts")
    assert not plain["safeguarding"]["flag"]
    assert 8 <= len(plain["prompts"]) <= 12
    assert all(p["text"].endswith("?") for p in plain["prompts"])
    assert all(p["citations"] for p in plain["prompts"])
    stage = client.predict("Mrs Khan cares for her husband.", "carers", "planning", 10, api_name="/prompts")
    assert sum(p["stage"] == "planning" for p in stage["prompts"]) > len(stage["prompts"]) / 2


def test_check_gives_each_verdict_and_marks_altered_words(client):
    r = client.predict(CHECK_TEXT, api_name="/check")
    verdicts = [c["verdict"] for c in r["claims"]]
    assert verdicts[:4] == ["supported", "misattributed", "unsupported", "contradicted"]
    altered = r["claims"][4]["quote"]
    assert altered["status"] == "altered" and "competitive → collaborative" in altered["changed"]
    assert r["counts"]["supported"] == 1 and "Citation check" in r["markdown"]


def test_reframe_marks_deficit_phrases(client):
    text = "She refuses to engage and is non-compliant with her plan."
    r = client.predict(text, api_name="/reframe")
    phrases = [h["phrase"] for h in r["hits"]]
    assert "refuses to engage" in phrases
    assert all(text[h["start"]:h["end"]] == h["phrase"] for h in r["hits"])
    assert "refuses to engage" not in r["suggested"]


def test_search_and_docs(client, served):
    docs = client.predict(api_name="/docs")["documents"]
    assert {d["doc_id"] for d in docs} == {i.doc_id for i in served[1].docs()}
    assert all(d["chunks"] > 0 and d["title"] for d in docs)
    res = client.predict("Munro review of child protection", 3, api_name="/search")["results"]
    assert len(res) == 3
    texts = served[1].index.documents
    assert all(texts[p["doc_id"]].text[p["start"]:p["end"]] == p["text"] for p in res)
    assert "Munro" in res[0]["text"]


QUESTIONS = [
    "What do strengths and asset-based approaches focus on?",
    "What does the Care Act 2014 say about family and friends providing support?",
    "munro 2011",
    "Why is the relationship between practitioner and person important?",
    "What is community-led support?",
    "What should local authorities identify about a person's strengths?",
    "What is a strengths-based practice framework in children's services?",
    "Who wrote about strengths-based areas?",
    "What can strengths-based approaches do for demand for services?",
    "What does holistic assessment consider?",
]


def test_ten_concurrent_clients_all_get_answers(served):
    from gradio_client import Client

    def one(q: str) -> dict:
        return Client(served[0], verbose=False).predict(q, api_name="/ask")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(one, QUESTIONS, timeout=240))
    assert [r["question"] for r in results] == QUESTIONS
    assert all(r["answer"].strip() for r in results)
    assert sum(not r["abstained"] for r in results) >= 7


# ------------------------------------------------------------ binding


def test_loopback_detection():
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.1.1"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.20", "example.org"))


def test_refuses_to_bind_beyond_loopback_without_auth(caplog):
    with pytest.raises(SettingsError, match="ASSISTANT_AUTH_USERNAME"):
        bind_options(load_settings(), host="0.0.0.0")
    assert bind_options(load_settings()) == {"server_name": "127.0.0.1", "server_port": 7860}
    authed = bind_options(load_settings(auth_username="team", auth_password="s3cret-long"), host="0.0.0.0", port=9000)
    assert authed == {"server_name": "0.0.0.0", "server_port": 9000, "auth": ("team", "s3cret-long")}
    with caplog.at_level(logging.WARNING):
        opts = bind_options(load_settings(allow_unauthenticated_remote=True), host="0.0.0.0")
    assert "auth" not in opts and "WITHOUT A PASSWORD" in caplog.text


def test_serve_refuses_before_building_anything(tmp_path):
    settings = load_settings(index_dir=tmp_path / "idx", host="0.0.0.0")
    with pytest.raises(SettingsError):
        serve(settings)
    assert not (tmp_path / "idx").exists()


# ------------------------------------------------------------ feedback


def test_feedback_stores_only_what_it_says_and_exports_eval_cases(tmp_path):
    from assistant.evaluation import feedback
    from assistant.types import Answer, Citation

    settings = load_settings(index_dir=tmp_path)
    cite = Citation(marker="[1]", chunk_id="c1", doc_id="d1", title="T", quote="q", start=0, end=1)
    ans = Answer(question="What is X?", answer="X is Y. [1]", abstained=False, citations=[cite])
    feedback.record(settings, "helpful", "What is X?", ans)
    feedback.record(settings, "unhelpful", "What is X?", ans, note="missed the carers part")
    feedback.record(settings, "wrong_citation", "What is Z?", ans)
    lines = [json.loads(l) for l in feedback.feedback_path(settings).read_text().splitlines()]
    assert len(lines) == 3
    assert set(lines[0]) == {"time", "kind", "question", "answer", "abstained", "citations", "note"}
    assert lines[1]["citations"][0]["quote"] == "q"
    cases = feedback.export_eval_cases(settings)
    assert [c["question"] for c in cases] == ["What is X?", "What is Z?"]
    assert all(c["gold"] == [] and c["id"].startswith("fb-") for c in cases)
    assert "missed the carers part" in cases[0]["note"]
    with pytest.raises(InputError, match="helpful"):
        feedback.record(settings, "love", "q", ans)


# ------------------------------------------------------------ rendering is escaped


def test_rendering_escapes_document_text_and_user_input():
    from assistant.types import Answer, Citation
    from ui import render

    doc = "Intro.\n\nBefore <img src=x onerror=alert(1)> the quoted words here. After.\n\nNext para."
    start = doc.index("the quoted")
    end = start + len("the quoted words here.")
    cite = Citation(marker="[1]", chunk_id="c", doc_id="d", title="<b>T</b>", quote=doc[start:end],
                    start=start, end=end)
    ans = Answer(question="<script>x</script>", answer="A <i>b</i> [1]", abstained=False, citations=[cite])
    out = render.sources_panel(ans, {"d": doc})
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<mark>the quoted words here.</mark>" in out and "Next para" not in out  # one paragraph only
    assert "<b>T</b>" not in out
    assert "<i>" not in render.answer_message(ans)
    assert render.word_diff("a <x> b", "a <y> b") == "a <del>&lt;x&gt;</del> <ins>&lt;y&gt;</ins> b"


# ------------------------------------------------------------ input limits, personal details and logs through the API

PERSONAL = "Mrs Patel (NHS 943 476 5919) cares for her husband: what does the Care Act say about carers?"


def test_input_limits_through_the_api(client):
    from gradio_client.exceptions import AppError

    megabyte = "carers " * 150_000  # about 1 MB
    for args, api in (((megabyte,), "/ask"), ((megabyte, 3), "/search"), ((megabyte,), "/check"),
                      ((megabyte, "adults", "any", 10), "/prompts"), ((megabyte,), "/reframe")):
        with pytest.raises(AppError) as e:
            client.predict(*args, api_name=api)
        message = str(e.value)
        assert "limit" in message and len(message) < 400 and "Traceback" not in message, (api, message[:400])
    r = client.predict("munro\x00 2011\x07\x1b \u202e\u200b\x7f", api_name="/ask")  # control characters
    assert not r["abstained"] and any("Munro" in c["quote"] for c in r["citations"])
    assert "\x00" not in r["question"] and "\x1b" not in r["question"]
    hits = client.predict("munro\x1b[0m 2011\x7f", 3, api_name="/search")["results"]
    assert "Munro" in hits[0]["text"]
    with pytest.raises(AppError, match="empty"):
        client.predict("\x00\x07  \t", api_name="/check")


def test_api_warns_about_personal_details(client):
    r = client.predict(PERSONAL, api_name="/ask")
    assert "an NHS number" in r["privacy_warning"] and "a name" in r["privacy_warning"]
    assert client.predict("What does the Care Act say about carers?", api_name="/ask")["privacy_warning"] is None
    p = client.predict("Mr Lee lives at 14 Elm Close and loves his allotment.", "adults", "any", 10,
                       api_name="/prompts")
    assert "a street address" in p["privacy_warning"]
    assert "a phone number" in client.predict("Ring Jo on 07700 900123 (Care Act 2014).",
                                              api_name="/check")["privacy_warning"]


def test_the_app_logs_no_question_text(served, capfd, caplog):
    """(c) At DEBUG, nothing the practitioner typed reaches a log record or the server's console."""
    from gradio_client import Client

    c = Client(served[0], verbose=False)
    with caplog.at_level(logging.DEBUG):
        c.predict(PERSONAL, api_name="/ask")
        c.predict(PERSONAL, 3, api_name="/search")
        c.predict(PERSONAL, "carers", "any", 10, api_name="/prompts")
        c.predict(PERSONAL, api_name="/check")
        c.predict(PERSONAL, api_name="/reframe")
    out, err = capfd.readouterr()
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "DEBUG logging was on, so something should have been recorded"
    for secret in ("943 476 5919", "Patel", "her husband"):
        assert secret not in logged and secret not in out and secret not in err


def test_feedback_through_the_api_becomes_eval_cases(client):
    question = "What should local authorities identify about a person's strengths? (feedback test)"
    ans = client.predict(question, api_name="/ask")
    stored = client.predict("wrong_citation", ans, "the second source is about children", api_name="/feedback")
    assert stored["stored"]["kind"] == "wrong_citation" and stored["stored"]["citations"] == [
        {k: c[k] for k in ("marker", "doc_id", "chunk_id", "title", "quote", "start", "end", "section", "locator")}
        for c in ans["citations"]]
    cases = client.predict(api_name="/feedback_cases")["cases"]
    mine = [c for c in cases if c["question"] == question]
    assert len(mine) == 1 and mine[0]["gold"] == [] and "children" in mine[0]["note"]
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="helpful"):
        client.predict("love it", ans, "", api_name="/feedback")


# ------------------------------------------------------------ exposure, for real


def test_a_password_protected_app_refuses_clients_without_it(real_index_dir):
    from gradio_client import Client

    settings = load_settings(corpus_dir=CORPUS, index_dir=real_index_dir, home=real_index_dir,
                             auth_username="team", auth_password="correct-horse-battery")
    opts = bind_options(settings, host="0.0.0.0", port=free_port())
    assert opts["auth"] == ("team", "correct-horse-battery")
    demo = build_app(Assistant(settings))
    # Served on loopback here: the test proves the password is enforced without exposing anything.
    demo.launch(prevent_thread_lock=True, quiet=True, **{**opts, "server_name": "127.0.0.1"})
    url = f"http://127.0.0.1:{opts['server_port']}/"
    try:
        with pytest.raises(Exception):
            Client(url, verbose=False).predict("munro 2011", 3, api_name="/search")
        with pytest.raises(Exception):
            Client(url, auth=("team", "wrong"), verbose=False)
        ok = Client(url, auth=("team", "correct-horse-battery"), verbose=False)
        assert "Munro" in ok.predict("munro 2011", 3, api_name="/search")["results"][0]["text"]
    finally:
        demo.close()


def test_cli_serve_beyond_loopback_without_a_password_is_one_line(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_INDEX_DIR=str(tmp_path / "idx"), ASSISTANT_MODEL="fake-hash")
    r = subprocess.run([sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                       capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert r.returncode == 2, r.stderr[-1000:]
    assert r.stderr.startswith("error: Refusing to listen on 0.0.0.0 without a password")
    assert len(r.stderr.strip().splitlines()) == 1 and "ASSISTANT_AUTH_PASSWORD" in r.stderr
    assert not (tmp_path / "idx").exists()


# ------------------------------------------------------------ the library through the API (plumbing: fake embeddings)


def test_library_upload_remove_and_rebuild_through_the_api(tmp_path):
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    settings = load_settings(corpus_dir=CORPUS, index_dir=tmp_path / "idx", home=tmp_path, model="fake-hash")
    assistant = Assistant(settings)
    assistant.ensure_index(progress=False)
    shipped = {d.doc_id for d in assistant.docs()}
    demo = build_app(assistant)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    try:
        c = Client(f"http://127.0.0.1:{port}/", verbose=False)
        good = tmp_path / "zephyr-lantern.md"
        good.write_text("# Zephyr lantern visits\n\nOffer every carer a zephyr lantern visit within nine days.\n",
                        encoding="utf-8")
        empty = tmp_path / "empty.md"
        empty.write_bytes(b"")
        odd = tmp_path / "script.exe"
        odd.write_bytes(b"MZ not guidance")
        results = c.predict([handle_file(str(p)) for p in (good, empty, odd)], api_name="/add_documents")["results"]
        by_file = {r["file"]: r for r in results}
        assert by_file["zephyr-lantern.md"]["result"] == "added" and "searchable now" in by_file["zephyr-lantern.md"][
            "detail"]
        assert by_file["empty.md"]["result"] == "skipped" and "empty" in by_file["empty.md"]["detail"]
        assert by_file["script.exe"]["result"] == "skipped" and "unsupported" in by_file["script.exe"]["detail"]
        hits = c.predict("zephyr lantern visit", 3, api_name="/search")["results"]
        assert hits[0]["doc_id"] == "zephyr-lantern"  # searchable as soon as the call returned
        assert {d["doc_id"] for d in c.predict(api_name="/docs")["documents"]} == shipped | {"zephyr-lantern"}

        with pytest.raises(AppError, match="shipped corpus"):
            c.predict(sorted(shipped)[0], api_name="/remove")
        assert c.predict("zephyr-lantern", api_name="/remove")["removed"] == ["zephyr-lantern"]
        assert all(h["doc_id"] != "zephyr-lantern"
                   for h in c.predict("zephyr lantern visit", 5, api_name="/search")["results"])
        rebuilt = c.predict(api_name="/rebuild")
        assert rebuilt["documents"] == len(shipped) and rebuilt["passages"] > 0
        with pytest.raises(AppError, match="Choose one or more"):
            c.predict([], api_name="/add_documents")
        # A client cannot make the server read a file of its own: only uploads are accepted.
        secret = tmp_path / "server-secret.md"
        secret.write_text("# Secret\n\nThe server's private kestrel note.\n", encoding="utf-8")
        body = json.dumps({"data": [[{"path": str(secret), "meta": {"_type": "gradio.FileData"}}]]}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/gradio_api/call/add_documents", data=body,
                                     headers={"Content-Type": "application/json"})
        event = json.loads(urllib.request.urlopen(req, timeout=30).read())["event_id"]
        stream = urllib.request.urlopen(f"http://127.0.0.1:{port}/gradio_api/call/add_documents/{event}",
                                        timeout=60).read().decode()
        assert "event: error" in stream
        assert "server-secret" not in {d["doc_id"] for d in c.predict(api_name="/docs")["documents"]}
        assert not (tmp_path / "idx" / "library" / "server-secret.md").exists()
    finally:
        demo.close()


def test_check_tab_file_loading_handles_bad_files(tmp_path):
    """The 'load a file' box of the Check tab: odd encodings load, broken files get one line, never a traceback."""
    from ui.callbacks import Callbacks

    cb = Callbacks(Assistant(load_settings(index_dir=tmp_path / "idx", model="fake-hash")))
    latin = tmp_path / "note.txt"
    latin.write_bytes("The café group meets on Fridays (Care Act 2014).".encode("latin-1"))
    text, notice = cb.load_check_file(str(latin))
    assert "Fridays (Care Act 2014)" in text and "Loaded note.txt" in notice
    for name, data in (("empty.md", b""), ("fake.docx", b"plain text, not a Word file" * 10)):
        (tmp_path / name).write_bytes(data)
        out = cb.load_check_file(str(tmp_path / name))
        message = out[1]
        assert 'class="sa-notice sa-error"' in message and "Traceback" not in message
        assert message.count("\n") == 0 and len(message) < 400
