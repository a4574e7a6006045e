"""Deficit language: detection with exact offsets, reframes, and the open-question gate."""

from __future__ import annotations

import json

import pytest

from assistant.errors import InputError
from assistant.safety.language import (
    LEXICON,
    DeficitHit,
    Reframe,
    find_deficits,
    is_open_question,
    reframe,
)

NOTE = (
    "Visit 12/03. The service user is wheelchair-bound and suffers from MS. Staff describe her as "
    "non-compliant with her medication and say she refused to engage with the OT. Her daughter feels "
    "her mother is a burden on the family and cannot cope."
)


def test_lexicon_is_big_enough_and_every_row_is_complete():
    assert len(LEXICON) >= 40
    for entry in LEXICON:
        assert 1 <= len(entry.alternatives) <= 3
        assert entry.reason and entry.reason.endswith(".")
        assert entry.pattern.flags & 2  # re.IGNORECASE


def test_case_note_paragraph_exact_offsets():
    hits = find_deficits(NOTE)
    assert [(h.start, h.end, h.phrase) for h in hits] == [
        (13, 29, "The service user"),
        (33, 49, "wheelchair-bound"),
        (54, 66, "suffers from"),
        (93, 106, "non-compliant"),
        (139, 156, "refused to engage"),
        (203, 214, "a burden on"),
        (230, 241, "cannot cope"),
    ]
    for h in hits:
        assert NOTE[h.start:h.end] == h.phrase
        assert h.alternatives and h.reason


def test_reframe_replaces_each_phrase_with_its_first_alternative():
    result = reframe(NOTE)
    assert isinstance(result, Reframe)
    assert result.text == NOTE
    assert result.suggested == (
        "Visit 12/03. The person is a wheelchair user and lives with MS. Staff describe her as "
        "not following the plan with her medication and say she chose not to take part with the OT. "
        "Her daughter feels her mother is reliant on the family and could use more support right now."
    )
    assert len(result.hits) == 7


def test_a_burden_reads_naturally_once_reframed():
    assert reframe("She is a burden.").suggested == "She is reliant on support."
    assert reframe("He feels a burden to his son.").suggested == "He feels reliant on his son."
    assert reframe("The burden of caring is heavy.").suggested == "The pressure of caring is heavy."


def test_reframe_dumps_to_json():
    dumped = reframe("He is a frequent flyer.").model_dump(mode="json")
    text = json.dumps(dumped)
    assert '"phrase": "frequent flyer"' in text
    assert dumped["hits"][0]["start"] == 8 and dumped["hits"][0]["end"] == 22


@pytest.mark.parametrize("text,phrase,first", [
    ("She is suffering from depression.", "suffering from", "living with"),
    ("He suffered from a stroke in 2019.", "suffered from", "lived with"),
    ("She refuses her tablets.", "refuses", "declines"),
    ("Dementia sufferers often enjoy music.", "Dementia sufferers", "people living with dementia"),
    ("He is a stroke victim.", "stroke victim", "stroke survivor"),
    ("Service users said the day centre helped.", "Service users", "people who use services"),
    ("She is very attention-seeking at night.", "attention-seeking", "connection-seeking"),
    ("He lacks insight into his drinking.", "lacks insight into", "has a different view of"),
    ("Her mother is a diabetic.", "a diabetic", "a person with diabetes"),
    ("The placement breakdown was hard for him.", "placement breakdown", "placement ending"),
    ("Staff are feeding her at lunch.", "feeding her", "supporting her to eat"),
    ("He needs help with toileting.", "toileting", "using the toilet"),
    ("She was wandering at night.", "wandering", "walking about"),
    ("This is a hard to reach group.", "hard to reach", "seldom heard"),
    ("Services for the elderly are stretched.", "the elderly", "older people"),
    ("She is mentally ill.", "mentally ill", "living with a mental health condition"),
    ("He is a bed blocker on ward 4.", "bed blocker", "person waiting to leave hospital"),
    ("He is confined to a wheelchair.", "confined to a wheelchair", "using a wheelchair"),
    ("She is a high-functioning autistic woman.", "high-functioning autistic", "autistic"),
    ("They are a difficult family.", "difficult family", "family under pressure"),
    ("Mr B is manipulative with staff.", "manipulative", "trying to get their needs met"),
    ("He is resistant to care.", "resistant to", "cautious about"),
    ("She is unmotivated.", "unmotivated", "not yet motivated by the current plan"),
    ("Her son is handicapped.", "handicapped", "disabled"),
    ("He is an epileptic.", "an epileptic", "a person with epilepsy"),
    ("She is one of my cases.", "my cases", "the people I work with"),
    ("He is a complex case.", "complex case", "person with complex needs"),
    ("He lacks capacity.", "lacks capacity", "lacks capacity to make this decision"),
])
def test_lexicon_examples(text, phrase, first):
    hits = find_deficits(text)
    assert len(hits) == 1, hits
    assert hits[0].phrase == phrase
    assert hits[0].alternatives[0] == first


@pytest.mark.parametrize("text", [
    "The burden of proof is on the council.",
    "Case law is clear on this point.",
    "Bring a coat in case it rains.",
    "Under the Care Act the council must assess needs.",
    "She can cope with change when she has time to plan.",
    "A person who uses services chairs the board.",
    "The Safeguarding Vulnerable Groups Act 2006 sets the barring rules.",
    "She has treatment-resistant depression.",
    "He reads non-verbal communication well.",
    "She lacks capacity to decide where to live.",
    "He bought diabetic chocolate.",
    "The case study shows good practice.",
])
def test_ordinary_wording_is_not_flagged(text):
    assert find_deficits(text) == []


def test_hits_are_ordered_and_never_overlap():
    text = "Vulnerable adults and the vulnerable adult's family; vulnerable people."
    hits = find_deficits(text)
    assert [h.phrase for h in hits] == ["Vulnerable adults", "vulnerable adult", "vulnerable"]
    assert all(a.end <= b.start for a, b in zip(hits, hits[1:]))


def test_reframe_keeps_capitals_and_fixes_articles():
    assert reframe("Vulnerable adults need choice.").suggested == "Adults at risk need choice."
    assert reframe("She is a vulnerable adult.").suggested == "She is an adult at risk."
    assert reframe("He is an unmotivated man.").suggested == "He is a not yet motivated by the current plan man."
    assert reframe("An elderly man lives here.").suggested == "An older man lives here."


def test_reframe_with_nothing_to_change():
    result = reframe("Mo enjoys fishing with his brother.")
    assert result.hits == [] and result.suggested == result.text


@pytest.mark.parametrize("bad", ["", "   \n\t "])
def test_reframe_rejects_empty_text(bad):
    with pytest.raises(InputError, match="nothing to check"):
        reframe(bad)


def test_deficit_hit_is_a_plain_record():
    hit = DeficitHit(0, 4, "x", ["y"], "z")
    assert hit.to_dict() == {"start": 0, "end": 4, "phrase": "x", "alternatives": ["y"], "reason": "z"}


@pytest.mark.parametrize("q", [
    "What matters most to you about your home?",
    "You mentioned the choir — what do you enjoy about singing there?",
    "You mentioned the choir—who do you sit with?",
    "Thinking about your week: which day feels best?",
    "How would you like to be involved?",
    "Who could you call on if things got hard?",
    "Tell me about a good day. What made it good?",
    "When did you last feel really at ease?",
    "What — if anything — would make mornings easier?",
    "You mentioned the choir — and your sister — what do you enjoy about those evenings?",
    "So, what would help most this week?",
])
def test_open_questions(q):
    assert is_open_question(q)


@pytest.mark.parametrize("q", [
    "Do you like living here?",
    "Does your son visit?",
    "Is there anyone you trust?",
    "Could you tell me more?",
    "Would you like help with shopping?",
    "Have you thought about the day centre?",
    "You mentioned the choir — do you still go?",
    "Thinking about your week: are Mondays hard?",
    "Can't you ask your neighbour?",
    "Do you — or your son — drive?",
    "And is that okay with you?",
    "Am I right that Sundays are hard?",
    "Tell me about the choir.",
    "What matters most to you",
    "",
])
def test_closed_or_not_questions(q):
    assert not is_open_question(q)


def test_the_lexicon_is_a_data_file_and_a_broken_entry_is_named(tmp_path):
    from assistant.errors import SettingsError
    from assistant.safety.language import DATA, load_lexicon

    assert DATA.is_file() and len(load_lexicon(DATA)) == len(LEXICON)
    bad = tmp_path / "terms.yaml"
    bad.write_text("macros: {}\nreasons: {}\nentries:\n- {pattern: '\\bok\\b', use: fine, why: x}\n"
                   "- {pattern: '{{MISSING}} word', use: other, why: y}\n")
    with pytest.raises(SettingsError, match="entry 2"):
        load_lexicon(bad)
