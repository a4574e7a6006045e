"""What shape of answer a message asks for (assistant/search/request.list_request)."""

from __future__ import annotations

from assistant.search.request import list_request


def test_a_counted_kind_is_how_many_items_not_a_number_to_look_for():
    assert list_request("what are the 3 kinds of strengths the council should identify?") == (
        "what are the kinds of strengths the council should identify?", 3, True)
    assert list_request("what three types of support are there") == ("what types of support are there", 3, True)
    # a count of something that is not a kind of item stays in the question
    assert list_request("What are the nine areas of wellbeing?")[0] == "What are the nine areas of wellbeing?"


def test_a_quick_bullet_list_of_things_is_a_question_about_them():
    assert list_request("give me a quick bullet list of the kinds of community assets to map") == (
        "what are the kinds of community assets to map", None, True)
    assert list_request("list who the new report is aimed at") == ("who the new report is aimed at", None, True)
    assert list_request("Summarise in 3 bullet points what a good assessment looks like") == (
        "Summarise what a good assessment looks like", 3, True)


def test_asking_what_else_is_on_that_list_asks_for_the_list():
    assert list_request("what else is on that list")[2]
    assert list_request("anything more in the list?")[2]
    assert not list_request("what else does that guide say")[2]
    assert not list_request("who is on the waiting list for an assessment?")[2]
