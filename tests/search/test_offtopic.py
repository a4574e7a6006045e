"""Everyday questions told apart from questions about the guidance; word weights that do not move with the library."""

from __future__ import annotations

import pytest


def test_the_probe_bank_is_data_with_a_level_of_its_own(real_retriever):
    from assistant.search.offtopic import load_probes, probe_bank

    probes = load_probes()
    assert len(probes) >= 30 and "Is this page useful?" in probes
    vecs, level = probe_bank(real_retriever)
    assert vecs.shape[0] == len(probes)
    assert 0.1 < level < 0.6  # two everyday questions are alike, but not near-duplicates


def test_a_broken_probe_bank_is_refused_with_a_message(tmp_path):
    from assistant.errors import InputError
    from assistant.search.offtopic import load_probes

    bad = tmp_path / "probes.yaml"
    bad.write_text("probes: [one, two]\n", encoding="utf-8")
    with pytest.raises(InputError, match="at least five"):
        load_probes(bad)


@pytest.mark.parametrize("question, expected", [
    ("Is it going to be sunny in Brighton at the weekend?", True),
    ("What time does the last train leave?", True),
    ("How can practitioners build on a person's strengths and networks?", False),
    ("What does the Care Act guidance say about involving carers?", False),
])
def test_everyday_questions_and_guidance_questions(real_retriever, question, expected):
    from assistant.search.offtopic import everyday

    qvec = real_retriever.query_vector(question)
    passages = real_retriever.search(question, k=5, qvec=qvec)
    assert everyday(real_retriever, qvec, passages) is expected


def test_rarity_weights_come_from_english_not_the_library():
    from assistant.search.rarity import rarity, term_weights

    assert rarity("the") < rarity("care") < rarity("assessment") < rarity("zyxwvut")
    w = term_weights("What does the carer's assessment involve?")
    assert set(w) == {"carer", "assess", "involv"}
    assert w["assess"] > w["involv"]
