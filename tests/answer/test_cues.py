"""What a question asks for, read from its wording (assistant/answer/cues)."""

from __future__ import annotations

import pytest


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


def test_the_people_places_and_ages_of_a_case_are_case_details():
    from assistant.answer.cues import case_details

    assert case_details("Mrs Patel is 80 and her son helps out. Can I count on his support?") == ({"patel"}, {"80"})
    assert case_details("Working with the Smith family (3 kids). What does an SBA focus on?") == ({"smith"}, {"3"})
    assert case_details("How should I involve Sarah's family?") == ({"sarah"}, set())
    assert case_details("Our team in Kent wants to know who is accountable")[0] == {"kent"}
    # What a question asks about stays: a year, a count of things, a place asked about.
    assert case_details("What happened in 2019 to the 10 actions?") == (set(), set())
    assert case_details("What is the eligibility threshold in Scotland?") == (set(), set())


def test_a_count_of_kinds_asked_for_is_a_list_length_not_a_number_to_find():
    from assistant.answer.cues import key_terms

    assert key_terms("what are the 3 kinds of strengths a council should look for?") == set()
    assert key_terms("What are the two types of assets in a community?") == set()
    assert "nine" in key_terms("What are the nine wellbeing areas?")  # a count that names the thing stays
    assert "2017" in key_terms("What did the 2017 paper say?")


def test_a_second_open_ask_is_told_from_a_numbers_only_question():
    from assistant.answer.cues import open_ask

    assert open_ask("how much time should practitioners be given? is there anything on allowing enough time")
    assert not open_ask("How long does a carer's assessment last?")
    assert not open_ask("How long does it last? How often is it reviewed?")  # both want a number


def test_what_a_question_asks_for_readers_examples_and_who_someone_is():
    from assistant.answer.cues import asks_for_pointer, fits_cue, question_cue

    assert question_cue("who's the carers report aimed at?") == "audience"
    assert fits_cue("audience", "This report will be of interest to commissioners and GP practices.")
    assert not fits_cue("audience", "The report was written by a chief executive.")
    assert question_cue("what sort of things count as personal assets?") == "examples"
    assert fits_cue("examples", "Personal assets can include skills, hobbies and friendships.")
    assert not fits_cue("examples", "Assets matter to everyone.")
    assert question_cue("what's he listed as there?") == question_cue("what's his organisation?") == "who"
    assert asks_for_pointer("does that same page mention NICE")
    assert not asks_for_pointer("what does it say about NICE")


def test_a_document_detail_is_asked_for_only_about_the_document():
    from assistant.answer.compose import document_detail

    assert document_detail("whose blog was that again") == "author"
    assert document_detail("what is that report called?") == document_detail("whats it called?") == "title"
    # something the document names, not the document
    assert document_detail("and what was that version called") == ""
    assert document_detail("what is the framework called?") == ""


def test_a_clause_that_asks_who_or_when_asks_but_is_not_an_open_ask():
    from assistant.answer.cues import asking_clauses, open_ask

    assert asking_clauses("who wrote it - when did it come out?") == ["who wrote it", "when did it come out?"]
    assert not open_ask("How long does it last? Who wrote it?")  # a person and a number: neither is open
    assert open_ask("How long does it last? Is it the same for carers?")


def test_words_an_abbreviation_may_describe_are_data_anyone_can_extend(tmp_path):
    from assistant.answer.abstain import DESCRIBED, described_words, describes_people
    from assistant.search.abbreviations import Abbreviation
    from assistant.textutil import tokens

    assert DESCRIBED.name == "described.yaml" and DESCRIBED.parent.name == "search"
    la = Abbreviation("LA", "LA", ("local authority",))
    assert describes_people("what do LA staff need to know?", la)
    assert not describes_people("what does the LA guidance say?", la)
    mine = tmp_path / "described.yaml"
    mine.write_text("words:\n  - guidance\n", encoding="utf-8")
    assert set(tokens("guidance")) <= described_words(mine)
    assert not set(tokens("staff")) & described_words(mine)
    assert set(tokens("staff")) <= described_words()  # the shipped list


@pytest.mark.parametrize("text", ["words: staff\n", "people: [staff]\n", "words: []\n", "words: [staff, 3]\n",
                                  "words: [unclosed\n"])
def test_a_broken_list_of_people_words_is_refused_naming_the_file(tmp_path, text):
    from assistant.answer.abstain import described_words
    from assistant.errors import InputError

    bad = tmp_path / "described.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="described.yaml"):
        described_words(bad)
    with pytest.raises(InputError, match="described.yaml"):
        described_words(tmp_path / "missing" / "described.yaml")


def test_what_someone_is_doing_is_no_term_to_define():
    from assistant.answer.cues import defined_term, question_cue

    assert question_cue("what are they doing in Camden these days?") != "definition"
    assert defined_term("what are they doing in Camden these days?") == []
    assert question_cue("what is a carers assessment?") == "definition"
    assert defined_term("what is a carers assessment?") == ["carer", "assess"]
    assert question_cue("what are they?") == "definition"  # the thing said before, asked to be defined


def test_a_role_or_position_asks_who_only_when_it_is_a_persons():
    from assistant.answer.cues import question_cue

    assert question_cue("what's his actual role there?") == "who"
    assert question_cue("and what's her job?") == "who"
    assert question_cue("what does the carers guide say about its ethical position?") != "who"
    assert question_cue("what does it say about the role families play?") != "who"


def test_what_a_named_place_is_doing_is_no_term_to_define():
    from assistant.answer.cues import defined_term, question_cue

    assert question_cue("What is Bexley doing with its voluntary sector?") != "definition"
    assert defined_term("What is Bexley doing with its voluntary sector?") == []
    assert question_cue("What is strengths-based working?") == "definition"


def test_the_things_asked_to_be_named_need_not_be_counted_by_the_guidance():
    from assistant.answer.cues import key_terms

    # "the two councils": the guidance names them (Bexley, Surrey); it need not say "two".
    assert key_terms("list the two councils in the King blog and what each one is doing") == {"king"}
    # A count that is not of the things asked for, a longer list's length and a year are still asked about.
    assert key_terms("Did 2 councils take part in 2019?") == {"2", "2019"}
    assert key_terms("What are the nine areas of wellbeing listed in the Care Act?") == {"nine", "care", "act"}


def test_counts_in_the_case_notes_are_case_details_not_what_is_asked():
    from assistant.answer.cues import case_details

    q = ("I'm a newly qualified SW. I've got 14 cases and no time to find out what local groups exist. "
         "Does the guidance say anything about practitioner time?")
    assert case_details(q) == (set(), {"14"})
    # A number in the sentence that asks, or a year in the notes ("the 2017 paper"), is asked about.
    assert case_details("We have 3 teams. Is 3 teams enough for a strengths-based area?")[1] == set()
    assert case_details("We read the 2017 paper. What does it list?")[1] == set()


def test_a_count_of_things_compared_and_a_placed_phrase_are_not_required_as_such():
    from assistant.answer.cues import defined_term, key_terms

    assert "two" not in key_terms("are strengths and assets two different things or the same")
    assert "ten" in key_terms("what became of the original ten actions")  # a count that names the thing stays
    assert defined_term("what is community led support?")  # a term: its words must be found side by side
    assert defined_term("what is ewan kings role at scie") == []  # who someone is somewhere: not a term


def test_a_number_word_is_had_as_its_figure_and_back():
    from assistant.answer.abstain import with_figures

    assert "ten" in with_figures({"origin", "10", "action"})
    assert "10" in with_figures({"ten", "action"})
    assert with_figures({"origin", "action"}) == set()
