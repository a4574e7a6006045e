"""The safeguarding detector as practitioners meet it: the signal table and the indicator bank matched by
meaning (the real bundled model), tiers, every cue listed, and prompts that never turn a risk into a support."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from assistant.errors import SettingsError
from assistant.prompts.generate import generate
from assistant.safety.indicators import (Matcher, _read_absent, load_bank, load_calibration, neutral, people, reading,
                                         unit_weights, units, without_absent_signs)
from assistant.safety.safeguarding import CONTEXT_SHARE, REASSURED, _meaning_cues, detect
from assistant.settings import get_settings

REPO = Path(__file__).resolve().parents[2]
JOAN = ("Since her nephew moved in, Joan has stopped going out. He always answers the phone for her and she "
        "seemed frightened of him when I visited. She loves her cats and jigsaws.")


def test_a_relative_who_controls_contact_since_arriving_is_noticed_and_never_offered_as_support():
    ps = generate(JOAN)
    assert ps.safeguarding.flag
    texts = " ".join(p.text.lower() for p in ps.prompts)
    assert "nephew" not in texts
    assert "cats" in texts or "jigsaws" in texts  # her own interests, not the concern's
    assert ps.prompts[0].prompt_id.startswith("safeguarding")  # person-led safety questions first


def test_an_injury_explanation_is_never_reused_as_an_interest():
    ps = generate("Maureen has bruises on her arms which she said were from gardening. She enjoys the WI and baking.")
    assert ps.safeguarding.level == "red"
    texts = " ".join(p.text.lower() for p in ps.prompts)
    assert "garden" not in texts
    assert "baking" in texts or "the wi" in texts


def test_every_cue_is_listed_not_only_the_first():
    sg = detect("The lodger has taken over her bank card and she has no money left for food. "
                "She seems frightened of him and asked me not to tell anyone.")
    assert sg.flag and len(sg.cues) >= 2
    words = " ".join(c.words for c in sg.cues).lower()
    assert "bank card" in words and "frightened" in words
    assert all(sg.reasons[i].endswith(f"'{c.words}'") for i, c in enumerate(sg.cues))


def test_whose_interest_it_is_follows_the_sentence():
    ps = generate("Frank, 79, loves fishing. His wife Pat sings in the church choir.", setting="adults")
    texts = " ".join(p.text.lower() for p in ps.prompts)
    assert "choir" not in texts and "fishing" in texts


def test_indirect_concerns_of_different_kinds_are_noticed():
    for text in (
        "Since meeting a man online last spring, Doreen has sent him most of her savings for his visa fees.",
        "Kayden, 14, has two phones and new designer clothes, and goes missing for days with older lads.",
        "Mr Price has not had the heating on all winter, there is mouldy food in the kitchen and his leg "
        "ulcers are weeping; he says he is fine.",
    ):
        assert detect(text).flag, text


def test_a_routine_that_suits_staff_rather_than_residents_is_noticed():
    # A known miss with MiniLM alone (its nearest ordinary sentences are routines that follow residents' wishes);
    # found since the second model reads the bank too.
    assert detect("Residents are got up and dressed from 5am so the night staff can finish before handover.").flag


def test_an_ordinary_strengths_note_gets_no_reminder():
    sg = detect("Grace, 78, has knitted for the church bazaar for decades and talks to her grandson every Sunday. "
                "She would like to join the lunch club at the community centre.")
    assert not sg.flag and sg.level == "" and sg.cues == []


class _Scores:
    """Stands in for the matcher's scores (plumbing of tiers only; quality is tested with the real model)."""

    def __init__(self, text, probs, reassured=0.0):
        from assistant.safety.indicators import Match

        self.items = [Match(u, p, "financial", "", reassured) for u, p in zip(units(text), probs)]
        self.bank = load_bank()

    def score(self, text):
        return sorted(self.items, key=lambda m: -m.probability)


def test_tiers_follow_the_calibrated_thresholds():
    cal = load_calibration()
    assert 0 < cal.amber <= cal.red < 1
    text = "Her pension goes somewhere every week. She likes bingo."
    amber = detect(text, meaning=_Scores(text, [(cal.amber + cal.red) / 2, 0.0]))
    red = detect(text, meaning=_Scores(text, [cal.red + 0.01, 0.0]))
    none = detect(text, meaning=_Scores(text, [cal.amber * 0.5, 0.0]))
    assert (amber.level, red.level, none.level) == ("amber", "red", "")
    assert amber.flag and "Pause and consider" in amber.guidance
    assert red.flag and "section 42" in red.guidance
    assert amber.cues[0].strength == "amber" and amber.cues[0].source == "meaning"


def test_a_listed_phrase_the_meaning_finds_unworrying_gives_amber_not_red():
    cal = load_calibration()
    text = "Leo has scratch marks on his arms and his mum follows the eczema plan. He loves the sand tray."
    n = len(units(text))
    # the listed words' sentence reads as ordinary, another sentence is a little worrying
    unsure = detect(text, meaning=_Scores(text, [0.05] * (n - 1) + [cal.amber * CONTEXT_SHARE + 0.01]))
    worried = detect(text, meaning=_Scores(text, [cal.red + 0.01] + [0.05] * (n - 1)))
    assert unsure.flag and unsure.level == "amber"  # still a reminder: recall first
    assert any(c.source == "signal table" and c.strength == "amber" for c in unsure.cues)
    assert worried.level == "red" and any(c.source == "signal table" and c.strength == "red" for c in worried.cues)


def test_a_listed_phrase_in_a_note_read_as_ordinary_throughout_gives_no_reminder():
    text = "Leo has scratch marks on his arms and his mum follows the eczema plan. He loves the sand tray."
    calm = detect(text, meaning=_Scores(text, [0.05] * len(units(text))))
    assert not calm.flag
    assert detect(text, get_settings().model_copy(update={"safeguarding_meaning": False})).flag  # the table alone


def test_a_sentence_is_read_in_its_note():
    from assistant.safety.indicators import matcher
    m = matcher(get_settings())
    sign = "She has bruises on both upper arms."
    worrying = m.score(sign + " She flinched when her son came in and asked me not to tell anyone.")
    ordinary = m.score(sign + " She is on warfarin, bruises easily and the district nurse checks her weekly.")
    at = lambda ms: next(x.probability for x in ms if x.unit.text == sign)  # noqa: E731
    assert at(worrying) > at(ordinary)


def test_a_weak_match_in_a_note_that_says_the_sign_was_checked_gives_no_note():
    cal = load_calibration()
    text = "Her pension goes somewhere every week. She likes bingo."
    weak = (cal.amber + cal.red) / 2
    explained = detect(text, meaning=_Scores(text, [weak, 0.0], reassured=REASSURED + 0.05))
    unexplained = detect(text, meaning=_Scores(text, [weak, 0.0], reassured=REASSURED - 0.2))
    strong = detect(text, meaning=_Scores(text, [cal.red + 0.01, 0.0], reassured=REASSURED + 0.05))
    assert not explained.flag
    assert unexplained.flag and unexplained.level == "amber"
    assert strong.flag and strong.level == "red"  # a strong sign is never explained away


def test_a_short_clause_counts_for_less_than_a_sentence_and_a_long_one_in_full():
    from assistant.safety.indicators import Unit

    def clause(n):
        return Unit(0, 0, " ".join(["word"] * n), clause=True)

    w = unit_weights([Unit(0, 0, "A whole sentence.")] + [clause(n) for n in (4, 7, 10, 20)])
    assert w[0] == 1.0 and w[1] < w[2] < w[3] <= 1.0 and w[4] == 1.0
    text = "Edna loves her roses and her choir, although her grandson now keeps her pension card."
    us = units(text)
    assert [u.clause for u in us] == [False, True, True]


def test_meaning_cues_do_not_repeat_a_stretch_the_table_already_listed():
    text = "His son slapped him. He enjoys chess."
    table = detect(text).cues
    assert table and not _meaning_cues(_Scores(text, [0.99, 0.0]).score(text), None, table)


def test_clauses_of_a_long_sentence_are_scored_on_their_own():
    got = [u.text for u in units("Edna loves her roses, although her grandson now keeps her pension card.")]
    assert "although her grandson now keeps her pension card." not in got  # the connective is not the clause
    assert any(t.startswith("her grandson now keeps") for t in got)


def test_a_malformed_bank_file_is_named(tmp_path):
    bad = tmp_path / "indicators-bad.yaml"
    bad.write_text("types: [not, a, mapping]\n")
    with pytest.raises(SettingsError, match="indicators-bad.yaml"):
        load_bank([bad])


def test_a_bank_entry_added_to_a_new_file_changes_the_bank(tmp_path):
    extra = tmp_path / "indicators-mine.yaml"
    extra.write_text(yaml.safe_dump({"indicators": [{"text": "Her carer pockets the change.", "type": "financial"}],
                                     "contrast": ["She pockets her own change for the bus."]}))
    base = load_bank()
    grown = load_bank([*sorted((REPO / "corpus" / "safety").glob("indicators*.yaml")), extra])
    assert len(grown.texts) == len(base.texts) + 1 and grown.digest != base.digest


def test_the_matcher_caches_the_bank_vectors(tmp_path):
    from assistant.index.embeddings import FakeHashEmbedder

    bank = load_bank()
    Matcher(FakeHashEmbedder(), bank, tmp_path, second=False)  # plumbing: the fake model alone
    assert list(tmp_path.glob("safeguarding-*.npy"))


@pytest.mark.model
def test_recall_and_false_alarms_on_the_development_situations():
    """The calibrated detector on the development set it was calibrated on (the blind sets are for eval)."""
    rows = [json.loads(line) for line in (REPO / "eval" / "safeguarding-dev" / "scenarios.jsonl").open()]
    flags = [(r["safeguarding"], detect(r["situation"]).flag) for r in rows]
    pos = [f for g, f in flags if g]
    neg = [f for g, f in flags if not g]
    assert sum(pos) / len(pos) >= 0.95
    assert sum(neg) / len(neg) <= 0.25


def test_a_known_cause_checked_by_a_nurse_is_not_a_concern_and_the_same_marks_unexplained_are():
    # Real model and bank; neither note is from an evaluation set.
    checked = detect("Mr Okafor (81) is on warfarin and bruises easily. The district nurse looked at the bruise on "
                     "his shin from the footstool and says it is healing. He showed me his pigeons and his "
                     "grandson's football photos.")
    unexplained = detect("Mr Okafor (81) had bruises on both wrists today. His son said he 'must have done it in "
                         "his sleep' and Mr Okafor would not look at me. He showed me his pigeons.")
    assert not checked.flag or checked.level == "amber"
    assert unexplained.flag


@pytest.mark.parametrize("unseen_set", ["safeguarding-blind7", "safeguarding-blind8", "safeguarding-blind9",
                                        "safeguarding-blind10"])
def test_the_unseen_safeguarding_sets_are_kept_out_of_the_calibration(unseen_set):
    data = yaml.safe_load((REPO / "corpus" / "safety" / "calibration.yaml").read_text(encoding="utf-8"))
    assert data["calibrated_on"] and f"eval/{unseen_set}" not in data["calibrated_on"]
    derived = (REPO / "corpus" / "safety" / "indicators-dev.yaml").read_text(encoding="utf-8")
    unseen = [json.loads(x)["situation"] for x in
              (REPO / "eval" / unseen_set / "scenarios.jsonl").read_text(encoding="utf-8").splitlines() if x]
    sentences = [t.strip() for s in unseen for t in s.split(". ") if len(t.split()) >= 6]
    assert sentences and not any(t in derived for t in sentences)


def test_names_read_as_the_person_when_matched_by_meaning_and_only_names():
    note = "Housing: tenant Darius Kell (45) loves fishing. Mrs O'Brien next door says Kell uses Snapchat on Sundays."
    assert people(note) >= {"Darius", "Kell", "O'Brien"}
    masked = neutral(note)
    assert "Darius" not in masked and "Kell" not in masked and "O'Brien" not in masked
    assert "Snapchat" in masked and "Sundays" in masked and "fishing" in masked
    assert neutral("Kell has a black eye.", people(note)) == "the person has a black eye."
    assert neutral("Leah was dropped home at 2am.") == "the person was dropped home at 2am."  # a listed name
    assert neutral("Grace is a fine quality.") == "Grace is a fine quality."  # also an ordinary word: not listed


def test_two_notes_differing_only_in_names_score_the_same():
    from assistant.safety.indicators import matcher
    from assistant.settings import get_settings
    m = matcher(get_settings())
    a = m.score("Leah (14) was dropped home at 2am by a man her mum doesn't know.")
    b = m.score("Zofia (14) was dropped home at 2am by a man her mum doesn't know.")
    assert abs(a[0].probability - b[0].probability) < 1e-4


def test_the_pair_encoder_joins_two_models_and_keeps_the_first_alone():
    from assistant.index.embeddings import FakeHashEmbedder
    from assistant.safety.indicators import PairEncoder

    enc = PairEncoder(FakeHashEmbedder())
    v = enc.encode(["She seemed frightened of her nephew.", "He loves his allotment."])
    assert v.shape == (2, 2 * enc.dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    alone = np.asarray(FakeHashEmbedder().encode(["She seemed frightened of her nephew."]), dtype=np.float32)
    alone /= np.linalg.norm(alone)
    assert np.allclose(enc.first(v)[0], alone[0], atol=1e-5)
    assert PairEncoder(FakeHashEmbedder(), second=False).encode(["x y z"]).shape == (1, enc.dim)


def test_a_stated_absence_of_a_sign_of_harm_is_left_out_of_what_the_models_read():
    assert without_absent_signs("Both raise their voices, no threats, and they make up quickly.") == \
        "Both raise their voices, and they make up quickly."
    assert without_absent_signs("No visible marks, bruising or injuries; she laughs about it.") == "she laughs about it."
    assert without_absent_signs("She tripped on the step without injury.") == "She tripped on the step."
    assert without_absent_signs("Nothing has gone missing from her purse since the carer changed.") == \
        "from her purse since the carer changed."
    assert reading("No threats from Leah.") == "from the person."


def test_needs_and_unexplained_signs_keep_their_words():
    for note in ["There is no food in the fridge and no heating on.", "He has no money left by Thursday.",
                 "No one visits her now.", "No explanation was given for the bruising on her arm.",
                 "He says he would never harm her.", "She has no friends since he moved in."]:
        assert without_absent_signs(note) == note


def test_a_sentence_that_only_states_absences_is_not_matched():
    note = "Checked her arms and legs. No marks or bruising. She is looking forward to the bingo on Friday."
    texts = [u.text for u in units(note)]
    assert "No marks or bruising." not in texts and len(texts) == 2


def test_stated_absences_reassure_and_needs_still_flag():
    # Notes written for this test, not from an evaluation set.
    bicker = detect("Mr and Mrs Hale (78) bicker about the TV remote most evenings. Both raise their voices at "
                    "times, no threats or violence, and they are laughing about it by supper. He loves his allotment.")
    threat = detect("Mr and Mrs Hale (78) bicker about the TV remote most evenings. He raises his voice and "
                    "threatens her when she changes the channel. He loves his allotment.")
    cold = detect("No bruising or marks seen. There is no food in the fridge and no heating on, and Mrs Dale (84) "
                  "says her grandson keeps her bank card.")
    assert bicker.level != "red"
    assert threat.flag and cold.flag


def test_a_malformed_absent_signs_table_is_named(tmp_path):
    bad = tmp_path / "absent_signs.yaml"
    bad.write_text("signs: [unclosed(\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="absent_signs.yaml"):
        _read_absent(bad, (1, 1))
    assert _read_absent(tmp_path / "missing.yaml", None)[0] is None
