"""Abstention that holds for new phrasing and bigger libraries: abbreviations, everyday questions, durations."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from tests.conftest import CORPUS, REPO


def test_how_long_and_how_often_want_a_length_of_time_or_a_frequency():
    from assistant.answer.cues import fits_cue, question_cue

    assert question_cue("How long does a carer's assessment last?") == "duration"
    assert question_cue("How often should the plan be reviewed?") == "frequency"
    assert question_cue("How long ago was the Munro review?") == "date"
    for text in ("The assessment will last at least an hour.", "It can take half a year.", "within 28 days",
                 "a few weeks"):
        assert fits_cue("duration", text), text
    for text in ("Reviews happen every year.", "at least annually", "twice a month", "three times a week"):
        assert fits_cue("frequency", text), text
    # A paragraph number or a year is not a length of time.
    assert not fits_cue("duration", "see 6.64 of the Care Act guidance")
    assert not fits_cue("frequency", "The Care Act 2014 says so")


def test_only_abbreviations_of_names_must_be_found(real_retriever):
    from assistant.answer.abstain import asked_names

    asked = asked_names(real_retriever, "Does the LA need DoLS for CYP or can OTs decide?")
    must = {next(iter(sorted(t))): m for t, _, m in asked.abbreviations}
    assert must == {"la": False, "dol": True, "cyp": False, "ot": False}
    assert asked.keys == set()
    assert asked.said("the local authority and the deprivation of liberty safeguards")[0]
    assert not asked.said("the local authority")[0]


@pytest.mark.parametrize("question, gold", [
    ("Do LAs have to consider the person's community?", "wider support network"),
    ("How should the SW work with CYP and their families?", ""),
    ("what does ASC need to change for SBA to work?", ""),
])
def test_everyday_abbreviations_are_no_reason_to_abstain(real_assistant, question, gold):
    ans = real_assistant.ask(question)
    assert not ans.abstained, question
    assert gold in ans.answer.lower()


@pytest.mark.parametrize("question", [
    "What does the guidance say about DoLS authorisations?",  # a named scheme the library never mentions
    "Will there be sunshine in Cardiff on Saturday?",
    "Which bus goes to the hospital from the town centre?",
    "Was this page helpful?",
    "How do I make pancakes?",
])
def test_named_schemes_it_lacks_and_everyday_questions_abstain(real_assistant, question):
    ans = real_assistant.ask(question)
    assert ans.abstained, ans.answer


@pytest.fixture(scope="module")
def mixed_library(tmp_path_factory):
    """The guidance plus generated council and transport pages (timetables, weather, bins, page footers)."""
    spec = importlib.util.spec_from_file_location("public_info_gen", REPO / "benchmarks" / "public_info_gen.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    d = tmp_path_factory.mktemp("mixed")
    shutil.copytree(CORPUS / "guidance", d / "corpus" / "guidance")
    gen.generate(d / "corpus" / "guidance", docs=len(gen.KINDS), seed=3)
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    settings = load_settings(corpus_dir=d / "corpus", index_dir=d / "indexes", home=d)
    ingest(settings, progress=False)
    return settings


def test_in_a_library_with_unrelated_pages_everyday_questions_still_abstain(mixed_library):
    from assistant.core import Assistant

    a = Assistant(mixed_library)
    assert len(a.index.chunks) > 80
    for q in ["Is this page useful?", "What time is the next bus into town?", "Will it be icy on the roads tonight?",
              "Did you find this website helpful?"]:
        ans = a.ask(q)
        assert ans.abstained, (q, ans.answer)
    ans = a.ask("What does the Care Act require local authorities to consider?")
    assert not ans.abstained and "own strengths and capabilities" in ans.answer.lower()


def test_advice_about_a_situation_is_judged_by_the_passages_found(mixed_library):
    # School admission pages say "refused a place"; that is no guidance on someone who refuses care.
    from assistant.core import Assistant

    ans = Assistant(mixed_library).ask("What should I do if the person I support refuses help?")
    assert ans.abstained, ans.answer


def test_only_telling_unseen_words_stop_a_search_box_query(real_retriever):
    """Everyday words ('name', 'line', 'stuff'), known abbreviations and apostrophe-less contractions the guidance
    never uses say nothing about the topic; 'hoarding' or 'timetable' do."""
    from assistant.answer.abstain import asked_names, unseen_search_words

    def unseen(q):
        return unseen_search_words(real_retriever, q, asked_names(real_retriever, q))

    assert unseen("whats the name of the report in one line dont they") == []
    assert unseen("LA should identify kinds of strengths") == []
    assert unseen("hoarding support") == ["hoarding"]
    assert unseen("bus timetable strengths") == ["timetable"]  # "bus" says less than "strengths"
    assert unseen("whats happening in bexley") == []  # "bexley" (known) says more than "happening"
    assert unseen("social work paperwork process") == []  # "paper" and "work" are both the library's words
    assert "mortgage" in unseen("mortgage advice")


def test_a_request_with_its_own_subject_is_no_search_box_query(real_retriever):
    from assistant.search.query import keyword_style

    assert keyword_style(real_retriever, "munro 2011")
    assert not keyword_style(real_retriever, "give me a quick list of the community assets to map")
    assert not keyword_style(real_retriever, "the kinds of community assets i should be mapping for someone")
    # a case note's question after its statement, "anything on…", "whats…" ask too: their words are not search terms
    assert not keyword_style(real_retriever, "the blog said we were stuck in paperwork - does it say thats changing")
    assert not keyword_style(real_retriever, "anything on stopping things getting worse")
    assert not keyword_style(real_retriever, "whats the titel of the 2021 report")
    assert keyword_style(real_retriever, "webinar date king blog")


@pytest.mark.parametrize("question, gold", [
    ("give me a quick bullet list of the kinds of community assets i should be looking at with someone",
     "knowledge, people, spaces"),
    ("what are the 3 kinds of strengths a council should look for?", "personal, community and social networks"),
    ("how much time should practitioners be given? is there anything on allowing enough time for assessment",
     "time has to be allowed"),
])
def test_requests_counts_and_second_asks_are_answered(real_assistant, question, gold):
    ans = real_assistant.ask(question)
    assert not ans.abstained, ans.answer
    assert gold in ans.answer.lower()


@pytest.mark.parametrize("question, gold", [
    ("whats the name of the report on strengths based areas", "strengths-based areas"),
    ("what does co-production mean in one line", "co-production"),
])
def test_chatty_search_box_questions_are_answered(real_assistant, question, gold):
    ans = real_assistant.ask(question)
    assert not ans.abstained and ans.citations, question
    assert gold in ans.answer.lower()


@pytest.mark.parametrize("question, gold", [
    ("How should I involve Sarah's family and friends in her support?", "family and friends"),
    ("Mrs Patel is 80 and her son helps out. Can I count on her son's support in the plan?", "agreement of the adult"),
    ("Our team in Kent wants to know who is accountable for a strengths-based assessment", "accountability"),
])
def test_the_people_and_places_of_a_case_are_no_reason_to_abstain(real_assistant, question, gold):
    ans = real_assistant.ask(question)
    assert not ans.abstained, ans.answer
    assert gold in ans.answer.lower()


def test_a_name_the_guidance_uses_is_still_asked_about(real_assistant):
    # "Alex" is a given name, but the guidance names Alex Fox: a question about another Alex is not answered.
    assert real_assistant.ask("What does Alex Fox say people need to be seen as?").abstained is False
    assert real_assistant.ask("What did Alex Ferguson say about strengths-based practice?").abstained


def test_an_abbreviation_for_whose_staff_or_workplace_is_not_a_source_to_find(real_retriever):
    from assistant.answer.abstain import asked_names

    asked = asked_names(real_retriever, "What should NHS planners and GP practices know? What does NICE guidance say?")
    must = {next(iter(sorted(t))): m for t, _, m in asked.abbreviations}
    assert must == {"nhs": False, "gp": False, "nice": True}
    # A plural acronym is said by a passage as written, as the acronym, or by its long form.
    las = asked_names(real_retriever, "Do LAs have to do this?")
    assert las.said("Some LAs do.")[1] and las.said("local authorities must")[1]


def test_set_phrase_counts_answer_how_many():
    from assistant.answer.cues import asks_for_pointer, fits_cue

    for text in ("Visit twice before the review.", "a one-off payment", "once a year"):
        assert fits_cue("quantity", text), text
    assert not fits_cue("quantity", "Once you have agreed the plan, start.")
    assert asks_for_pointer("the definitions page mentions NICE somewhere, what's that about?")


def test_a_source_counts_when_its_document_speaks_of_it_not_when_it_only_links_to_it(real_retriever):
    from assistant.answer.abstain import _statements

    text = "See also the NICE quick guide.\n\nSCIE supports councils to work with communities."
    said = _statements(text)
    assert "SCIE supports" in said and "NICE" not in said


def test_a_source_named_by_the_passages_document_is_present(real_assistant):
    # The blog passage about Bexley never says SCIE; the rest of the blog does, in statements ("my colleague at SCIE").
    ans = real_assistant.ask("I heard SCIE supported another London council on this. Which one was it?")
    assert not ans.abstained
    assert "bexley" in ans.answer.lower()


def test_every_asking_clause_counts():
    from assistant.answer.cues import asking_clauses, clause_cues

    q = "how long have these asset based area papers been going - when did the first one come out?"
    assert clause_cues(q) == {"duration", "date"}
    # Case notes after the question ask nothing.
    assert asking_clauses("how long should an assessment take? TM is pushing us to close them quick") == [
        "how long should an assessment take?"]
    assert clause_cues("How long does a carer's assessment last?") == {"duration"}


def test_a_date_answers_a_how_long_question_that_also_asks_when(real_assistant):
    ans = real_assistant.ask("how long have these asset based area papers been going - when did the first one come out?")
    assert not ans.abstained
    assert "2017" in ans.answer


def test_the_guidance_saying_it_is_no_fixed_length_answers_how_long():
    from assistant.answer.cues import fits_cue

    for text in ("It can reduce demand over time.", "benefits in the long term", "a long-term programme",
                 "Changes will not happen immediately."):
        assert fits_cue("duration", text), text
    # Time spoken of without saying how long is not an answer to "how long".
    assert not fits_cue("duration", "Time has to be allowed for the assessment.")


def test_a_how_long_question_answered_by_over_time(real_assistant):
    ans = real_assistant.ask("How long until these approaches bring down demand for costly services?")
    assert not ans.abstained, ans.answer
    assert "over time" in ans.answer


def test_words_naming_where_to_look_are_not_asked_of_the_dated_sentence(real_assistant):
    # "advertised in the GOV.UK blog post" says which document; the sentence with the date need not repeat it.
    ans = real_assistant.ask("On what date is the webinar advertised in the GOV.UK blog post?")
    assert not ans.abstained, ans.answer
    assert "26 march" in ans.answer.lower()


def test_topic_words_of_what_does_it_say_about():
    from assistant.answer.cues import topic_words

    assert topic_words("What does the DHSC framework say about supervision for staff?") == [
        "supervision", "for", "staff"]
    assert topic_words("What does the guidance mention about carers?") == ["carers"]
    assert topic_words("How should I support someone who is hoarding?") == []



def test_document_names_are_the_details_that_tell_a_document_apart(real_retriever):
    from assistant.answer.abstain import document_names
    from assistant.textutil import tokens

    blog = document_names(real_retriever, "looking-for-strengths-at-the-heart-of-social-care")
    assert set(tokens("Ewan King")) <= blog
    children = document_names(real_retriever, "strengths-based-social-care-children-young-people-families")
    assert set(tokens("children families")) <= children
    # what every title says is what the library is about, not where to look in it
    assert not (blog | children) & set(tokens("strengths-based care"))


def test_how_often_a_document_is_updated_is_answered_where_it_says_so_of_itself(real_assistant):
    ans = real_assistant.ask("How frequently is the definitions guide updated?")
    assert not ans.abstained, ans.answer
    assert "will be updated" in ans.answer
    # not a document asked about: a review period the guidance never gives
    assert real_assistant.ask("How often should a care and support plan be reviewed?").abstained


def test_a_document_of_someone_the_library_holds_nothing_of_is_not_covered(real_retriever, real_assistant):
    from assistant.answer.abstain import unknown_owner

    # Lyn Romeo is quoted in the GOV.UK blog, but the library holds no blog of hers.
    assert unknown_owner(real_retriever, "What does Lyn Romeo's latest blog say about strengths-based practice?")
    assert real_assistant.ask("What does Lyn Romeo's latest blog say about strengths-based practice?").abstained
    # Ewan King wrote the blog; the children's guidance speaks of "the Munro review"; SCIE publishes guidance.
    for q in ("What does Ewan King's blog say about Bexley?", "What did Munro's review emphasise?",
              "What does SCIE's children's guidance say about families?"):
        assert not unknown_owner(real_retriever, q), q
    assert not real_assistant.ask("What did Munro's review emphasise?").abstained

    # A capital where a sentence starts marks no name.
    assert not unknown_owner(real_retriever, "Council's report - what does it say about carers?")


def test_a_plural_acronym_is_said_by_its_long_form(real_retriever, real_assistant):
    from assistant.answer.abstain import about_question

    # The children's guidance defines "strengths-based approach (SBA)": "SBAs" are "strengths-based approaches".
    assert about_question(real_retriever, "SBAs", "Good strengths-based approaches can help") == 1.0
    ans = real_assistant.ask("how long before SBAs actually start cutting demand for expensive services?")
    assert not ans.abstained and "over time" in ans.answer
