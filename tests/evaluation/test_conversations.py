"""Conversation sets and the reading metrics: parsing, scoring by hand, and one real run through the CLI set."""

from __future__ import annotations

import json

from assistant.core import Assistant
from assistant.evaluation.conversations import folded, run_conversations
from assistant.evaluation.evaluate import evaluate_set, load_set
from assistant.evaluation.reading import is_fragment, opens_unresolved

DOC = "# Title\n\nCarers have their own rights. This is set out in law.\n\nThe steps are:\n- Ask the carer what matters\n"


def test_opens_unresolved_by_hand():
    assert opens_unresolved("“This is also subject to the agreement of the adult.” [1]")
    assert opens_unresolved("It also requires a culture of co-production. [1]")
    assert not opens_unresolved("The guide (SCIE) says: “Carers have their own rights.” [1] “This is set out in law.” [2]")
    assert not opens_unresolved("The report (SCIE) says: “This paper is both an update and a toolkit.” [1]")
    assert opens_unresolved("“This paper is both an update and a toolkit.” [1]")  # no source named before it


def test_fragments_by_hand():
    heading, lead, item = DOC.index("Title"), DOC.index("The steps"), DOC.index("Ask the")
    assert is_fragment("Title", DOC, heading, "“Title” [1]")
    assert is_fragment("The steps are:", DOC, lead, "“The steps are:” [1]")
    assert not is_fragment("The steps are:", DOC, lead, "“The steps are:” [1]\n- “Ask the carer what matters” [2]")
    assert is_fragment("Ask the carer what matters", DOC, item, "X says: “Ask the carer what matters” [1]")
    assert not is_fragment("Ask the carer what matters", DOC, item, "- “Ask the carer what matters” [1]")
    assert not is_fragment("Carers have their own rights.", DOC, DOC.index("Carers"), "“Carers have their own rights.” [1]")


def test_folded_means_earlier_words_the_question_lacks():
    earlier = ["What does the Care Act say about family and friends?"]
    assert folded("who is Lyn Romeo?", "who is Lyn Romeo? family friends", earlier)
    assert not folded("who is Lyn Romeo?", "who is Lyn Romeo?", earlier)
    assert not folded("what about family?", "what about family?", earlier)  # its own word, not folded
    # the search's spelling of the message's own word is not a word folded in; a different word is
    assert not folded("time for practitoners?", "time for practitioners?", ["what do practitioners lack"])
    assert folded("time for practitoners?", "time for practitoners? lack", ["what do practitioners lack"])


def test_conversation_lines_are_checked(tmp_path):
    d = tmp_path / "convs"
    d.mkdir()
    good = {"id": "c1", "turns": [{"question": "q?", "gold": ["x"], "doc_id": "d", "continues": False}]}
    lines = [json.dumps(good), json.dumps({"id": "c2", "turns": []}),
             json.dumps({"id": "c3", "turns": [{"question": "q", "continues": "yes"}]})]
    (d / "conversations.jsonl").write_text("\n".join(lines), encoding="utf-8")
    es = load_set(d)
    assert [c["id"] for c in es.conversations] == ["c1"] and len(es.problems) == 2
    assert all("conversations.jsonl:" in p for p in es.problems)


def test_a_conversation_is_scored_turn_by_turn(real_settings, tmp_path):
    d = tmp_path / "convs"
    d.mkdir()
    conv = {"id": "c1", "turns": [
        {"question": "Who wrote the blog Looking for strengths at the heart of social care?", "gold": ["ewan king"],
         "doc_id": "looking-for-strengths-at-the-heart-of-social-care", "continues": False},
        {"question": "what is his job?", "gold": ["director of business development"],
         "doc_id": "looking-for-strengths-at-the-heart-of-social-care", "continues": True},
        {"question": "new question: what year was the Munro review of child protection published?",
         "gold": ["2011"], "doc_id": "strengths-based-social-care-children-young-people-families",
         "continues": False}]}
    (d / "conversations.jsonl").write_text(json.dumps(conv), encoding="utf-8")
    seen = []
    a = Assistant(real_settings)
    rep = run_conversations(a, load_set(d).conversations, [], record=lambda tid, t, ans: seen.append(tid))
    assert seen == ["c1.1", "c1.2", "c1.3"] and rep["turns"] == 3
    assert rep["backref_resolved"] == 1.0 and rep["folded"] == 0.0 and rep["verbatim"] == 1.0
    assert evaluate_set(a, load_set(d))["metrics"]["conversations.gold_fact"] == rep["gold_fact"]
