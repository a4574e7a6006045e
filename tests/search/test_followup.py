"""Follow-ups: continuation or new topic, what is folded, and which document a reference points at."""

from __future__ import annotations

import pytest

from assistant.search.followup import (
    cited_documents,
    described_document,
    named_document,
    named_people,
    new_topic_opener,
    read_followup,
    refers_back,
)
from assistant.types import Document, Turn

DOCS = {
    "carers-guide": Document(doc_id="carers-guide", title="Supporting unpaid carers: a practice guide",
                             publisher="Carers Practice Network", author="Priya Shah",
                             aliases=["carers guide"],
                             text="A carer's assessment looks at the carer's own wellbeing. It is offered to any "
                                  "carer who appears to have needs for support."),
    "housing-note": Document(doc_id="housing-note", title="Housing and independent living",
                             publisher="Housing Options Trust",
                             text="Adaptations help people stay in their own homes for longer. Grants can pay "
                                  "for a stair lift or a level-access shower."),
}


def _history(*pairs):
    out = []
    for q, a in pairs:
        out += [Turn(role="user", content=q), Turn(role="assistant", content=a)]
    return out


@pytest.mark.parametrize("message", ["who wrote that guide?", "and for young carers?", "what about grants?",
                                     "rather than?", "does he say anything about respite?",
                                     "when was it published?", "and the older one?",
                                     "does the kids page cover it?", "what does the glossary say about it",
                                     "is that the same for carers?", "is it the same for kids",
                                     "what does it say there?", "when was that published"])
def test_messages_that_refer_back(message):
    assert refers_back(message)


@pytest.mark.parametrize("message", ["What do housing adaptations pay for in older people's homes?",
                                     "How should a carer's assessment consider wellbeing and employment?",
                                     "how should councils involve carers in their own support plans?",
                                     "how do LAs make sure people are at the centre of their assessment",
                                     "is there a definition of community assets",
                                     "does the care act guidance say that councils must consider strengths?",
                                     "is it ok to use family as support in a care plan",
                                     "DoLS - what does it stand for and who signs it off?",
                                     "hi all, quick q - the carers guide, what does it say about respite grants?",
                                     "Priya Shah, what is her job and where does she work?"])
def test_messages_that_stand_alone(message):
    assert not refers_back(message)


@pytest.mark.parametrize("message", ["ok thanks - what did he say about respite grants next?",
                                     "cheers, and what does it say about young carers?",
                                     "that guide, what does it say about housing grants?",
                                     "great, who funds them in the end?"])
def test_a_pronoun_after_an_acknowledgement_or_a_pointer_still_refers_back(message):
    # "TLAP - what is it?" says first what "it" is; "ok thanks - what did he…" and "that guide, …" do not
    assert refers_back(message)


def test_a_new_topic_is_not_folded_with_the_old_one():
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    for message in ("What do housing grants pay for when adapting homes?",
                    "separate question - what are stair lift grants?", "New q: who is the housing trust?"):
        fu = read_followup(message, h, DOCS)
        assert not fu.continues and "assessment" not in fu.query.lower(), (message, fu)
    assert read_followup("separate question - what are stair lift grants?", h, DOCS).query \
        == "what are stair lift grants?"


def test_a_topic_said_first_and_asked_about_by_pronoun_is_a_new_topic_and_an_acknowledgement_is_not():
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    fu = read_followup("housing grants, what do they pay for and who applies for them?", h, DOCS)
    assert not fu.continues and "assessment" not in fu.query.lower(), fu
    fu = read_followup("ok thanks - who is it offered to?", h, DOCS)
    assert fu.continues and "assessment" in fu.query.lower(), fu


def test_a_continuation_is_folded_and_points_at_the_previous_answers_document():
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    fu = read_followup("who wrote it?", h, DOCS)
    assert fu.continues and fu.refers_to_document and fu.doc_ids == ["carers-guide"]
    assert "assessment" in fu.query


def test_a_chain_of_short_follow_ups_keeps_its_topic():
    h = _history(("What can adaptation grants pay for?", "Grants can pay for a stair lift or a level-access "
                                                          "shower. [1]"),
                 ("and who offers them?", "Housing and independent living is published by Housing Options Trust."))
    fu = read_followup("and how long for?", h, DOCS)
    assert fu.continues and "grants" in fu.query.lower()


def test_the_document_is_read_from_the_quotes_when_the_turn_does_not_say():
    quoted = Turn(role="assistant", content="The housing note says: “Adaptations help people stay in their own "
                                            "homes for longer.” [1]")
    plain = Turn(role="assistant", content="It is offered to any carer who appears to have needs for support. [1]")
    told = Turn(role="assistant", content="Anything at all.", doc_ids=["housing-note", "nowhere"])
    assert cited_documents(quoted, DOCS) == ["housing-note"]
    assert cited_documents(plain, DOCS) == ["carers-guide"]
    assert cited_documents(told, DOCS) == ["housing-note"]  # unknown ids are dropped
    assert cited_documents(Turn(role="assistant", content="The guidance does not cover this."), DOCS) == []


def test_naming_another_document_starts_a_new_topic_unless_it_is_elliptical():
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    assert named_document("what does the carers guide say?", DOCS) == "carers-guide"
    fu = read_followup("what does the Housing Options Trust say it can pay for in people's homes?", h, DOCS)
    assert not fu.continues and fu.named == "housing-note"
    fu = read_followup("and in the Housing Options Trust note?", h, DOCS)
    assert fu.continues and fu.doc_ids == ["housing-note"]


def test_that_document_beats_a_persons_name():
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    fu = read_followup("who is Priya Shah in that guide?", h, DOCS)
    assert fu.continues and fu.doc_ids == ["carers-guide"] and fu.refers_to_document


def test_history_without_documents_still_folds_the_old_way():
    h = _history(("What does a carer's assessment look at?", "…"))
    assert read_followup("who offers it?", h).query.startswith("who offers it? What")


@pytest.mark.parametrize("message, rest", [
    ("diff q - what are stair lift grants?", "what are stair lift grants?"),
    ("completely separate: who offers grants?", "who offers grants?"),
    ("ok totally different - what is a carer's assessment?", "what is a carer's assessment?"),
    ("another thing: who is the housing trust?", "who is the housing trust?"),
])
def test_topic_switch_openers_are_taken_off_and_nothing_is_folded(message, rest):
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    fu = read_followup(message, h, DOCS)
    assert not fu.continues and fu.query == rest


@pytest.mark.parametrize("message", ["how is a carer's assessment different for young carers?",
                                     "different adaptations for older homes?", "the new report on grants?"])
def test_words_that_only_look_like_openers_stay(message):
    assert new_topic_opener(message) == message


def test_that_page_says_where_to_look_not_what_to_look_for():
    h = _history(("What can adaptation grants pay for?", "Grants can pay for a stair lift or a level-access "
                                                          "shower. [1]"))
    fu = read_followup("what does the level-access bit on that page say", h, DOCS)
    assert fu.continues and fu.doc_ids == ["housing-note"] and fu.refers_to_document
    assert "page" not in fu.own and "page" not in fu.query and "level-access" in fu.query


def test_a_bare_pronoun_with_words_of_its_own_is_left_for_retrieval_to_settle():
    h = _history(("What can adaptation grants pay for?", "Grants can pay for a stair lift or a level-access "
                                                          "shower. [1]"))
    assert read_followup("what do carers bring that is key to their own wellbeing", h, DOCS).weak
    for message in ("who wrote it?", "does he say anything about showers?", "and for young carers?",
                    "what does that note say about showers?"):
        assert not read_followup(message, h, DOCS).weak, message


def test_a_document_named_by_description():
    docs = {**DOCS, "kids-guide": Document(doc_id="kids-guide", title="Support for children and families",
                                            publisher="Family Practice Network", doc_type="guidance",
                                            audience=["children-families"], text="Families know their children.")}
    docs["carers-guide"] = docs["carers-guide"].model_copy(update={"doc_type": "guidance"})
    docs["housing-note"] = docs["housing-note"].model_copy(update={"doc_type": "blog"})
    assert described_document("in the children guidance, what helps?", docs) == "kids-guide"
    assert described_document("what does the housing blog say about grants?", docs) == "housing-note"
    assert described_document("what does the blog say about grants?", docs) == ""  # the one in hand, if any
    assert described_document("in the guidance what helps?", docs) == ""  # two are guidance: neither is named
    assert described_document("what does that guidance say?", docs) == ""  # a pointer, not a description
    near = lambda word, words: 0.9 if word == "kids" and "children" in words else 0.0  # noqa: E731 (a stand-in)
    assert described_document("what does the kids one say about families?", docs) == ""
    assert described_document("what does the kids one say about families?", docs, near) == "kids-guide"
    assert named_document("in the kids guidance what is Priya Shah's role?", docs, near) == "kids-guide"


def test_the_people_an_answer_names():
    answer = ("Supporting unpaid carers: a practice guide (Carers Practice Network) says: “The guide was written "
              "by Priya Shah with the London Borough of Camden.” [1]")
    guide = DOCS["carers-guide"].model_copy(update={"text": DOCS["carers-guide"].text + " The guide was written "
                                                    "by Priya Shah with the London Borough of Camden."})
    docs = {**DOCS, "carers-guide": guide}
    assert named_people(answer, [guide], docs) == ["Priya Shah"]  # not the borough
    h = _history(("who wrote the carers guide?", answer))
    fu = read_followup("where does she work?", h, docs)
    assert fu.continues and fu.people == ["Priya Shah"]


def test_after_an_abstention_it_is_the_document_the_question_named():
    h = _history(("what does the Housing Options Trust say about ramps?", "The guidance in the library does not "
                                                                          "cover this question."))
    fu = read_followup("who publishes it?", h, DOCS)
    assert fu.continues and fu.doc_ids == ["housing-note"]


def test_a_sentence_two_documents_share_belongs_to_the_one_the_answer_names():
    shared = "People need to be seen as more than their care needs and as experts in their own lives."
    docs = {"a-report": Document(doc_id="a-report", title="A report on areas", text=f"Intro. {shared}"),
            "b-guide": Document(doc_id="b-guide", title="A guide for families", text=f"{shared} More."),
            }
    turn = Turn(role="assistant", content=f"A report on areas says: “{shared}” [1]")
    assert cited_documents(turn, docs) == ["a-report"]
    turn = Turn(role="assistant", content=f"A guide for families says: “{shared}” [1]")
    assert cited_documents(turn, docs) == ["b-guide"]


def test_a_document_named_by_initials_or_by_words_side_by_side():
    docs = {"kids": Document(doc_id="kids", title="Social care for children, young people and families",
                             text="Families know their children. The SBA way of working helps."),
            "act": Document(doc_id="act", title="Strengths-based approaches: Care Act guidance",
                            text="The SBA way of working is set out. The care act applies."),
            "areas": Document(doc_id="areas", title="What next for areas", publisher="Think Local Act Personal for Social Care",
                              text="The care areas and the SBA way of working."),
            "defs": Document(doc_id="defs", title="Strengths-based approaches: definitions",
                             text="Definitions of the SBA way of working.")}
    assert described_document("does the cyp page say the same thing?", docs) == "kids"  # children, young people
    assert described_document("does the care act page say so?", docs) == "act"  # not Think Local *Act*'s *care*
    # "SBA" is written in every document: it says nothing about which one ("definitions" still does)
    assert described_document("does the SBA definitions page link to anything?", docs) == "defs"
    assert described_document("what does the SBA guidance say about families?", docs) == ""


def test_say_the_same_searches_what_the_last_answer_led_with_in_the_named_document():
    h = _history(("do adaptations help people stay at home?",
                  "Housing and independent living (Housing Options Trust) says: “Adaptations help people stay in "
                  "their own homes for longer.” [1]"))
    fu = read_followup("does the carers guide say the same thing?", h, DOCS)
    assert fu.doc_ids == ["carers-guide"] and "stay in their own homes" in fu.query
    assert "stay in their own homes" not in read_followup("does the carers guide mention respite?", h, DOCS).query


def test_he_in_a_message_naming_another_document_is_the_person_named_before():
    answer = ("Supporting unpaid carers: a practice guide (Carers Practice Network) says: “The guide was written "
              "by Priya Shah with the London Borough of Camden.” [1]")
    guide = DOCS["carers-guide"].model_copy(update={"text": DOCS["carers-guide"].text + " The guide was written "
                                                    "by Priya Shah with the London Borough of Camden."})
    docs = {**DOCS, "carers-guide": guide}
    fu = read_followup("is she quoted in the housing and independent living note too? what is her role there",
                       _history(("who wrote the carers guide?", answer)), docs)
    assert fu.named == "housing-note" and not fu.continues and fu.people == ["Priya Shah"]


def test_what_else_apart_from_asks_about_what_follows():
    from assistant.search.followup import own_terms

    assert own_terms("and what else matters apart from the relationship?") == ["relationship"]


def test_an_authors_organisation_describes_the_document():
    docs = {"blog": Document(doc_id="blog", title="Looking after carers at home", publisher="Council news blog",
                             author="Sam Okafor", doc_type="blog",
                             text="Carers need breaks, says Sam Okafor, Head of Practice at the National Carers "
                                  "Institute for Wellbeing. Respite helps."),
            "guide": Document(doc_id="guide", title="Carers: a practice guide",
                              publisher="National Carers Institute for Wellbeing (NCIW)", doc_type="guidance",
                              text="An assessment looks at the carer's wellbeing."),
            "report": Document(doc_id="report", title="Areas report", author="Jo Reid", doc_type="report",
                               text="Written by Jo Reid, OBE, Chief Executive, Home Share Trust.")}
    from assistant.search.followup import author_organisation

    assert author_organisation(docs["blog"]) == "National Carers Institute for Wellbeing"
    assert author_organisation(docs["report"]) == "Home Share Trust"
    assert author_organisation(docs["guide"]) == ""  # no author: nothing to read
    # the blog is not published by the institute, but its author works there: "the NCIW blog" is that blog
    assert described_document("what does the NCIW blog say about breaks?", docs) == "blog"
    assert described_document("in the national carers institute blog, what helps?", docs) == "blog"
    assert described_document("what does the home share trust report say?", docs) == "report"
    assert described_document("what does the NCIW guidance say?", docs) == "guide"  # its publisher, as before


def test_there_in_a_message_naming_another_document_is_that_document():
    docs = {**DOCS, "kids-guide": Document(doc_id="kids-guide", title="Support for children and families",
                                            publisher="Family Practice Network", doc_type="guidance",
                                            aliases=["Family Network guidance"], audience=["children-families"],
                                            text="Families know their children. Co-production means working "
                                                 "together.")}
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    near = lambda word, words: 0.9 if word == "kids" and "children" in words else 0.0  # noqa: E731 (a stand-in)
    for message in ("kids page - whats co-production there?", "children guidance - co-production there?",
                    "what does the Family Network guide say there about co-production?"):
        fu = read_followup(message, h, docs, similar=near)
        assert not fu.continues and fu.named == "kids-guide" and "assessment" not in fu.query, (message, fu)
    # no word besides the name, an ellipsis, or the document in hand: still a continuation
    for message in ("what does the kids page say there", "and in the kids page there?"):
        assert read_followup(message, h, docs, similar=near).continues, message
    fu = read_followup("what does the carers guide say there about respite?", h, docs, similar=near)
    assert fu.continues and fu.doc_ids == ["carers-guide"]
    # "is there anything in…": an existential there, the message stands alone whatever it names
    assert not read_followup("is there anything in the kids page on co-production?", h, docs, similar=near).continues


def test_a_message_that_continues_only_for_being_short_is_marked_for_retrieval_to_settle():
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    fu = read_followup("what about stair lifts grants?", h, DOCS)
    assert fu.continues and not fu.short  # an ellipsis refers back whatever its length
    fu = read_followup("lift grants?", h, DOCS)
    assert fu.continues and fu.short
    for message in ("who wrote it?", "is that free?"):
        assert not read_followup(message, h, DOCS).short, message


def test_the_acknowledgement_words_are_data_that_users_extend(tmp_path, monkeypatch):
    from assistant.search import followup

    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    assert not read_followup("smashing - what does it pay for and who applies for it?", h, DOCS).continues  # a topic said first
    extended = tmp_path / "acknowledge.yaml"
    extended.write_text("words: [ok, thanks, smashing]\n", encoding="utf-8")
    monkeypatch.setattr(followup, "ACKNOWLEDGE", extended)
    fu = read_followup("smashing - what does it pay for and who applies for it?", h, DOCS)
    assert fu.continues and "assessment" in fu.query.lower(), fu


@pytest.mark.parametrize("text", ["words: []\n", "words: [ok, no]\n", "words: [ok, 'two words']\n", "[ok]\n",
                                  "words: [ok\n"])
def test_a_broken_acknowledgement_list_is_refused_naming_the_file(tmp_path, text):
    from assistant.errors import InputError
    from assistant.search.followup import load_acknowledgements

    bad = tmp_path / "acknowledge.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="acknowledge.yaml"):
        load_acknowledgements(bad)


AUDIENCE_DOCS = {
    "adult-guide": Document(doc_id="adult-guide", title="Assessing adults", audience=["adults", "carers"],
                            text="An assessment looks at the adult's own strengths and wellbeing."),
    "young-guide": Document(doc_id="young-guide", title="Working with young people", audience=["children-families"],
                            text="An assessment looks at what children and families bring."),
    "area-paper": Document(doc_id="area-paper", title="Places that work", audience=["community", "adults"],
                           text="Areas build on what their communities have."),
}


def test_a_continuation_asking_for_whom_the_document_in_hand_is_not_written_moves_to_the_one_that_is():
    from assistant.search.followup import audience_document

    h = _history(("what does an assessment look at?", "An assessment looks at the adult's own strengths and "
                                                      "wellbeing. [1]"))
    fu = read_followup("is it the same for children and families?", h, AUDIENCE_DOCS)
    assert fu.continues and fu.doc_ids == ["young-guide"] and "assessment" in fu.query, fu
    assert audience_document("and for kids?", AUDIENCE_DOCS, "adult-guide",
                             similar=lambda w, ws: 0.9 if w == "kids" and "children" in ws else 0.0) == "young-guide"
    assert audience_document("and for carers?", AUDIENCE_DOCS, "adult-guide") == ""  # the one in hand is for them
    assert audience_document("and for adults?", AUDIENCE_DOCS, "young-guide") == ""  # two others are: say none
    # whom it asks about, not a subject or what it relies on
    assert audience_document("what do children bring that is key?", AUDIENCE_DOCS, "adult-guide") == ""
    assert audience_document("what about relying on family?", AUDIENCE_DOCS, "adult-guide") == ""
    assert read_followup("does the adult need to agree?", h, AUDIENCE_DOCS).doc_ids == ["adult-guide"]


def test_a_short_message_naming_its_own_topic_is_a_new_topic_even_in_the_document_in_hand():
    h = _history(("What does a carer's assessment look at?", "A carer's assessment looks at the carer's own "
                                                            "wellbeing. [1]"))
    from assistant.search.followup import names_own_topic
    from assistant.search.rarity import rarity

    for message in ("who is Priya Shah?", "what's Kensworth doing on carers"):  # names English does not list
        assert read_followup(message, h, DOCS).short and names_own_topic(message, DOCS, rarity), message
    for message in ("who's accountable?", "is Priya Shah the same?", "and Priya Shah?", "when was it published?"):
        assert not names_own_topic(message, DOCS, rarity), message  # everyday words, beside the last, or pointing


def test_an_ordinal_picks_that_item_of_the_list_the_previous_answer_showed():
    answer = ("Supporting unpaid carers: a practice guide (Carers Practice Network) says: “A carer's assessment looks "
              "at:” [1]\n- “the carer's own wellbeing” [2]\n- “who appears to have needs for support” [3]")
    h = _history(("what does a carer's assessment look at? bullets", answer))
    fu = read_followup("expand on the 2nd one", h, DOCS)
    assert fu.continues and fu.doc_ids == ["carers-guide"] and fu.refers_to_document
    assert "needs for support" in fu.query and "wellbeing" not in fu.query and "2nd" not in fu.query
    assert "wellbeing" in read_followup("and the first?", h, DOCS).query
    # no list before, or a list too short: as before (not an item)
    assert read_followup("expand on the 5th one", h, DOCS).query.startswith("expand on the 5th one")
    plain = _history(("what does a carer's assessment look at?", "It looks at “the carer's own wellbeing”. [1]"))
    assert "second one" in read_followup("and the second one?", plain, DOCS).query


def test_the_author_is_the_person_of_the_document_in_hand():
    from assistant.search.followup import asks_what_person_says, wants_person

    h = _history(("what is a carer's assessment?", "Supporting unpaid carers: a practice guide (Carers Practice "
                                                  "Network) says: “A carer's assessment looks at the carer's own "
                                                  "wellbeing.” [1]"))
    fu = read_followup("what does the author say about grants for housing adaptations", h, DOCS)
    assert fu.continues and fu.doc_ids == ["carers-guide"] and fu.refers_to_document
    assert wants_person("what does the author say about grants") and asks_what_person_says("what does the author say")
    assert not wants_person("what does the guide say about grants")


def test_something_similar_in_another_document_is_searched_with_what_the_last_answer_said_there():
    answer = ("Housing and independent living (Housing Options Trust) says: “Grants can pay for a stair lift.” [1] "
              "“A carer’s assessment looks at the carer’s own wellbeing.” [2]")
    h = _history(("do grants pay for stair lifts?", answer))
    fu = read_followup("does the carers guide say something similar?", h, DOCS)
    # the quote the named document also holds (its apostrophes straight, the answer's curly), in that document
    assert fu.continues and fu.doc_ids == ["carers-guide"] and "own wellbeing" in fu.query
    assert "stair lift" not in fu.query
    fu = read_followup("is that the same quote as in the carers guide?", h, DOCS)
    assert fu.doc_ids == ["carers-guide"] and "own wellbeing" in fu.query


def test_a_full_question_for_another_audience_opening_with_and_is_a_new_topic():
    h = _history(("what does an assessment look at?", "An assessment looks at the adult's own strengths and "
                                                      "wellbeing. [1]"))
    fu = read_followup("and what does the family court review have to do with assessments for children?", h,
                       AUDIENCE_DOCS)
    assert not fu.continues and fu.named == "young-guide" and fu.query.startswith("and what does the family")
    assert read_followup("and for children?", h, AUDIENCE_DOCS).continues  # nothing of its own: still the topic


def test_a_pronoun_after_words_of_the_messages_own_may_still_point_back():
    from assistant.search.followup import inner_pronoun

    h = _history(("what is a carer's assessment?", "Supporting unpaid carers: a practice guide (Carers Practice "
                                                  "Network) says: “A carer's assessment looks at the carer's own "
                                                  "wellbeing.” [1]"))
    fu = read_followup("anything I'm meant to read it alongside?", h, DOCS)
    assert not fu.continues and fu.query == "anything I'm meant to read it alongside?"  # a new topic, unless…
    assert fu.maybe is not None and fu.maybe.continues and fu.maybe.doc_ids == ["carers-guide"]  # …only this answers
    assert inner_pronoun("how should councils involve carers in their own plans?")
    assert not inner_pronoun("when was it published?") and not inner_pronoun("who published the carers guide?")
    assert read_followup("how should councils involve carers in their own plans?", [], DOCS).maybe is None


def test_a_message_naming_only_the_document_in_hand_refers_to_nothing_else():
    from assistant.search.followup import names_document_only

    assert names_document_only("does that guide get updated ever?")
    assert names_document_only("whats the prevention bit on that page say")
    assert not names_document_only("what does that report say about it?")  # "it": the earlier topic
    assert not names_document_only("and that report?") and not names_document_only("when was it updated?")


def test_a_bare_kind_names_the_one_document_of_that_kind_to_start_a_topic():
    from assistant.search.followup import kind_document

    docs = {**DOCS, "news": Document(doc_id="news", title="Council news", doc_type="blog", text="Grants rise.")}
    docs["carers-guide"] = docs["carers-guide"].model_copy(update={"doc_type": "guidance"})
    docs["housing-note"] = docs["housing-note"].model_copy(update={"doc_type": "guidance"})
    assert kind_document("what does the blog say about grants?", docs) == "news"
    assert kind_document("what does the guidance say about grants?", docs) == ""  # two are guidance
    assert kind_document("what does a blog say about grants?", docs) == ""  # not "the" blog
    assert kind_document("what does the page say about grants?", docs) == ""  # a generic noun names no kind
    assert read_followup("what does the blog say about grants?", [], docs).named == "news"
    h = _history(("what does the carers guide say about respite?", "A carer's assessment looks at the carer's own "
                                                                    "wellbeing. [1]"))
    assert read_followup("separate q - what does the blog say about grants?", h, docs).named == "news"
    assert read_followup("what does that blog say about grants?", [], docs).named == ""  # a pointer


def test_a_description_names_a_document_whose_details_lack_the_noun():
    docs = {**DOCS, "kids-guide": Document(doc_id="kids-guide", title="Support for children and families",
                                            doc_type="guidance", audience=["children-families"], text="Families.")}
    # no document calls itself a "guide" ("guidance" is not "guide"), but only one is for children
    assert described_document("does the children's guide say the same?", docs) == "kids-guide"
    assert described_document("back to that housing thing - what pays for a shower?", docs) == "housing-note"
    assert described_document("what's the key thing about grants?", docs) == ""  # "key" describes no document


def test_the_document_the_previous_question_named_in_passing_comes_first():
    from assistant.search.followup import previous_documents

    docs = {"act": Document(doc_id="act", title="Strengths-based approaches: Care Act guidance", text="Eligible or not."),
            "blog": Document(doc_id="blog", title="Strengths in social care", text="Good news for social care.")}
    answer = "Strengths in social care says: “Good news for social care.” [1] “Eligible or not.” [2]"
    h = _history(("does it apply if the person is not eligible for care act support?", answer))
    assert previous_documents(h, docs) == ["act", "blog"]
    h = _history(("does it apply if the person is not eligible for support?", answer))
    assert previous_documents(h, docs) == ["blog", "act"]  # named by none: the order it was quoted in


def test_a_person_the_answer_introduces_comes_before_an_organisation_the_document_goes_by():
    doc = Document(doc_id="areas", title="A report on areas", aliases=["Hope Trust", "Sam Reed"],
                   text="Hope Trust and others launch a report written by Sam Reed. Sam Reed, Chief Executive, Hope Trust")
    answer = "A report on areas says: “Written by Sam Reed.” [1] “Sam Reed, Chief Executive, Hope Trust” [2]"
    assert named_people(answer, [doc], {"areas": doc})[0] == "Sam Reed"
    byline = "A report on areas says: “Sam Reed, OBE, Chief Executive, Hope Trust” [1]"
    assert named_people(byline, [doc], {"areas": doc}) == ["Sam Reed"]  # the titles after the name are not people


def test_the_equivalent_for_someone_refers_back_to_the_document_written_for_them():
    from assistant.search.followup import audience_document

    assert refers_back("whats the children's equivalent - what do they believe families have")
    assert audience_document("whats the children's equivalent?", AUDIENCE_DOCS, "adult-guide") == "young-guide"
    assert audience_document("whats the carers' version?", AUDIENCE_DOCS, "adult-guide") == ""  # in hand is theirs
    h = _history(("what does an assessment look at?", "An assessment looks at the adult's own strengths and "
                                                      "wellbeing. [1]"))
    fu = read_followup("whats the children's equivalent - what do they believe families have", h, AUDIENCE_DOCS)
    assert fu.continues and fu.doc_ids == ["young-guide"], fu
    assert "equivalent" not in fu.own and "believe families have" in fu.own  # where to look, not what to find
    fu = read_followup("whats the children's equivalent - what do they believe families bring to meetings", h,
                       AUDIENCE_DOCS)
    assert fu.named == "young-guide" and "equivalent" not in fu.query + fu.own, fu  # a question of its own, of it


def test_asking_for_more_leaves_out_what_the_last_answer_quoted():
    from assistant.answer.extractive import not_said_before
    from assistant.answer.sentences import Sentence
    from assistant.search.followup import asks_for_more
    from assistant.types import Passage

    p = Passage(chunk_id="c", doc_id="d", title="T", text="x", rank=1, score=1.0, start=0, end=1)
    said, new = (Sentence(p, 0, 1, t, 1.0, set()) for t in ("Families know their own children best.",
                                                            "Co-production means working in equal partnership."))
    h = _history(("what do families know?", "T says: “Families know their own children best.” [1]"))
    assert asks_for_more("what else does it say these approaches are about") and not asks_for_more("who wrote it")
    assert asks_for_more("any other examples?") and asks_for_more("anything else on respite")
    assert not asks_for_more("tell me more about the 2nd one")  # expands on what it said
    assert not asks_for_more("who else was involved") and not asks_for_more("and support from where else?")
    assert not_said_before([said, new], h) == [new]
    assert not_said_before([said], h) == [said]  # nothing else: unchanged


def test_going_back_to_a_named_document_skips_an_unanswered_off_topic_turn():
    h = _history(("what does a carer's assessment look at?", "Supporting unpaid carers: a practice guide says: "
                                                             "“A carer's assessment looks at the carer's own wellbeing.” [1]"),
                 ("will it rain in Leeds tomorrow?", "The guidance in the library does not cover this question."))
    fu = read_followup("back to that carers guide thing - who is it offered to", h, DOCS)
    assert fu.continues and fu.doc_ids == ["carers-guide"], fu
    assert "rain" not in fu.query and "assessment" in fu.query, fu.query
    fu = read_followup("and tomorrow?", h, DOCS)  # names no document: it follows the last question, as asked
    assert "rain" in fu.query, fu.query


def test_a_run_of_words_only_one_documents_details_have_names_it():
    from assistant.search.naming import run_document

    docs = {"act": Document(doc_id="act", title="Strengths-based approaches: Care Act guidance", text="x"),
            "kids": Document(doc_id="kids", title="Strengths-based social care for children", text="x"),
            "blog": Document(doc_id="blog", title="Looking for strengths in social care", text="x")}
    assert run_document("can people lead an ordinary life under the care act", docs) == "act"
    assert run_document("what is strengths based social care for children", docs) == "kids"
    assert run_document("what does social care mean", docs) == ""  # two documents have "social care"
    assert run_document("hello there", docs) == ""


def test_a_named_run_with_a_question_of_its_own_is_a_new_topic_searched_as_typed():
    docs = {"act": Document(doc_id="act", title="Strengths-based approaches: Care Act guidance", text="x"),
            "kids": Document(doc_id="kids", title="Strengths-based social care for children", text="x")}
    history = [Turn(role="user", content="what do SBAs put at the heart of social care for children"),
               Turn(role="assistant", content="Strengths-based social care for children says: “…” [1]")]
    fu = read_followup("also can people have an ordinary life under the care act", history, docs)
    assert not fu.continues and fu.query == "also can people have an ordinary life under the care act"
