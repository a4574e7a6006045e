"""Opt-in: the LLM backend against a real OpenAI-compatible server (`make test-llm`).

Skipped unless LLM_TEST_BASE_URL and LLM_TEST_MODEL name a running server: building one (llama-cpp-python
from source) is too slow for every run. It asks a dozen dev questions and prints, per answer, the sentences
kept and removed and the seconds taken (figures, not gates); it fails if a quote is not verbatim or the
notices grow into a wall of text."""

from __future__ import annotations

import json
import os
import time

import pytest

from assistant.core import Assistant
from assistant.evaluation.metrics import citation_verbatim
from assistant.settings import REPO_DIR

pytestmark = pytest.mark.llm_server
URL, MODEL = os.environ.get("LLM_TEST_BASE_URL", ""), os.environ.get("LLM_TEST_MODEL", "")


@pytest.mark.skipif(not (URL and MODEL), reason="set LLM_TEST_BASE_URL and LLM_TEST_MODEL to a running server")
def test_real_server_answers_are_verified_capped_and_bounded(real_settings):
    s = real_settings.model_copy(update={"llm_provider": "openai", "llm_base_url": URL, "llm_model": MODEL,
                                         "llm_answer_seconds": 30.0, "llm_max_tokens": 300})
    a = Assistant(s)
    lines = (REPO_DIR / "eval" / "dev" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()][:12]
    for q in questions:
        start = time.monotonic()
        ans = a.ask(q)
        took = time.monotonic() - start
        print(f"{took:5.1f}s kept={len(ans.citations)} removed={len(ans.removed)} backend={ans.backend} | {q}")
        assert all(citation_verbatim(c, a.index.documents) for c in ans.citations)
        assert len(ans.notices) <= 4
