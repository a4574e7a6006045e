"""Sentence boundaries survive abbreviations and initials; offsets stay exact (textutil.sentence_spans)."""

from __future__ import annotations

import pytest

from assistant.textutil import sentence_spans


def split(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize("text, sentences", [
    ("Call the team. Tel. 01632 960 123 is staffed all day. Ask for the lead.",
     ["Call the team.", "Tel. 01632 960 123 is staffed all day.", "Ask for the lead."]),
    ("Written by J. Smith and A. N. Other for the board. It was agreed by everyone.",
     ["Written by J. Smith and A. N. Other for the board.", "It was agreed by everyone."]),
    ("See Annex A. The next step is a review meeting with the carer.",
     ["See Annex A.", "The next step is a review meeting with the carer."]),
    ("Read para. 6.64 of the guidance first. Then act on it in practice.",
     ["Read para. 6.64 of the guidance first.", "Then act on it in practice."]),
    ("Quote No. 5 applies to the case here. It is clear enough to everyone.",
     ["Quote No. 5 applies to the case here.", "It is clear enough to everyone."]),
    ("Groups, e.g. Tuesday clubs, help many people. This matters a lot here.",
     ["Groups, e.g. Tuesday clubs, help many people.", "This matters a lot here."]),
    ("He played the piano. Then he sang a song to the group members.",
     ["He played the piano.", "Then he sang a song to the group members."]),
])
def test_abbreviations_and_initials_do_not_end_sentences(text, sentences):
    assert split(text) == sentences


def test_a_function_word_with_s_on_it_is_no_search_word():
    from assistant.search.rarity import term_weights
    from assistant.textutil import tokens

    # "what's" is "what is": neither half is a word to search for; a name's possessive keeps the name.
    assert tokens("what's the point") == tokens("what’s the point") == ["point"]
    assert tokens("there's a toolkit") == ["toolkit"]
    assert tokens("King's blog") == ["king", "blog"]
    assert "there" not in term_weights("there's a toolkit")
