"""Interests found by meaning (assistant/prompts/interests.py), with the real bundled sentence model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from assistant.prompts import interests
from assistant.prompts.details import extract_details
from assistant.prompts.generate import generate
from assistant.prompts.library import LibraryError

REPO = Path(__file__).resolve().parents[2]


def test_phrases_framed_as_someones_are_the_candidates_each_read_once():
    note = "Jasmine is doing well at her café job and practising her Urdu; she was at judo on Monday."
    found = [c.text for c in interests.candidates(note)]
    assert "her café job" in found and "practising her Urdu" in found and "judo" in found
    assert found.count("her café job") == 1  # "at her café job" and "her café job" are one phrase


def test_the_bank_tells_pastimes_from_errands_body_parts_and_services():
    bank = interests.bank()
    assert bank is not None
    yes = bank.margin(["judo", "chess trophies", "practising Urdu", "the WI", "making pierogi"])
    no = bank.margin(["phone", "the bath", "bank card", "the GP", "arms"])
    assert min(yes) > max(no)


def test_a_note_names_interests_the_lexicon_has_never_heard_of():
    note = ("PCSO welfare check on Mr Stefan Novak after his daughter couldn't reach him: he'd dropped his phone in "
            "the bath, and was well, making pierogi and keen to show me his chess trophies.")
    found = [x.lower() for x in extract_details(note)["interests"]]
    assert any("chess" in x for x in found) and any("pierogi" in x for x in found)
    assert not any("phone" in x or "bath" in x for x in found)


def test_another_persons_interest_found_by_meaning_stays_theirs():
    note = "Mrs Patel, 79, enjoys her crosswords. Her husband is doing well at his judo club."
    assert not any("judo" in x for x in extract_details(note)["interests"])


def test_a_community_note_about_one_person_is_a_conversation_with_that_person():
    one = generate("Welfare check on Mr Stefan Novak (78): well, making pierogi and keen to show me his chess "
                   "trophies. His daughter rings from Kraków.", setting="community")
    assert any("chess" in p.text.lower() or "pierogi" in p.text.lower() or "daughter" in p.text.lower()
               for p in one.prompts)
    estate = generate("Residents on the Hartley estate run a litter pick and the families there share a "
                      "WhatsApp group; the community centre opens on Saturdays.", setting="community")
    assert all("your daughter" not in p.text.lower() for p in estate.prompts)


def test_a_broken_interest_bank_says_what_is_wrong(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus" / "prompts", root / "prompts")
    (root / "prompts" / "interest_bank.yaml").write_text(yaml.safe_dump({"interests": ["judo"]}), encoding="utf-8")
    with pytest.raises(LibraryError, match="interests and not_interests"):
        interests._read(root / "prompts" / "interest_bank.yaml")
    (root / "prompts" / "interest_bank.yaml").write_text("interests: [judo\n", encoding="utf-8")
    with pytest.raises(LibraryError, match="malformed"):
        interests._read(root / "prompts" / "interest_bank.yaml")


def test_a_service_or_record_is_never_taken_for_an_interest():
    note = ("Deborah, 55, has started seeing a counsellor and finds the sessions helpful. She loves walking her dog "
            "on the beach. Her blood results are in the red book.")
    found = [x.lower() for x in extract_details(note)["interests"]]
    assert not any("counsellor" in x or "red book" in x for x in found)
    assert any("walking" in x for x in found)


def test_a_young_persons_parents_do_not_make_it_a_conversation_with_a_parent():
    ps = generate("Niamh, 17, goes on school climate marches with her friends. Her parents support her. She also "
                  "plays the fiddle in a ceilidh band.", setting="children-families")
    assert not any("your children" in p.text.lower() for p in ps.prompts)
    assert any("fiddle" in p.text.lower() or "ceilidh" in p.text.lower() for p in ps.prompts)


@pytest.mark.parametrize("note, theirs, ours", [
    ("Mrs Patel (80) enjoys her crosswords. She sometimes sits in on her husband's bowls club.", "bowls", "crosswords"),
    ("Tom, 15, plays the drums. Mum's pottery class is on Tuesdays so he stays with Nan.", "pottery", "drums"),
    ("Jayden (9) loves Lego and swimming. He goes along to his dad's darts league on Fridays.", "darts", "lego"),
    ("Kayla (16) likes drawing. Her boyfriend's football club has been taking up her time.", "football", "drawing"),
])
def test_an_interest_owned_in_so_many_words_is_the_owners(note, theirs, ours):
    found = " ".join(t.lower() for ts in extract_details(note).values() for t in ts)
    assert theirs not in found and ours in found, found


@pytest.mark.parametrize("note, person", [
    # Written for this test: none is from an evaluation set.
    ("Parent carer review: Mr Dara Quinn, dad to Niall (7, autism). Dara has gone back to his climbing wall.", "Dara"),
    ("Lena, mum and carer for Kit (10). Lena has joined a book group on Wednesdays.", "Lena"),
    ("Annual review. Mrs Adeyemi - retired teacher, sings in the gospel choir. Granddaughter Tola (8) visits.", "Adeyemi"),
    ("HV to Mr P. Keen on his greenhouse tomatoes. Son Gavin (40) rings weekly.", "P"),
    ("Knit group at St Anne's: Hilda is the one who bakes for the raffle.", "Hilda"),
    ("Carer's assessment for Glenys, who cares for her husband Alun. Glenys misses her Welsh choir.", "Glenys"),
    ("Drop-in: Mo (carer for his dad) - keen runner, not been out in weeks.", "Mo"),
    ("Ward round: Mrs Ito in bay 4 is cheerful. Reads poetry and paints.", "Ito"),
    ("Home visit: Kai (15) lives with his gran. Kai loves skateboarding.", "Kai"),
    ("Mum Sarah says her son Leo (8) loves dinosaurs and his swimming lessons.", "Leo"),
    ("Men's Shed on Thursdays is his lifeline since he was widowed. Ivor has kept driving.", "Ivor"),
    ("Women's Institute keeps her busy; lives alone since her husband died. Brenda enjoys baking.", "Brenda"),
])
def test_the_notes_person_is_read_from_its_structure(note, person):
    from assistant.prompts.details import _main_person
    assert _main_person(note) == person


def test_a_carers_own_pastime_is_theirs_when_the_cared_for_child_is_given_an_age():
    found = extract_details("Parent carer review: Mr Dara Quinn, dad to Niall (7, autism). Dara has started "
                            "bouldering again and his wife Sinead's doing an art course.")
    text = " ".join(found["interests"]).lower()
    assert "bouldering" in text and "art course" not in text, found


def test_a_contracted_is_is_not_an_owner_and_bare_going_is_not_a_pastime():
    found = extract_details("Zak (12) sprained his ankle at football. He's still playing chess every night.")
    assert any("chess" in t for t in found["interests"]), found
    found = extract_details("Mrs Ruiz (88) likes going through her post with her son. She is into crosswords.")
    assert "going" not in found["interests"] and "crosswords" in found["interests"], found


def test_the_service_a_note_is_headed_with_comes_after_the_persons_own_choices():
    ps = generate("Young carers group: Priya (13) helps her dad with his medicines. Comes to group every week. "
                  "Wants more time for her drama club.", setting="carers")
    texts = " ".join(p.text.lower() for p in ps.prompts)
    assert "drama club" in texts, texts


def test_the_persons_own_possessive_keeps_the_detail_theirs():
    found = extract_details("Doreen Hale (79) was potting geraniums. Doreen's garden looks great.")
    assert any("garden" in t for t in found["places"]), found
    found = extract_details("Mr Okafor (81) showed me his pigeons. Mr Okafor's allotment is thriving.")
    assert any("allotment" in t for t in found["places"]), found


def test_activities_a_note_names_with_a_plain_verb_are_interests_and_mates_are_people():
    found = extract_details("Ellen (80) needs help with the shopping. She plays the piano at church and supports Arsenal.")
    assert "the piano" in found["interests"] and any("Arsenal" in t for t in found["interests"]), found
    found = extract_details("Phil (58) declined personal care. Off to watch Rovers with his mate Dave at the weekend.")
    assert any("Rovers" in t for t in found["interests"]) and "his mate" in found["people"], found


@pytest.mark.parametrize("bad", ["frame_verbs: 5\n", "frame_verbs: [plays, 3]\n", "frame_verbs: plays\n"])
def test_a_broken_frame_verbs_list_is_refused_naming_the_file(tmp_path, bad):
    from assistant.prompts.details import _lexicon_cached

    root = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus" / "prompts", root / "prompts")
    lexicon = root / "prompts" / "details.yaml"
    text = lexicon.read_text(encoding="utf-8")
    start = text.index("frame_verbs:")
    end = text.index("]", start) + 1
    lexicon.write_text(text[:start] + bad + text[end:], encoding="utf-8")
    with pytest.raises(LibraryError, match="details.yaml.*frame_verbs"):
        _lexicon_cached(root, ("test", bad))
