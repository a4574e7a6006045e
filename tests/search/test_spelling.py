"""Spelling: words neither the library nor English knows are read as the closest library word."""

from __future__ import annotations

from assistant.search.spelling import Correction, correct_spelling, corrections, is_english, max_edits


def test_misspelt_words_become_the_library_words_they_stand_for(real_retriever):
    q = "How are carers assessmnts done and what is a strenghts based conversaton?"
    fixed = correct_spelling(real_retriever, q)
    # The library only says "conversations": the correction is a word the library really uses.
    assert fixed == "How are carers assessments done and what is a strengths based conversations?"
    assert Correction("assessmnts", "assessments") in corrections(real_retriever, q)


def test_real_words_names_and_abbreviations_are_left_alone(real_retriever):
    # "hoarding" and "weather" are English though the library never uses them: another topic, not a typo.
    for q in ["supporting someone who is hoarding", "what is the weather like", "What did Munro say?",
              "what do the SWs say", "dols and lps"]:
        assert correct_spelling(real_retriever, q) == q


def test_a_capital_is_corrected_only_where_a_sentence_starts(real_retriever):
    assert correct_spelling(real_retriever, "Assesments of carers") == "Assessments of carers"
    assert correct_spelling(real_retriever, "ask Assesments Ltd") == "ask Assesments Ltd"


def test_edit_limits_and_english():
    assert max_edits("carer") == 1 and max_edits("assessmnts") == 2
    assert is_english("hoarding") and not is_english("assessmnts")


def test_the_answer_shows_the_query_it_searched(real_assistant):
    ans = real_assistant.ask("What does the Care Act say about a persons own strenghts and capabilties?")
    assert ans.searched_query == "What does the Care Act say about a persons own strengths and capabilities?"
    assert not ans.abstained
    assert "own strengths and capabilities" in ans.answer.lower()


def test_a_contraction_typed_without_its_apostrophe_is_no_typo(real_retriever):
    from assistant.search.rarity import as_typed, everyday

    assert as_typed("dont") == "don't" and as_typed("theyre") == "they're" and as_typed("carer") == "carer"
    assert everyday("dont") and everyday("line") and not everyday("hoarding") and not everyday("timetable")
    q = "NICE have a guide on outcomes dont they"
    assert correct_spelling(real_retriever, q) == q


def test_everyday_shorthand_is_read_as_the_word_it_stands_for(real_retriever):
    assert correct_spelling(real_retriever, "examples of community assets pls") == \
        "examples of community assets please"
    assert correct_spelling(real_retriever, "Pls say what mgmt culture SBAs move away from") == \
        "Please say what management culture SBAs move away from"
    assert correct_spelling(real_retriever, "family n friends b4 the assessment") == \
        "family and friends before the assessment"


def test_shorthand_keeps_search_box_queries_answered(real_assistant):
    ans = real_assistant.ask("examples of community assets pls")
    assert not ans.abstained and "knowledge, people, spaces, networks and services" in ans.answer.lower()
    assert ans.searched_query == "examples of community assets please"


def test_a_broken_shorthand_list_is_refused_with_a_message(tmp_path):
    import pytest

    from assistant.errors import InputError
    from assistant.search.spelling import load_shorthand

    bad = tmp_path / "shorthand.yaml"
    bad.write_text("shorthand:\n  PLS: please\n", encoding="utf-8")
    with pytest.raises(InputError, match="lower-case shorthand"):
        load_shorthand(bad)


def test_typos_of_english_words_and_parts_of_hyphenated_words_are_corrected(real_retriever):
    # "paperwork" is not in the library: the commonest English word one edit away is taken instead.
    assert correct_spelling(real_retriever, "How is the job changnig after years of paperwokr?") == \
        "How is the job changing after years of paperwork?"
    assert correct_spelling(real_retriever, "co-rpoducers not cosnumers") == "co-producers not consumers"
    assert correct_spelling(real_retriever, "rights-absed person-centerd") == "rights-based person-centred"


def test_british_spellings_and_short_slang_are_not_typos(real_retriever):
    # The English word list is American: "neighbour" is not a typo of "neighbor", nor "meds" of "mess".
    q = "my client's neighbour helps with her meds and the organisation of her week"
    assert correct_spelling(real_retriever, q) == q


def test_a_short_typo_of_a_function_word_is_read_as_that_word(real_retriever):
    from assistant.search.spelling import function_word

    # A letter missed or two swapped in "what", "how", "the": the question then reads as a question.
    assert correct_spelling(real_retriever, "wht do personal strengths include") == "what do personal strengths include"
    assert correct_spelling(real_retriever, "Hw are carers involved in teh assessment") == \
        "How are carers involved in the assessment"
    # Words English or the glossary knows, and shorthand too far from any function word, stay.
    assert function_word(real_retriever, "la") is None and function_word(real_retriever, "ot") is None
    assert function_word(real_retriever, "pip") is None and function_word(real_retriever, "what") is None
