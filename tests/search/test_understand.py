"""A query as search understands it: long questions led by the sentence that asks; search and ask agree."""

from __future__ import annotations

import pytest

from assistant.search.understand import asking_sentence, keyword_weights, understand

CASE = ("I am working with Mrs Adeyemi, who is 84 and lives alone in a flat above the shop she used to run. Her "
        "daughter visits on Sundays and she loves gardening and her church choir. What does the Care Act require "
        "local authorities to consider?")


def test_the_sentence_that_asks_is_told_from_the_case_context():
    focus, context = asking_sentence(CASE)
    assert focus == "What does the Care Act require local authorities to consider?"
    assert context.startswith("I am working with Mrs Adeyemi") and "church choir" in context
    # A short question, or one with no sentence that asks, is read whole.
    assert asking_sentence("What is a strengths-based approach?") == ("What is a strengths-based approach?", "")
    assert asking_sentence("Carers. Assessment.")[1] == ""


def test_context_words_count_less_than_the_question_words(real_retriever):
    u = understand(real_retriever, CASE)
    w = keyword_weights(real_retriever, u)
    assert w["consid"] == 1.0 and w["garden"] == 0.5
    assert keyword_weights(real_retriever, understand(real_retriever, "What is asset-based?")) is None


def test_a_long_question_is_answered_from_what_it_asks(real_assistant):
    ans = real_assistant.ask(CASE)
    assert not ans.abstained, ans.answer
    assert "own strengths and capabilities" in ans.answer.lower()


def test_search_understands_abbreviations_and_spelling_like_ask(real_assistant):
    gold = "own strengths and capabilities"
    plain = real_assistant.search("What must the local authority consider about a person's own strengths?", 3)
    short = real_assistant.search("What must the LA considr about a person's own strengths?", 3)
    assert any(gold in p.text for p in plain) and any(gold in p.text for p in short)


def test_the_asking_sentence_is_found_when_typed_in_lower_case_or_as_search_words():
    context = "I've got a review coming up with a lady who lives alone and has a daughter nearby."
    assert asking_sentence(f"{context} what year was the munro review") == ("what year was the munro review",
                                                                            context)
    # Case notes, then what would go in a search box: the last sentence asks.
    assert asking_sentence(f"{context} NICE quick guide strengths outcomes")[0] == "NICE quick guide strengths outcomes"


def test_a_vague_asking_sentence_leaves_the_case_notes_to_say_what_it_is_about():
    q = ("my client's daughter and neighbour have offered to help with shopping and meds. i want to put this in "
         "the plan. what do i need to check first")
    assert asking_sentence(q) == (q, "")


NOTES = "I'm supporting a man in his seventies who cares for his wife. He is tired and his daughter lives abroad."


@pytest.mark.parametrize("ask", ["What does the guidance say?", "what does the guidance say about the future?",
                                 "Is that usual and is anything meant to help?", "What does the toolkit let us do?"])
def test_an_ask_that_leans_on_the_case_notes_is_read_with_them(ask):
    q = f"{NOTES} {ask}"
    assert asking_sentence(q) == (q, "")


def test_an_ask_that_says_what_it_is_about_still_leads():
    ask = "What does the Care Act say about carers' assessments?"
    assert asking_sentence(f"{NOTES} {ask}") == (ask, NOTES)


def test_a_how_long_question_lifts_the_passage_that_says_a_length_of_time(real_retriever, monkeypatch):
    import assistant.search.understand as understand_module

    q = "how long has interest in strengths based approaches been growing"
    gold = "over the last five years"
    ranks, default = {}, understand_module.ANSWER_TYPE_BONUS
    for bonus in (default, 0.0):
        monkeypatch.setattr(understand_module, "ANSWER_TYPE_BONUS", bonus)
        hits = understand_module.search(real_retriever, q, 5)
        ranks[bonus] = next((p.rank for p in hits if gold in p.text), None)
    assert ranks[default] == 1
    assert ranks[0.0] is None or ranks[0.0] > 1  # without the lift the passage about interest alone leads


def test_a_question_after_a_lead_in_leads():
    # "quick one before my team meeting - …": the question after the dash is what is asked, the lead-in context
    assert asking_sentence("before my team meeting - is strengths-based practice for every profession?") == (
        "is strengths-based practice for every profession?", "before my team meeting")
    assert asking_sentence("for a training session: what does a strengths-based approach focus on?") == (
        "what does a strengths-based approach focus on?", "for a training session")
    # A question that refers back to the lead-in, or a lead-in that asks, is read whole.
    for q in ("co-production with families - how does the children's page describe it?",
              "ICS colleagues - is the paper meant for us?",
              "how long have these papers been going - when did the first one come out?"):
        assert asking_sentence(q) == (q, "")


def test_a_lead_in_counts_less_than_the_question_after_it(real_assistant):
    gold = "holistic and multidisciplinary"
    hits = real_assistant.search("quick one before my supervision - is strengths-based practice meant to be done "
                                 "by one profession or lots of different ones?", 5)
    assert any(gold in p.text for p in hits)
