"""What a question asks for, read from its wording (assistant/answer/cues)."""

from __future__ import annotations


def test_how_to_object_is_what_the_verb_acts_on_past_a_clause_word():
    from assistant.answer.cues import how_to_object

    assert how_to_object("How do I arrange respite care for a parent?") == {"respit", "care"}
    # "whether" opens the object clause; it is not a word the guidance must use beside "mental capacity"
    assert how_to_object("How should I assess whether someone has mental capacity?") == {"mental", "capac"}
    assert how_to_object("What is respite care?") == set()


def test_asking_whether_a_source_exists_asks_for_a_pointer():
    from assistant.answer.cues import asks_for_pointer

    assert asks_for_pointer("is there a NICE guide on strengths")
    assert asks_for_pointer("Are there any reports on asset-based areas?")
    assert not asks_for_pointer("Is there a reason family support needs the person's agreement?")
