"""`assistant eval`: metric arithmetic on hand-worked examples, set loading, gates and the CLI on a real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main as cli_main
from assistant.errors import InputError
from assistant.evaluation import metrics as em
from assistant.evaluation.evaluate import (
    default_sets,
    export_feedback,
    load_set,
    parse_gates,
)

REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- metric functions, worked by hand


def test_retrieval_metrics_by_hand():
    r = em.retrieval_metrics({"a": 1, "b": 3, "c": None, "d": 6}, k=5)
    assert r["n"] == 4 and r["recall"] == 0.5
    assert r["mrr"] == pytest.approx((1 + 1 / 3) / 4)
    assert r["misses"] == ["c", "d"]  # rank 6 is outside the top 5
    assert em.retrieval_metrics({}, 5)["recall"] is None


def test_hit_ranks_normalise_quotes_case_and_space():
    texts = ["Nothing here.", "The person’s  OWN strengths matter.", "the person's own strengths"]
    assert em.hit_rank(texts, ["the person's own strengths"]) == 2
    assert em.hit_rank(texts, ["absent words"]) is None
    assert em.doc_hit_rank(["x", "y", "z"], ["z", "y"]) == 2


def test_answer_helpers():
    assert em.gold_present("Support should be subject to the agreement [1] of the adult. [2]",
                           ["subject to the agreement of the adult"])
    assert not em.gold_present("Nothing about it. [1]", ["subject to the agreement"])
    sentences = ["First point. [1]", "Second point. [3]", "Third point."]
    assert em.uncited_sentences(sentences, ["[1]", "[2]"]) == ["Second point. [3]", "Third point."]
    doc = "Alpha beta gamma."
    assert em.quote_verbatim("beta", doc, 6, 10)
    assert not em.quote_verbatim("beta", doc, 5, 9)  # right words, wrong offsets
    assert not em.quote_verbatim("beta", None, 6, 10)


def test_answer_metrics_by_hand():
    cases = [em.AnswerCase("q1", answerable=True, abstained=False, gold_found=True, quotes=2),
             em.AnswerCase("q2", answerable=True, abstained=False, gold_found=False, uncited=1, quotes=2,
                           bad_quotes=1),
             em.AnswerCase("q3", answerable=True, abstained=True),
             em.AnswerCase("o1", answerable=False, abstained=True),
             em.AnswerCase("o2", answerable=False, abstained=False, quotes=1)]
    m = em.answer_metrics(cases)
    assert m["gold_fact"] == pytest.approx(1 / 3)
    assert m["cited"] == pytest.approx(2 / 3)  # of the three answered: q2 has an uncited sentence
    assert m["verbatim"] == pytest.approx(4 / 5)
    assert m["abstention"] == pytest.approx(3 / 5)  # q3 should have answered, o2 should have abstained
    assert m["ooc_abstained"] == 0.5 and m["answerable_answered"] == pytest.approx(2 / 3)
    assert m["failures"] == {"gold_missing": ["q2", "q3"], "uncited": ["q2"], "quote_not_verbatim": ["q2"],
                             "abstained_wrongly": ["q3"], "answered_out_of_corpus": ["o2"],
                             "opens_unresolved": [], "fragments": []}


def test_claim_metrics_by_hand():
    gold = ["supported", "supported", "misattributed", "unsupported", "unsupported", "contradicted"]
    pred = ["supported", "unsupported", "supported", "supported", "unsupported", "contradicted"]
    quotes = [None, None, None, "altered", None, None]
    m = em.claim_metrics(gold, pred, quotes, ids=["a", "b", "c", "d", "e", "f"])
    assert m["labels"] == list(em.VERDICTS)
    assert m["confusion"]["supported"] == {"supported": 1, "misattributed": 0, "unsupported": 1, "contradicted": 0}
    assert m["confusion"]["misattributed"]["supported"] == 1
    assert m["accuracy"] == pytest.approx(3 / 6)
    sup = m["per_class"]["supported"]  # predicted supported: a (right), c, d (wrong)
    assert sup["precision"] == pytest.approx(1 / 3) and sup["recall"] == 0.5
    assert sup["f1"] == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))
    assert m["per_class"]["misattributed"] == {"precision": None, "recall": 0.0, "f1": 0.0, "support": 1}
    assert m["per_class"]["contradicted"]["f1"] == 1.0
    # risky: d (unsupported, altered quote), e (unsupported), f (contradicted); d was accepted
    assert m["false_accept"] == pytest.approx(1 / 3) and m["false_accepted"] == ["d"]
    assert "b: supported → unsupported" in m["wrong"]


def test_claim_metrics_keeps_unexpected_predictions_as_a_column():
    m = em.claim_metrics(["supported"], ["no_claims"])
    assert m["labels"][-1] == "no_claims" and m["confusion"]["supported"]["no_claims"] == 1
    with pytest.raises(ValueError):
        em.claim_metrics(["supported"], [])


def test_line_verdict_and_quote_status_take_the_most_serious():
    assert em.line_verdict(["supported", "misattributed"]) == "misattributed"
    assert em.line_verdict(["supported", "contradicted", "unsupported"]) == "contradicted"
    assert em.line_verdict([]) == "no_claims"
    assert em.line_quote_status([None, "verbatim", "altered"]) == "altered"
    assert em.line_quote_status([None]) is None


def test_quote_metrics_by_hand():
    m = em.quote_metrics(["verbatim", "verbatim", "altered", None], ["verbatim", "altered", "altered", "verbatim"],
                         ["a", "b", "c", "d"])
    assert m["n"] == 3 and m["accuracy"] == pytest.approx(2 / 3) and m["verbatim_recognised"] == 0.5
    assert m["wrong"] == ["b: verbatim → altered"]


def test_prompt_and_safeguarding_metrics_by_hand():
    assert em.details_used(["You mentioned the Choir — what does it give you?"], ["choir", "daughter"]) == ["choir"]
    cases = [
        em.PromptCase("s1", gold_flag=False, flag=False, prompts=10, open=10, cited=10, themes=5,
                      details=["choir", "daughter"], details_used=["choir"]),
        em.PromptCase("s2", gold_flag=False, flag=True, prompts=10, open=9, cited=8, themes=3,
                      deficit_terms=["service user"], details=["allotment"]),
        em.PromptCase("s3", gold_flag=True, flag=True, prompts=10, open=10, cited=10, themes=4, details=["carer"]),
        em.PromptCase("s4", gold_flag=True, flag=False, prompts=10, open=10, cited=10, themes=4),
    ]
    m = em.prompt_metrics(cases)
    assert m["open"] == pytest.approx(39 / 40) and m["cited"] == pytest.approx(38 / 40)
    assert m["deficit_terms"] == 1
    assert m["personalised"] == 0.5  # s1 yes, s2 no; safeguarding situations are not counted
    assert m["detail_coverage"] == pytest.approx(1 / 3)
    assert m["themes"] == 0.75 and m["themes_mean"] == 4.0
    assert m["safeguarding"]["recall"] == 0.5 and m["safeguarding"]["false_positive_rate"] == 0.5
    assert m["failures"]["safeguarding_missed"] == ["s4"] and m["failures"]["safeguarding_false_flags"] == ["s2"]
    assert m["failures"]["few_themes"] == ["s2"] and m["failures"]["not_personalised"] == ["s2"]


# ---------------------------------------------------------------- sets and gates


QUESTIONS = [
    {"id": "t1", "question": "What do strengths and asset-based approaches focus on?",
     "gold": ["what individuals and communities have"]},
    {"id": "t2", "question": "Whose agreement does that need?",
     "gold": ["subject to the agreement of the adult or carer"],
     "doc_id": "care-act-2014-strengths-based-approaches", "kind": "follow-up",
     "history": [{"role": "user", "content": "What does 6.64 of the Care Act guidance say about family and friends?"}]},
    {"id": "t3", "question": "How much does a care home place cost per week?", "gold": []},
]
CLAIMS = [
    {"id": "c1", "text": "Community strengths can include knowledge, people, spaces, networks and services.",
     "expect": "supported"},
    {"id": "c2", "text": "The asset-based area 2.0 was published in 2019 (Looking for strengths at the heart of "
                         "social care).", "expect": "misattributed"},
    {"id": "c3", "text": "The guidance describes strengths-based practice as “a competitive process between the "
                         "person supported by services and those supporting them”.",
     "expect": "unsupported", "quote": "altered"},
    # Deliberately mislabelled: the corpus says this, so an honest checker disagrees and accuracy < 1.
    {"id": "c4", "text": "Community strengths can include knowledge, people, spaces, networks and services.",
     "expect": "contradicted"},
]
SCENARIOS = [
    {"id": "s1", "situation": "Grace is 78, recently moved into sheltered housing after her husband went into a "
                              "care home. She has knitted for the church bazaar for decades and talks to her "
                              "grandson every Sunday.", "setting": "adults", "details": ["knit", "church", "grandson"],
     "safeguarding": False},
    {"id": "s2", "situation": "Mr Lee's carer has been locking him in his room during the day and he has bruises "
                              "on his arms.", "setting": "adults", "details": ["carer"], "safeguarding": True},
]


def _write_set(d: Path, questions=QUESTIONS, claims=CLAIMS, scenarios=SCENARIOS, extra: dict | None = None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name, rows in (("questions", questions), ("claims", claims), ("scenarios", scenarios)):
        if rows is None:
            continue
        lines = [json.dumps(r, ensure_ascii=False) for r in rows] + (extra or {}).get(name, [])
        (d / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


BAD = {"claims": ["{not json", json.dumps(["a list"]), json.dumps({"id": "c9", "text": "x", "expect": "maybe"}),
                  json.dumps({"id": "c1", "text": "A duplicate id.", "expect": "supported"})],
       "scenarios": [json.dumps({"id": "s9", "situation": "Someone.", "setting": "prison", "safeguarding": False})],
       "questions": [json.dumps({"id": "t9", "question": "Why?", "gold": "not a list"})]}


def test_load_set_reports_malformed_lines_with_file_and_line(tmp_path):
    es = load_set(_write_set(tmp_path / "mine", extra=BAD))
    assert [c["id"] for c in es.claims] == ["c1", "c2", "c3", "c4"] and len(es.scenarios) == 2
    claims = tmp_path / "mine" / "claims.jsonl"
    assert f"{claims}:5: not valid JSON" in "\n".join(es.problems)
    assert any(p.startswith(f"{claims}:6: ") and "JSON object" in p for p in es.problems)
    assert any(p.startswith(f"{claims}:7: ") and "'expect' must be one of" in p for p in es.problems)
    assert any(p.startswith(f"{claims}:8: ") and "unique" in p for p in es.problems)
    assert any("scenarios.jsonl:3: 'setting'" in p for p in es.problems)
    assert any("questions.jsonl:4: 'gold' must be a list" in p for p in es.problems)
    assert es.questions[0]["kind"] == "factual" and es.questions[2]["kind"] == "out-of-corpus"


def test_load_set_missing_or_empty_folder_says_what_to_do(tmp_path):
    with pytest.raises(InputError, match="No eval set folder"):
        load_set(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="questions.jsonl"):
        load_set(tmp_path / "empty")


def test_default_sets_are_the_shipped_dev_holdout_and_fresh():
    assert [p.name for p in default_sets()] == ["dev", "holdout", "fresh", "safeguarding-dev", "safeguarding-blind",
                                                  "safeguarding-blind2", "safeguarding-blind3",
                                                  "safeguarding-blind4", "safeguarding-blind5"]


def test_gate_parsing():
    gates = parse_gates(["recall@5=0.9", "check.accuracy=85%"], ["check.false_accept=0.05"], k=5)
    assert [(g.metric, g.op, g.value) for g in gates] == [
        ("recall@5", "min", 0.9), ("check.accuracy", "min", 0.85), ("check.false_accept", "max", 0.05)]
    with pytest.raises(InputError, match="valid names are recall@5"):
        parse_gates(["recall@10=0.9"], [], k=5)
    with pytest.raises(InputError, match="--max check.false_accept"):
        parse_gates(["check.false_accept=0.05"], [], k=5)
    for bad in ("recall@5=high", "recall@5"):
        with pytest.raises(InputError, match="METRIC=NUMBER"):
            parse_gates([bad], [], k=5)
    assert parse_gates(["recall@10=0.9"], [], k=10)[0].metric == "recall@10"


# ---------------------------------------------------------------- the command, on the real index


def _env(index_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CORPUS_DIR": str(REPO / "corpus"),
                "ASSISTANT_HOME": str(index_dir)})
    return env


def test_cli_eval_json_gates_and_malformed_lines(real_index_dir, tmp_path):
    d = _write_set(tmp_path / "org-set", extra=BAD)
    r = subprocess.run([sys.executable, "-m", "assistant", "eval", "--set", str(d), "--json",
                        "--min", "recall@5=0.5", "--min", "check.accuracy=1", "--max", "check.false_accept=0.5"],
                       capture_output=True, text=True, env=_env(real_index_dir), cwd=REPO, timeout=600)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert f"{d / 'claims.jsonl'}:5" in r.stderr  # malformed lines named on stderr, run went on
    out = json.loads(r.stdout)
    assert out["ok"] is False and out["k"] == 5
    rep = out["sets"][0]
    assert rep["name"] == "org-set" and rep["files"] == ["questions", "claims", "scenarios"]
    assert len(rep["problems"]) == 6 and rep["errors"] == []
    assert rep["retrieval"]["text"]["n"] == 2 and rep["retrieval"]["doc"]["n"] == 1
    assert rep["answers"]["answerable"] == 2 and rep["answers"]["out_of_corpus"] == 1
    assert rep["answers"]["verbatim"] == 1.0 and rep["answers"]["cited"] == 1.0
    assert rep["check"]["n"] == 4 and rep["check"]["confusion"]["contradicted"]["supported"] == 1
    assert rep["check"]["accuracy"] == 0.75 and rep["check"]["quotes"]["n"] == 1
    assert rep["prompts"]["situations"] == 2 and rep["prompts"]["open"] == 1.0
    assert rep["prompts"]["safeguarding"]["recall"] == 1.0
    assert set(rep["metrics"]) >= {"recall@5", "mrr@5", "answers.gold_fact", "check.misattributed.f1",
                                   "prompts.personalised", "safeguarding.false_positive_rate"}
    assert out["failed"] == ["org-set: check.accuracy = 0.750 is below 1.000"]
    assert "check.accuracy" in r.stderr and "FAILED" in r.stderr


def test_cli_eval_passing_gates_table_and_only(real_settings, tmp_path, capsys):
    d = _write_set(tmp_path / "mine", questions=None, claims=CLAIMS[:3], scenarios=None)
    code = cli_main(["eval", "--set", str(d), "--min", "check.accuracy=0.9", "--max", "check.false_accept=0"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Citation checker" in out and "accuracy" in out and "100.0%" in out and "mine" in out
    assert "confusion" in out and "All 2 gate(s) passed" in err
    # a gated metric the set cannot measure fails rather than passing silently
    code = cli_main(["eval", "--set", str(d), "--only", "claims", "--json", "--min", "recall@5=0.5"])
    out, err = capsys.readouterr()
    rep = json.loads(out)["sets"][0]
    assert code == 1 and "check" in rep and "answers" not in rep and "prompts" not in rep
    assert "recall@5 not measured" in err


def test_cli_eval_user_mistakes_are_one_line(tmp_path, capsys):
    assert cli_main(["eval", "--set", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: No eval set folder") and "\n" not in err
    assert cli_main(["eval", "--min", "precision=0.9"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Unknown metric 'precision'" in err and "check.accuracy" in err and "\n" not in err


def test_feedback_export_feeds_eval_once_labelled(real_settings, tmp_path, capsys, monkeypatch):
    from assistant.evaluation import feedback
    from assistant.settings import load_settings
    from assistant.types import Answer

    fb_settings = load_settings(index_dir=tmp_path / "fb-index")  # not the shared real index
    ans = Answer(question="q", answer="Some answer.", abstained=False)
    feedback.record(fb_settings, "unhelpful", "What do strengths and asset-based approaches focus on?", ans,
                    note="missed the point")
    feedback.record(fb_settings, "helpful", "Who is Lyn Romeo?", ans)
    out_dir = tmp_path / "from-feedback"
    path, added, total = export_feedback(fb_settings, out_dir)
    assert (added, total) == (1, 1)
    line = json.loads(path.read_text(encoding="utf-8"))
    assert line["kind"] == "unlabelled" and line["gold"] == [] and "missed the point" in line["note"]
    assert export_feedback(fb_settings, out_dir)[1] == 0  # exporting again adds nothing

    assert cli_main(["eval", "--set", str(out_dir), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)["sets"][0]
    assert rep["unlabelled"] == [line["id"]] and "answers" not in rep  # not mistaken for out-of-corpus

    line.update(gold=["what individuals and communities have"], kind="factual")
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert cli_main(["eval", "--set", str(out_dir), "--json", "--min", "recall@5=1"]) == 0
    rep = json.loads(capsys.readouterr().out)["sets"][0]
    assert rep["unlabelled"] == [] and rep["retrieval"]["text"]["recall"] == 1.0


def test_cli_feedback_export_command(tmp_path, capsys, monkeypatch):
    from assistant.evaluation import feedback
    from assistant.settings import get_settings
    from assistant.types import Answer

    feedback.record(get_settings(), "wrong_citation", "Who wrote the report?", Answer(
        question="q", answer="a", abstained=False))
    assert cli_main(["feedback", "export", str(tmp_path / "cases")]) == 0
    out = capsys.readouterr().out
    assert "Added 1 question" in out and "assistant eval --set" in out
    assert (tmp_path / "cases" / "questions.jsonl").is_file()
