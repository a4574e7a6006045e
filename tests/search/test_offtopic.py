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
    ("Could you write a congratulations message for a colleague's new baby?", True),
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


def test_pages_off_the_library_topic_do_not_answer_everyday_questions(corpus_copy):
    """A leisure-centre page kept beside the guidance matches "is the leisure centre open on boxing day" better than
    the bank does, yet it is far from what the library is about: the question is still an everyday one."""
    from assistant.core import Assistant
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    for i, town in enumerate(["Ashby", "Brigg", "Crewe", "Dudley", "Epsom", "Frome"]):
        (corpus_copy / "guidance" / f"leisure-{i}.md").write_text(
            f"---\ntitle: {town} leisure centre\n---\n\n# {town} leisure centre opening times\n\nThe leisure centre in "
            f"{town} opens at 7am on weekdays and 8am at weekends. The pool closes on public holidays; the gym stays "
            f"open on Boxing Day from 9am to 4pm.\n", encoding="utf-8")
    settings = load_settings(model="all-MiniLM-L6-v2").model_copy(update={"off_topic_weight": 10.0})  # opt-in
    ingest(settings, progress=False)
    question = "is the leisure centre open on boxing day"
    assert Assistant(settings).ask(question).abstained
    assert not Assistant(settings.model_copy(update={"off_topic_weight": 0.0})).ask(question).abstained
    assert not Assistant(settings).ask("What does a strengths-based approach look at first?").abstained
