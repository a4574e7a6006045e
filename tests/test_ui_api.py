"""The app's public API, driven through gradio_client against a real server on a real-model index."""

from __future__ import annotations

import json
import logging
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.core import Assistant
from assistant.errors import InputError, SettingsError
from assistant.settings import load_settings
from ui.app import API_NAMES, bind_options, build_app, is_loopback, serve

pytestmark = pytest.mark.model
CORPUS = Path(__file__).resolve().parents[1] / "corpus"

CHECK_TEXT = (
    "Community strengths can include knowledge, people, spaces, networks and services.\n"
    "Lyn Romeo is the Chief Social Worker for Adults (Care Act 2014 guidance).\n"
    "The Munro review was published in 2015.\n"
    "Strengths-based approaches focus on a person's deficits rather than their strengths.\n"
    "The guidance describes strengths-based practice as “a competitive process between the person "
    "supported by services and those supporting them”.\n"
)
SAFEGUARDING = ("Mr Lee's carer has been locking him in his room during the day and he has bruises on his arms.")


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
    from assistant import feedback
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
