"""Greetings and thanks around a question are taken off before searching (assistant/search/chatter)."""

from __future__ import annotations

import pytest

from assistant.search.chatter import load_chatter, strip_chatter


@pytest.mark.parametrize("typed, asked", [
    ("hi all, quick q - how long has interest in SBAs been growing?", "how long has interest in SBAs been growing?"),
    ("quick fix thanks in advance!", "quick fix"),
    ("Hi, is SBA a quick fix? Cheers", "is SBA a quick fix?"),
    ("sorry if this is a silly question but is an SBA the same as an asset based approach",
     "is an SBA the same as an asset based approach"),
    ("co-producers not consumers - many thanks", "co-producers not consumers"),
    ("hi there! just trying to get my head round it, who wrote the blog?", "who wrote the blog?"),
])
def test_greetings_and_thanks_are_taken_off(typed, asked):
    assert strip_chatter(typed) == asked


@pytest.mark.parametrize("query", [
    "thanks!",  # nothing but chatter: left as typed
    "what does the blog say about thanks",  # a one-word closer needs punctuation before it
    "history of the act",  # "hi" only as a whole word
    "what is ta",
])
def test_words_that_are_the_question_stay(query):
    assert strip_chatter(query) == query


def test_chatty_questions_are_answered_and_show_what_was_searched(real_assistant):
    ans = real_assistant.ask("hi all, quick q - carmen colomina framework? thanks in advance!")
    assert not ans.abstained, ans.answer
    assert ans.searched_query == "carmen colomina framework?"


def test_a_broken_chatter_list_is_refused_with_a_message(tmp_path):
    from assistant.errors import InputError

    bad = tmp_path / "chatter.yaml"
    bad.write_text("openers: [hi]\n", encoding="utf-8")
    with pytest.raises(InputError, match="'openers:' and 'closers:'"):
        load_chatter(bad)
