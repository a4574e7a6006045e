"""Social-care questions the library does not answer, told apart by the library itself (assistant/search/neartopic)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

CAPACITY_GUIDE = """---
title: Assessing mental capacity
publisher: Example Council adult social care
---

# Assessing mental capacity

The Mental Capacity Act 2005 sets out a two-stage test of capacity. First, ask whether the person has an
impairment of, or a disturbance in the functioning of, their mind or brain. Second, ask whether that impairment
means the person is unable to make the specific decision at the time it needs to be made.

A person is unable to make a decision if they cannot understand the information relevant to it, retain that
information, use or weigh it as part of the process of deciding, or communicate their decision.

Capacity is assessed for each decision separately and at the time the decision is needed. A person must be
assumed to have capacity unless it is established that they lack it, and an unwise decision does not on its own
mean that someone lacks capacity.

When a person lacks capacity, any act done for them must be in their best interests, and the least restrictive
option should be considered. The decision maker must involve the person as fully as possible and consult those
close to them.
"""

QUESTION = "How should I assess whether someone has mental capacity?"


def test_the_bank_is_data_about_social_care_not_everyday_life(real_retriever):
    from assistant.search.neartopic import PROBES, probe_vectors
    from assistant.search.offtopic import PROBES as EVERYDAY, load_probes

    probes = load_probes(PROBES)
    assert len(probes) >= 40 and not set(probes) & set(load_probes(EVERYDAY))
    assert probe_vectors(real_retriever).shape[0] == len(probes)


@pytest.mark.parametrize("question, beside", [
    (QUESTION, True),
    ("Can the daughter I work with get Carer's Allowance if she has a part-time job?", True),
    ("Who do I ring to arrange an interpreter for a Polish-speaking family?", True),
    ("Is my client entitled to free aftercare after being sectioned?", True),
    # Complaints, a carer's own assessment, reviewing a practitioner's plan, expenses: not what the guidance says.
    ("Could you look over my client's care plan before I send it?", True),
    ("Can I get my train fare back for a training day?", True),
    ("What does the Care Act guidance say about support from family and friends?", False),
    ("How can practitioners build on a person's strengths and community networks?", False),
    ("What did the Munro review say about child protection?", False),
])
def test_questions_beside_the_guidance(real_retriever, question, beside):
    from assistant.search.neartopic import beside_the_guidance

    qvec = real_retriever.query_vector(question)
    passages = real_retriever.search(question, k=5, qvec=qvec)
    assert bool(beside_the_guidance(real_retriever, qvec, passages)) is beside


def test_a_library_that_answers_the_probe_answers_the_question(tmp_path):
    """The same question abstains beside the five guidance documents and is answered once the library holds a
    guide on the topic: the probes are measured against each library, not once."""
    from assistant.core import Assistant
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    answers = {}
    for name, extra in [("guidance", None), ("with-capacity", CAPACITY_GUIDE)]:
        root = tmp_path / name
        shutil.copytree(CORPUS / "guidance", root / "corpus" / "guidance")
        if extra:
            (root / "corpus" / "guidance" / "assessing-mental-capacity.md").write_text(extra, encoding="utf-8")
        settings = load_settings(corpus_dir=root / "corpus", index_dir=root / "indexes", home=root)
        ingest(settings, progress=False)
        answers[name] = Assistant(settings).ask(QUESTION)
    assert answers["guidance"].abstained, answers["guidance"].answer
    found = answers["with-capacity"]
    assert not found.abstained and "capacity" in found.answer.lower(), found.answer
    assert any(c.title == "Assessing mental capacity" for c in found.citations)
