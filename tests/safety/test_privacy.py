"""Personal details: detected, redacted, warned about, and kept out of logs by default."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.safety.privacy import (
    KINDS,
    PIIHit,
    find_pii,
    nhs_number_valid,
    ni_number_valid,
    redact,
    safe_log_text,
    warning,
)
from assistant.settings import get_settings

REPO = Path(__file__).resolve().parents[2]
GUIDANCE = sorted((REPO / "corpus" / "guidance").glob("*.md"))
QUESTION = "Mrs Patel's daughter wants to know about carers' assessments, NHS 943 476 5919"


def kinds(text: str) -> list[str]:
    return [h.kind for h in find_pii(text)]


@pytest.mark.parametrize("text,kind,found", [
    ("I visited Mrs Patel yesterday", "name", "Mrs Patel"),
    ("Dr. J. Smith referred him", "name", "Dr. J. Smith"),
    ("Mr O'Brien-Jones and his wife", "name", "Mr O'Brien-Jones"),
    ("Miss Anne Marie Smith lives alone", "name", "Miss Anne Marie Smith"),
    ("Mx McDonald said no", "name", "Mx McDonald"),
    ("Her DOB: 03/03/1946 is on file", "date_of_birth", "03/03/1946"),
    ("He was born 3 March 1946 in Leeds", "date_of_birth", "3 March 1946"),
    ("date of birth is 12.5.1950", "date_of_birth", "12.5.1950"),
    ("seen on 14/02/2024 at home", "date", "14/02/2024"),
    ("NHS number 943 476 5919", "nhs_number", "943 476 5919"),
    ("NHS 943-476-5919.", "nhs_number", "943-476-5919"),
    ("nhs no 4010232137", "nhs_number", "4010232137"),
    ("NI number AB 12 34 56 C", "ni_number", "AB 12 34 56 C"),
    ("NINO: JK123456D", "ni_number", "JK123456D"),
    ("ring 07700 900123 after six", "phone", "07700 900123"),
    ("ring +44 7700 900123", "phone", "+44 7700 900123"),
    ("office 0113 496 0000", "phone", "0113 496 0000"),
    ("office (020) 7946 0000", "phone", "(020) 7946 0000"),
    ("office +44 (0)20 7946 0000", "phone", "+44 (0)20 7946 0000"),
    ("email jo.bloggs@example.org.uk please", "email", "jo.bloggs@example.org.uk"),
    ("lives in LS1 4AB", "postcode", "LS1 4AB"),
    ("near SW1A 1AA now", "postcode", "SW1A 1AA"),
    ("in M1 1AE", "postcode", "M1 1AE"),
    ("at EC1A1BB", "postcode", "EC1A1BB"),
    ("lives at 14 Elm Close with her son", "address", "14 Elm Close"),
    ("Flat 3, 27 Old Mill Lane", "address", "Flat 3, 27 Old Mill Lane"),
    ("221B Baker Street", "address", "221B Baker Street"),
])
def test_each_kind_is_found_and_redacted(text, kind, found):
    hits = find_pii(text)
    assert [(h.kind, h.text) for h in hits] == [(kind, found)]
    assert text[hits[0].start:hits[0].end] == found
    redacted = redact(text)
    assert found not in redacted and KINDS[kind][0] in redacted


def test_hits_are_ordered_and_do_not_overlap():
    text = ("Mrs Patel (DOB 01/02/1940) of 12 Oak Road, Leeds LS6 2AB, NHS 943 476 5919, NI AB123456C, "
            "07700 900123, jo@example.com")
    hits = find_pii(text)
    assert [h.kind for h in hits] == ["name", "date_of_birth", "address", "postcode", "nhs_number", "ni_number",
                                      "phone", "email"]
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:]))
    assert all(isinstance(h, PIIHit) and text[h.start:h.end] == h.text for h in hits)
    assert redact(text) == ("[NAME] (DOB [DATE OF BIRTH]) of [ADDRESS], Leeds [POSTCODE], NHS [NHS NUMBER], "
                            "NI [NI NUMBER], [PHONE], [EMAIL]")


@pytest.mark.parametrize("number,valid", [
    ("9434765919", True), ("943 476 5919", True), ("4010232137", True),
    ("9434765918", False), ("9434765910", False),  # wrong check digit
    ("1234567890", False), ("1234567899", False),  # check digit would be 10: never issued
    ("0000000000", False), ("943476591", False), ("94347659190", False),
])
def test_nhs_check_digit(number, valid):
    assert nhs_number_valid(number) is valid
    assert ("nhs_number" in kinds(f"NHS {number} on file")) is valid


@pytest.mark.parametrize("number,valid", [
    ("AB123456C", True), ("AB 12 34 56 C", True), ("QQ123456C", False), ("GB123456A", False),
    ("AO123456B", False), ("DA123456A", False), ("AB123456E", False), ("NK123456A", False),
])
def test_national_insurance_prefix_rules(number, valid):
    assert ni_number_valid(number) is valid
    assert ("ni_number" in kinds(f"NINO {number} here")) is valid


@pytest.mark.parametrize("text", [
    "Care Act 2014", "see para 6.64 of the guidance", "a section 42 enquiry", "on 26 March the panel met",
    "The MS Society runs groups", "children aged 0-18", "the 3 Conversations model", "Munro (2011) said",
    "between 2014 and 2016", "Alex Fox wrote about it", "I miss Sunday lunches", "version 1.2.3 of the tool",
    "call 999 in an emergency", "We spoke to Dr Who",
])
def test_no_false_positives_on_guidance_style_text(text):
    assert find_pii(text) == []
    assert warning(text) is None and redact(text) == text


@pytest.mark.parametrize("path", GUIDANCE, ids=lambda p: p.stem)
def test_no_false_positives_on_the_corpus(path):
    assert find_pii(path.read_text(encoding="utf-8")) == []


def test_warning_lists_kinds_once_in_order():
    w = warning("NHS 943 476 5919, postcode LS1 4AB, other postcode M1 1AE")
    assert w == ("This looks like it contains personal details (an NHS number, a postcode). The assistant keeps "
                 "everything on this machine; remove them before sharing outputs.")
    assert "\n" not in w


def test_safe_log_text_withholds_unless_allowed(monkeypatch):
    assert safe_log_text(QUESTION, get_settings()) == f"<{len(QUESTION)} chars withheld>"
    monkeypatch.setenv("ASSISTANT_LOG_USER_TEXT", "true")
    get_settings.cache_clear()
    assert safe_log_text(QUESTION, get_settings()) == QUESTION


def test_detection_is_fast_on_long_text():
    import time

    text = " ".join(p.read_text(encoding="utf-8") for p in GUIDANCE) * 20 + " Mrs Patel"
    t0 = time.perf_counter()
    assert kinds(text) == ["name"]
    assert time.perf_counter() - t0 < 5


# ---------------------------------------------------------------- logs


@pytest.fixture
def fake_index(fake_model):
    from assistant.index.store import ingest

    ingest(get_settings(), progress=False)


def _leaks(text: str) -> list[str]:
    return [s for s in ("943 476 5919", "9434765919", "Patel", "daughter") if s in text]


def test_cli_ask_at_debug_level_writes_no_question_to_logs(fake_index):
    # The CLI has no log-level switch, so run its main() under a DEBUG root logger on stderr.
    code = ("import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
            "from assistant.cli import main; sys.exit(main(sys.argv[1:]))")
    for args in (["ask", QUESTION], ["search", QUESTION], ["prompts", QUESTION], ["check", QUESTION]):
        r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO,
                           env=dict(os.environ), timeout=600)  # a first run embeds the safeguarding bank
        assert r.returncode == 0, r.stderr[-2000:]
        assert r.stdout.strip(), "the command printed nothing"
        assert not _leaks(r.stderr), f"{args[0]} logged the user's text: {_leaks(r.stderr)}"


def test_library_calls_at_debug_level_log_no_question(fake_index, caplog):
    from assistant.core import Assistant

    a = Assistant(get_settings())
    with caplog.at_level(logging.DEBUG):
        a.ask(QUESTION)
        a.search(QUESTION)
        a.check(QUESTION)
        a.prompts(QUESTION)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert not _leaks(logged)


def test_warning_says_what_happens_when_an_llm_is_configured():
    w = warning("Mrs Patel asked about respite", external=True)
    assert w.startswith("This looks like it contains personal details (a name).")
    assert "replaced by placeholders before anything is sent to the language model" in w


def test_pathological_text_is_still_linear():
    import time

    text = "Mrs Patel 12 Oak Road LS1 4AB " * 3500  # 100 KB packed with overlapping detections
    t0 = time.perf_counter()
    hits = find_pii(text)
    assert len(hits) == 3 * 3500 and all(a.end <= b.start for a, b in zip(hits, hits[1:]))
    assert time.perf_counter() - t0 < 10  # was quadratic: about a minute at 1 MB


# ---------------------------------------------------------------- (b) nothing personal reaches an external LLM


def test_personal_details_never_reach_the_llm(real_settings):
    """The whole ask path with a recording chat model: it sees placeholders, never the details."""
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    from assistant.answer.llm_answer import NOT_COVERED
    from assistant.core import Assistant

    class Recorder(BaseChatModel):
        seen: list = []

        @property
        def _llm_type(self) -> str:
            return "recorder"

        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            self.seen.append("\n".join(str(m.content) for m in messages))
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=NOT_COVERED))])

    model = Recorder(seen=[])
    a = Assistant(real_settings, chat_model=model)
    details = ["Mrs Amira Patel", "943 476 5919", "AB 12 34 56 C", "07700 900123", "amira.patel@example.org",
               "14 Elm Close", "LS6 2AB", "03/03/1946"]
    first = (f"{details[0]} (NHS {details[1]}, NI {details[2]}, born {details[7]}) lives at {details[5]}, Leeds "
             f"{details[6]}; her daughter's number is {details[3]} and email {details[4]}. "
             "What does the Care Act say about carers' assessments?")
    ans = a.ask(first)
    follow = a.ask("and what about Mrs Amira Patel's daughter?", history=[
        {"role": "user", "content": first}, {"role": "assistant", "content": ans.answer}])
    assert len(model.seen) == 2 and follow.abstained
    for prompt in model.seen:
        leaked = [d for d in details + ["Amira", "Patel"] if d in prompt]
        assert not leaked, f"sent to the LLM: {leaked}"
    assert "[NAME]" in model.seen[0] and "[NHS NUMBER]" in model.seen[0] and "[POSTCODE]" in model.seen[0]
    assert "carers' assessments" in model.seen[0]  # the question itself still reaches the model
