"""Conversations of 3–5 turns through the real assistant, with the history the app sends: topic switches are
never folded, back-references resolve to the previous answer's document, every quote stays verbatim."""

from __future__ import annotations

import re

from assistant.answer.compose import split_answer_sentences
from assistant.evaluation.metrics import citation_verbatim

CA = "care-act-2014-strengths-based-approaches"
BLOG = "looking-for-strengths-at-the-heart-of-social-care"
AREAS = "what-next-for-strengths-based-areas"
KIDS = "strengths-based-social-care-children-young-people-families"


def _talk(assistant, questions):
    """Ask each question with the earlier turns as history, as ui/callbacks.py sends them."""
    history, answers = [], []
    for q in questions:
        ans = assistant.ask(q, history[-8:])
        docs = assistant.index.documents
        assert all(citation_verbatim(c, docs) for c in ans.citations), ans.citations
        sentences = split_answer_sentences(ans.answer)
        assert ans.abstained or all(re.search(r"\[\d+\]$", s) for s in sentences), sentences
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": ans.answer}]
        answers.append(ans)
    return answers


def test_back_references_follow_the_previous_answers_document(real_assistant):
    a = _talk(real_assistant, ["What does the Care Act guidance say about support from family and friends?",
                               "who publishes it?",
                               "does it say anything about eligibility?",
                               "brand new question: what did the Munro review of child protection emphasise?"])
    assert a[0].citations[0].doc_id == CA
    assert a[1].citations[0].doc_id == CA and "Social Care Institute for Excellence" in a[1].answer
    assert a[2].citations and all(c.doc_id == CA for c in a[2].citations)
    assert a[3].searched_query.lower().startswith("what did the munro") and "family" not in a[3].searched_query
    assert a[3].citations[0].doc_id == KIDS and "safety and welfare" in a[3].answer


def test_a_person_in_the_previous_answer(real_assistant):
    a = _talk(real_assistant, ["Who wrote the blog Looking for strengths at the heart of social care?",
                               "where does he work?",
                               "what does he say about form filling?"])
    assert "ewan king" in a[0].answer.lower()
    assert a[1].citations[0].doc_id == BLOG and "director" in a[1].answer.lower()
    assert a[2].citations[0].doc_id == BLOG and "form filling" in a[2].answer.lower()


def test_switching_between_documents_and_back(real_assistant):
    a = _talk(real_assistant, ["Which organisations launched the report on what next for strengths-based areas?",
                               "who wrote it?",
                               "different topic - what did the Munro review emphasise?",
                               "when was that?",
                               "and who launched the strengths-based areas report again?"])
    assert a[1].citations[0].doc_id == AREAS and "alex fox" in a[1].answer.lower()
    assert a[2].searched_query.lower().startswith("what did the munro") and "launch" not in a[2].searched_query
    assert a[3].citations[0].doc_id == KIDS and "2011" in a[3].answer
    assert a[4].citations[0].doc_id == AREAS and "mayday trust" in a[4].answer.lower()


DEFS = "strengths-based-approaches-definitions"


def test_a_follow_up_about_the_document_in_hand_is_not_taken_for_small_talk(real_assistant):
    a = _talk(real_assistant, ["what can community assets include",
                               "and personal ones?",
                               "what should that glossary be read alongside",
                               "is it going to be updated"])
    assert all(x.citations and x.citations[0].doc_id == DEFS for x in a)
    assert "relationships, experience, skills and aspirations" in a[1].answer
    assert "will be updated" in a[3].answer.lower()


def test_a_bare_that_in_a_question_that_stands_alone_is_a_new_topic(real_assistant):
    a = _talk(real_assistant, ["what should LAs identify about a person under the care act",
                               "and why",
                               "what do children and families bring that is key to co-producing solutions",
                               "in the kids guidance what is an SBA essentially"])
    assert a[1].citations[0].doc_id == CA
    assert a[2].searched_query == "what do children and families bring that is key to co-producing solutions"
    assert a[2].citations[0].doc_id == KIDS and "valuable skills and experiences" in a[2].answer
    assert a[3].citations[0].doc_id == KIDS and "care act" not in a[3].searched_query.lower()


def test_he_is_the_person_the_previous_answer_named(real_assistant):
    a = _talk(real_assistant, ["who wrote the strengths-based areas report",
                               "where does he work",
                               "does that report mention GP practices",
                               "totally different: is a strengths-based approach a quick fix?"])
    assert "alex fox" in a[0].answer.lower()
    assert "Alex Fox" in a[1].searched_query and "chief executive, mayday trust" in a[1].answer.lower()
    assert a[2].citations[0].doc_id == AREAS and "gp practices" in a[2].answer.lower()
    assert a[3].searched_query == "is a strengths-based approach a quick fix?" and a[3].citations[0].doc_id == BLOG


def test_that_page_and_a_document_described_by_its_audience(real_assistant):
    a = _talk(real_assistant, ["how does the glossary describe strengths based practice",
                               "whats the prevention services bit on that page say",
                               "does he have an honour listed in the kids one"])
    assert a[1].citations and a[1].citations[0].doc_id == DEFS and "independence, resilience" in a[1].answer
    assert "page" not in a[1].searched_query
    assert a[2].citations and a[2].citations[0].doc_id == KIDS


def test_a_question_naming_a_document_is_not_small_talk_and_its_document_carries_on(real_assistant):
    a = _talk(real_assistant, ["what does ewan king say about bexley",
                               "who published it?",
                               "what's it called?"])
    assert a[0].citations and a[0].citations[0].doc_id == BLOG and "bexley" in a[0].answer.lower()
    assert a[1].citations[0].doc_id == BLOG and "GOV.UK blog" in a[1].answer
    assert a[2].citations[0].source_field == "title" and "Looking for strengths at the heart" in a[2].answer


def test_a_title_that_ends_in_a_question_mark_is_one_cited_sentence(real_assistant):
    a = _talk(real_assistant, ["what did the asset-based area describe in 2017", "what's it called?"])
    assert a[1].citations[0].doc_id == AREAS and a[1].citations[0].source_field == "title"
    assert len(split_answer_sentences(a[1].answer)) == 1  # _talk checks each sentence ends on its marker


def test_he_is_searched_by_the_messages_own_words_within_his_document(real_assistant):
    a = _talk(real_assistant, ["Who wrote the blog Looking for strengths at the heart of social care?",
                               "where does he work?",
                               "does he think it will cut costs fast?"])
    assert a[2].citations[0].doc_id == BLOG and "sustained investment" in a[2].answer
    assert "Ewan King" in a[2].searched_query and "wrote" not in a[2].searched_query  # who he is is settled


def test_does_another_document_say_the_same(real_assistant):
    a = _talk(real_assistant, ["what does Ewan King's blog say about whole-system change?",
                               "does the cyp guidance say the same?"])  # children and young people: by its initials
    assert a[0].citations[0].doc_id == BLOG
    assert a[1].citations[0].doc_id == KIDS and "whole-system and whole-organisation change" in a[1].answer


def test_whose_blog_is_answered_from_its_details_and_where_it_names_its_author(real_assistant):
    a = _talk(real_assistant, ["what does the GOV.UK blog say about form filling?", "whose blog is that?"])
    assert a[1].citations[0].source_field == "author" and "Ewan King" in a[1].answer
    assert "Director of Business Development" in a[1].answer  # the blog's own sentence, quoted and cited [2]


def test_a_counted_kinds_question_is_a_list_request(real_assistant):
    ans = real_assistant.ask("which two kinds of strengths does the definitions page describe?")
    assert not ans.abstained and "social and community networks" in ans.answer
    assert ans.answer.startswith("- ")


def test_what_else_apart_from_stays_in_the_document_in_hand(real_assistant):
    a = _talk(real_assistant, ["what does the glossary say about the quality of the relationship?",
                               "and what else matters apart from the relationship?"])
    defs = "strengths-based-approaches-definitions"
    assert a[0].citations[0].doc_id == defs and a[1].citations[0].doc_id == defs


def test_the_scie_blog_a_document_named_with_there_and_a_short_new_topic(real_assistant):
    a = _talk(real_assistant, ["what does the SCIE blog say about form filling?",  # its author works at SCIE
                               "who wrote it?",
                               "CYP page - what does co-production mean there?",  # "there": the page it names
                               "what's SCIE been doing with Bexley?"])  # short, but none of its words are the page's
    assert a[0].citations[0].doc_id == BLOG and "form filling" in a[0].answer
    assert a[1].citations[0].doc_id == BLOG and "Ewan King" in a[1].answer
    assert a[2].citations[0].doc_id == KIDS and "form" not in a[2].searched_query.lower()
    assert a[3].searched_query == "what's SCIE been doing with Bexley?"


def test_a_short_follow_up_whose_words_are_in_the_document_in_hand_is_folded(real_assistant):
    a = _talk(real_assistant, ["what does the care act say about family and friends giving support",
                               "does the adult need to agree?",
                               "who published that guidance"])
    assert all(x.citations[0].doc_id == CA for x in a)
    assert "family" in a[1].searched_query and "agreement of the adult" in a[1].answer
    assert "Social Care Institute for Excellence" in a[2].answer


def test_comparison_words_do_not_count_against_the_document_in_hand(real_retriever):
    from assistant.answer.extractive import _covers

    # the children's guidance speaks of adult social care; "comparison" only says how to read it
    assert _covers(real_retriever, KIDS, "and what's happening in adult social care by comparison?")
    assert _covers(real_retriever, KIDS, "is adult social care different?")
    assert not _covers(real_retriever, KIDS, "and what about Bexley by comparison?")


def test_what_he_says_in_his_own_document_is_chosen_without_his_name(real_assistant):
    from assistant.search.followup import asks_what_person_says

    assert asks_what_person_says("does he think it saves money?") and asks_what_person_says("what does she say")
    assert not asks_what_person_says("what's his job?") and not asks_what_person_says("where does he work?")
    a = _talk(real_assistant, ["what does Ewan King's blog say culture change needs?",
                               "does he think it saves money?"])
    assert a[1].citations[0].doc_id == BLOG and "reduce demand for high cost services" in a[1].answer, a[1].answer


def test_an_everyday_question_with_it_after_a_topic_is_searched_alone(real_assistant):
    a = _talk(real_assistant, ["What does the Care Act guidance say about carers?",
                               "is it going to rain in Leeds tomorrow?"])
    assert a[1].abstained and "carers" not in a[1].searched_query.lower()


def test_an_ordinal_picks_that_bullet_of_the_previous_list(real_assistant):
    a = _talk(real_assistant, ["list what an SBA to social care essentially does in the children's guidance, "
                               "as bullets",
                               "tell me more about the 2nd one"])
    bullets = re.findall(r"^\s*-\s+“(.+?)”", a[0].answer, re.M)
    assert len(bullets) >= 2, a[0].answer
    assert a[1].citations[0].doc_id == KIDS and bullets[1][:40] in a[1].answer, a[1].answer


def test_what_the_author_says_is_answered_from_the_document_in_hand(real_assistant):
    a = _talk(real_assistant, ["what is the GOV.UK blog doing in Bexley?",
                               "what does the author say about systemic practice"])
    assert a[1].citations[0].doc_id == BLOG and "was written by" not in a[1].answer, a[1].answer


def test_the_same_quote_in_another_document(real_assistant):
    a = _talk(real_assistant, ["in the strengths-based areas report, what does an approach to care, support and "
                               "inclusion look at first?",
                               "is that the same quote as in the kids guidance?"])
    assert "look first at what people can do" in a[0].answer, a[0].answer
    assert a[1].citations[0].doc_id == KIDS and "look first at what people can do" in a[1].answer, a[1].answer


def test_a_pronoun_inside_a_message_points_back_when_only_that_reading_is_answered(real_assistant):
    a = _talk(real_assistant, ["glossary defn of strengths-based approaches",
                               "is there something I should read it together with?"])
    assert not a[0].abstained and a[0].citations[0].doc_id == "strengths-based-approaches-definitions"  # "defn"
    assert a[1].citations and a[1].citations[0].doc_id == "strengths-based-approaches-definitions", a[1].answer
    assert "Regulations 2014" in a[1].answer


def test_what_they_are_doing_somewhere_is_answered_not_read_as_a_definition(real_assistant):
    a = _talk(real_assistant, ["which councils does Ewan King's blog mention?", "what are they doing in Surrey?"])
    assert a[1].citations and a[1].citations[0].doc_id == BLOG and "Surrey" in a[1].citations[0].quote, a[1].answer


def test_what_else_is_on_that_list_shows_the_list_the_last_answer_quoted_from(real_assistant):
    a = _talk(real_assistant, ["in the children's guidance, what is the new way of looking at people?",
                               "what else is on that list?"])
    assert "new way of looking at people" in a[0].answer
    bullets = re.findall(r"^\s*-\s+“(.+?)”", a[1].answer, re.M)
    assert len(bullets) >= 3 and all(c.doc_id == KIDS for c in a[1].citations), a[1].answer


def test_asking_whether_that_guide_is_updated_is_not_searched_with_the_question_before(real_assistant):
    a = _talk(real_assistant, ["are strengths and assets different things?", "does that guide get updated ever?"])
    assert a[0].citations[0].doc_id == "strengths-based-approaches-definitions"
    assert a[1].citations[0].doc_id == "strengths-based-approaches-definitions"
    assert "will be updated" in a[1].citations[0].quote, a[1].answer


def test_a_bare_kind_and_a_description_name_their_documents(real_assistant):
    a = _talk(real_assistant, ["how does the care act guidance describe strengths-based practice",
                               "what does the blog say about demand for high cost services",
                               "does the children's guide say anything about cost?"])
    assert a[1].citations and a[1].citations[0].doc_id == BLOG, a[1].answer  # the one blog of the library
    assert a[2].citations and a[2].citations[0].doc_id == KIDS, a[2].answer  # no document calls itself a "guide"


def test_back_to_a_document_after_an_off_topic_turn(real_assistant):
    a = _talk(real_assistant, ["does SBA still apply if the person is not eligible for care act support",
                               "is it going to snow in York this weekend?",
                               "back to that care act thing - whose agreement is needed for support from family"])
    assert a[1].abstained
    assert a[2].citations and a[2].citations[0].doc_id == CA and "agreement of the adult" in a[2].answer, a[2].answer
    assert "snow" not in a[2].searched_query


def test_who_said_a_quote_two_documents_share_is_answered_from_the_document_in_hand_with_its_byline(real_assistant):
    a = _talk(real_assistant, ["what does an SBA focus on for children and families",
                               "who said to look first at what people can do with their skills and resources"])
    assert a[1].citations[0].doc_id == KIDS and "Alex Fox, OBE, Chief Executive" in a[1].answer, a[1].answer
    a = _talk(real_assistant, ["in the kids guidance, who says people need to be experts in their own lives"])
    assert "Alex Fox, OBE, Chief Executive" in a[0].answer, a[0].answer  # the clause that asks comes second


def test_what_else_does_not_repeat_the_last_answer(real_assistant):
    a = _talk(real_assistant, ["what does an SBA focus on for children and families",
                               "what else does it say these approaches are about"])
    first = re.findall(r"“(.+?)”", a[0].answer)
    assert a[1].citations and a[1].citations[0].doc_id == KIDS
    assert not set(re.findall(r"“(.+?)”", a[1].answer)) & set(first), a[1].answer


def test_a_year_that_is_not_the_documents_own_asks_about_a_report_the_document_tells_of(real_assistant):
    a = _talk(real_assistant, ["what earlier studies does the strengths-based areas report follow on from?",
                               "when did the 2019 one come out and what was it called?"])
    assert a[1].citations and a[1].citations[0].doc_id == AREAS
    assert "2.0" in a[1].answer and "is the title of the document" not in a[1].answer, a[1].answer


def test_his_title_in_another_document_is_its_byline(real_assistant):
    a = _talk(real_assistant, ["who wrote the new report on strengths-based areas",
                               "he's quoted in the kids guidance as well isn't he - what's his title there?"])
    assert a[1].citations and a[1].citations[0].doc_id == KIDS
    assert "Alex Fox, OBE, Chief Executive" in a[1].answer, a[1].answer


def test_a_message_the_guidance_answers_better_alone_is_a_new_topic_whatever_its_opening(real_assistant):
    # "also what about …" reads like a follow-up, but folding the earlier question adds nothing the message needs
    a = _talk(real_assistant, ["What does the Care Act guidance say about support from family and friends?",
                               "also what about wellbeing",
                               "does the adult have to agree?"])
    assert a[1].citations and a[1].citations[0].doc_id == CA
    assert "family" not in a[1].searched_query.lower() and "friends" not in a[1].searched_query.lower()
    assert a[2].citations and a[2].citations[0].doc_id == CA  # a real follow-up still stays in the document


def test_shorthand_follow_ups_are_read_as_the_search_reads_them(real_assistant):
    # "n" for "and", "wot yr" for "what year": shorthand is neither words of the message's own nor a name
    a = _talk(real_assistant, ["what does the care act guidance say about relying on family and friends for support",
                               "n does the adult have to agree to it?"])
    assert a[1].citations and a[1].citations[0].doc_id == CA
    assert "agreement of the adult" in a[1].answer
    b = _talk(real_assistant, ["in the kids guidance what did the munro review emphasise", "wot yr"])
    assert b[1].citations and b[1].citations[0].doc_id == KIDS and "2011" in b[1].answer


def test_a_message_naming_another_document_with_words_of_its_own_and_no_pointer_back_is_a_new_topic(real_assistant):
    a = _talk(real_assistant, ["what does ewan king's blog say about form filling",
                               "also whats the glossary line on prevention",
                               "what did the kids guidance say about that"])
    assert "form" not in a[1].searched_query.lower() and a[1].citations[0].doc_id == DEFS
    assert "prevention" in a[1].answer.lower()
    assert "prevention" in a[2].searched_query.lower()  # "that" points back: folded, in the document it names


def test_a_telling_word_only_another_document_has_starts_a_new_topic(real_assistant):
    # "munro" is in the children's guidance only: after a Care Act question, "what about the munro review" is a
    # topic of its own, searched as typed; "and surrey?" after Bexley stays in the blog, which names both
    a = _talk(real_assistant, ["does the care act guidance say strengths help with needs that aren't eligible",
                               "what about the munro review then"])
    assert "eligible" not in a[1].searched_query.lower()
    assert a[1].citations and a[1].citations[0].doc_id == KIDS and "munro" in a[1].answer.lower()
    b = _talk(real_assistant, ["what is scie doing with bexley council", "and surrey?"])
    assert b[1].citations and b[1].citations[0].doc_id == BLOG and "surrey" in b[1].answer.lower()


def test_words_only_another_documents_title_has_start_a_new_topic_and_no_lead_in_stands_alone(real_assistant):
    # "under the care act": two words side by side that only the Care Act guide's details have; with a question of
    # its own that is a new topic after the children's guidance, searched as typed. A list's lead-in is never
    # quoted without its items, whatever the message's style ("also does…" reads as a search-box query).
    a = _talk(real_assistant, ["in the kids guidance what do SBAs put at the heart of social care",
                               "also can people have an ordinary life under the care act"])
    assert "heart" not in a[1].searched_query.lower()
    assert a[1].citations and a[1].citations[0].doc_id == CA and "ordinary" in a[1].answer
    for ans in a:
        lines = ans.answer.split("\n")
        for i, line in enumerate(lines):
            if re.search(r":” \[\d+\]$", line):  # a lead-in: the next line is one of its items
                assert i + 1 < len(lines) and lines[i + 1].startswith("- "), ans.answer


def test_questions_with_a_spelt_out_count_a_para_or_someones_role_are_answered(real_assistant):
    # "ten" is the guidance's "10"; "para" is shorthand for paragraph; "what is X's role at Y" asks who, not a term
    for question, gold in [("what happened to the original ten actions in 2019", "10 broad commitments"),
                           ("CA 2014 para 6.64 family and friends", "6.64"),
                           ("what is ewan kings role at scie", "Director of Business Development")]:
        a = real_assistant.ask(question, [])
        assert not a.abstained and gold in a.answer, (question, a.answer)


def test_a_case_note_then_its_question_is_answered_and_in_childrens_services_names_whom(real_assistant):
    a = real_assistant.ask("Duty worker here. Dad says every SW just filled in forms. the gov blog said social work "
                           "was bogged down in paperwork - does it say thats changing", [])
    assert not a.abstained and a.citations[0].doc_id == BLOG
    b = _talk(real_assistant, ["what did the 2017 asset based area paper describe",
                               "does it say anything about developing professional expertise in childrens services"])
    assert b[1].citations and b[1].citations[0].doc_id == KIDS and "professional expertise" in b[1].answer
