"""The command line and the batch JSONL protocol, run as a real subprocess where it matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, stdin: str | None = None, env_extra: dict | None = None):
    env = {k: v for k, v in os.environ.items()}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "assistant", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=300)


def test_missing_index_is_one_clear_line(fake_model):
    r = run_cli("search", "carers")
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error: No index") and "assistant ingest" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_setting_is_named(monkeypatch):
    r = run_cli("docs", env_extra={"ASSISTANT_SEARCHK": "3"})
    assert r.returncode == 2 and "ASSISTANT_SEARCHK" in r.stderr and "ASSISTANT_SEARCH_K" in r.stderr


def test_ingest_docs_and_batch_search_with_bad_lines(fake_model, tmp_path):
    r = run_cli("ingest")
    assert r.returncode == 0, r.stderr
    assert "5 added" in r.stdout
    r = run_cli("docs", "--json")
    assert len(json.loads(r.stdout)) == 5
    batch = "\n".join([
        json.dumps({"id": "q1", "query": "munro 2011", "k": 2}),
        "{not json",
        json.dumps({"id": "q3"}),
        json.dumps({"id": "q4", "query": "   "}),
        json.dumps(["a list"]),
        json.dumps({"id": "q6", "query": "Lyn Romeo", "k": "five"}),
        json.dumps({"id": "q7", "query": "Bexley"}),
    ])
    r = run_cli("search", "--batch", "-", stdin=batch)
    out = [json.loads(l) for l in r.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["q1", None, "q3", "q4", None, "q6", "q7"]
    assert len(out[0]["results"]) == 2 and "Munro" in out[0]["results"][0]["text"]
    assert {"rank", "chunk_id", "doc_id", "title", "text", "score", "section", "locator", "start", "end"} <= set(
        out[0]["results"][0])
    assert "not valid JSON" in out[1]["error"] and "missing field 'query'" in out[2]["error"]
    assert "empty" in out[3]["error"] and "JSON object" in out[4]["error"] and "'k'" in out[5]["error"]
    assert out[6]["results"]
    assert r.returncode == 1  # some lines failed: say so in the exit code, after finishing the batch


def test_ask_batch_follows_the_protocol(real_settings):
    lines = [json.dumps({"id": "a", "question": "Where does Alex Fox work?"}),
             json.dumps({"id": "b", "question": "How do I make a referral to CAMHS?"}),
             json.dumps({"id": "c", "question": "x" * 3000})]
    r = run_cli("ask", "--batch", "-", stdin="\n".join(lines))
    out = [json.loads(l) for l in r.stdout.splitlines()]
    assert out[0]["abstained"] is False and out[0]["citations"][0]["marker"] == "[1]"
    assert {"marker", "chunk_id", "doc_id", "title", "quote", "start", "end", "section", "locator"} <= set(
        out[0]["citations"][0])
    assert out[1]["abstained"] is True
    assert "limit" in out[2]["error"]


def test_ask_batch_history_with_or_without_cited_documents(real_settings):
    """The protocol's [{role, content}] history still works; an assistant turn may also say what it cited."""
    plain = [{"role": "user", "content": "What did the Munro review of child protection emphasise?"},
             {"role": "assistant", "content": "The publication of the ‘Munro review of child protection’ in 2011 "
                                              "emphasised change from a system that has become "
                                              "over-bureaucratised to one that is focused on the safety and "
                                              "welfare of children and young people and the development of "
                                              "professional expertise. [1]"}]
    told = [plain[0], {"role": "assistant", "content": "(answer text)",
                       "doc_ids": ["looking-for-strengths-at-the-heart-of-social-care"]}]
    lines = [json.dumps({"id": "p", "question": "who published it?", "history": plain}),
             json.dumps({"id": "t", "question": "who wrote it?", "history": told})]
    r = run_cli("ask", "--batch", "-", stdin="\n".join(lines))
    out = {o["id"]: o for o in map(json.loads, r.stdout.splitlines())}
    assert out["p"]["citations"][0]["doc_id"] == "strengths-based-social-care-children-young-people-families"
    assert "Social Care Institute for Excellence" in out["p"]["answer"]
    assert out["t"]["citations"][0]["source_field"] == "author" and "Ewan King" in out["t"]["answer"]


def test_settings_lists_every_setting_with_a_description():
    from assistant.settings import Settings

    r = run_cli("settings")
    for name, field in Settings.model_fields.items():
        assert f"ASSISTANT_{name.upper()}=" in r.stdout
        assert field.description, f"{name} has no description"
