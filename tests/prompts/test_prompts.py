"""Strengths-focused prompts: the cited library, detail pick-up, selection, safeguarding and rendering."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.ingest.loaders import load_path
from assistant.prompts.generate import (
    STAGES,
    THEMES,
    LibraryError,
    accept_extra,
    extract_details,
    generate,
    load_library,
    to_markdown,
)
from assistant.safety.language import find_deficits, is_open_question
from assistant.safety.safeguarding import detect, safe_followups
from assistant.types import SETTINGS

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
SCENARIOS = [json.loads(line) for line in (REPO / "eval" / "dev" / "scenarios.jsonl").read_text().splitlines()
             if line.strip()]
# The five scenarios the feature was specified against; later ones test the safeguarding module's recall too.
BRIEF_IDS = {"ds01", "ds02", "ds03", "ds04", "ds05"}


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in (load_path(f) for f in sorted((CORPUS / "guidance").glob("*.md")))}


@pytest.fixture(scope="module")
def library():
    return load_library(CORPUS)


def _check_citation(c, docs):
    doc = docs[c.doc_id]
    assert c.quote and doc.text[c.start:c.end] == c.quote, f"{c.doc_id}: offsets do not point at the quote"
    assert c.chunk_id == "" and c.title == doc.title


# ------------------------------------------------------------------ library

def test_library_has_at_least_100_unique_prompts(library):
    assert len(library) >= 100
    assert len({p.prompt_id for p in library}) == len(library)


def test_every_library_quote_is_verbatim_at_its_offsets(library, docs):
    for p in library:
        assert p.citations, p.prompt_id
        for c in p.citations:
            _check_citation(c, docs)


def test_every_library_prompt_is_open_and_deficit_free(library):
    for p in library:
        assert p.text.endswith("?") and is_open_question(p.text), p.prompt_id
        assert not find_deficits(p.text), (p.prompt_id, [h.phrase for h in find_deficits(p.text)])
        assert p.text.split()[0].lower() not in {"is", "are", "do", "does", "did", "can", "could", "would", "will",
                                                 "have", "has", "should"}, p.prompt_id
        assert p.rationale and "\n" not in p.rationale


def test_each_setting_has_20_prompts_and_every_theme_every_stage(library):
    per_setting = Counter(s for p in library for s in p.settings)
    assert all(per_setting[s] >= 20 for s in SETTINGS), per_setting
    cells = {(p.theme, p.stage) for p in library}
    missing = [(t, s) for t in THEMES for s in STAGES if (t, s) not in cells]
    assert not missing


def test_carer_wellbeing_prompts_are_for_carers_only(library):
    assert all(p.settings == ("carers",) for p in library if p.theme == "carer-wellbeing")


def _copy_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS / "guidance", root / "guidance")
    shutil.copytree(CORPUS / "prompts", root / "prompts")
    return root


def test_an_edited_quote_stops_the_library_loading_and_names_the_prompt(tmp_path):
    root = _copy_corpus(tmp_path)
    lib = root / "prompts" / "library.yaml"
    text = lib.read_text(encoding="utf-8")
    assert "consider the person’s own strengths and capabilities" in text
    lib.write_text(text.replace("consider the person’s own strengths and capabilities",
                                "consider the person’s strengths and abilities"), encoding="utf-8")
    with pytest.raises(LibraryError, match=r"prompt 'ps-01'.*no longer matches"):
        load_library(root)


def test_an_edited_shared_quote_is_refused_even_when_unused(tmp_path):
    root = _copy_corpus(tmp_path)
    lib = root / "prompts" / "library.yaml"
    text = lib.read_text(encoding="utf-8")
    lib.write_text(text + "\n", encoding="utf-8")  # sanity: an untouched copy loads
    assert len(load_library(root)) == len(load_library(CORPUS))
    lib.write_text(text.replace("prompts:\n", "prompts:\n", 1).replace(
        "quotes:\n", "quotes:\n  spare:\n    doc_id: strengths-based-approaches-definitions\n"
        "    quote: \"Strengths are what people lack.\"\n", 1), encoding="utf-8")
    with pytest.raises(LibraryError, match=r"quote 'spare'.*no longer matches"):
        load_library(root)


def test_edited_guidance_also_stops_the_library_loading(tmp_path):
    root = _copy_corpus(tmp_path)
    doc = root / "guidance" / "strengths-based-approaches-definitions.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("relationships, experience, skills and aspirations",
                                                           "relationships and skills"), encoding="utf-8")
    with pytest.raises(LibraryError, match=r"prompt 'ps-02'"):
        load_library(root)


def test_a_closed_question_in_the_library_is_refused(tmp_path):
    root = _copy_corpus(tmp_path)
    lib = root / "prompts" / "library.yaml"
    lib.write_text(lib.read_text(encoding="utf-8").replace('"What are you proud of in your life so far?"',
                                                           '"Are you proud of your life so far?"'), encoding="utf-8")
    with pytest.raises(LibraryError, match=r"prompt 'ps-01'.*yes/no"):
        load_library(root)


# ------------------------------------------------------------------ details

def test_extract_details_from_the_dev_scenarios():
    grace = extract_details(SCENARIOS[0]["situation"])
    assert "knitting" in grace["interests"] and "her grandson" in grace["people"]
    assert "the church bazaar" in grace["places"]
    leo = extract_details(SCENARIOS[1]["situation"])
    assert "drumming" in leo["interests"] and "his former foster carer" in leo["people"]
    assert leo["goals"] == ["study music production at college"]
    village = extract_details(SCENARIOS[4]["situation"])
    assert {"a parish hall", "a walking group", "a WhatsApp group of neighbours"} <= set(village["places"])


def test_extract_details_patterns():
    d = extract_details("Sam used to run the Scout group and is a keen gardener. He goes to St Mary's church, "
                        "is part of the temple community and would like to find a paid job. His sister visits.")
    assert "running the Scout group" in d["interests"] and "gardening" in d["interests"]
    assert "St Mary's church" in d["places"] and "the temple community" in d["places"]
    assert d["goals"] == ["find a paid job"] and d["people"] == ["his sister"]
    assert extract_details("She loves the choir.")["interests"] == ["the choir"]
    assert extract_details("He cannot walk far and has no family nearby.") == {
        "interests": [], "people": [], "places": [], "goals": []}


def test_personalised_wording_reads_naturally():
    ps = generate("Pat loves the choir and sees her granddaughter on Sundays.", "adults")
    texts = [p.text for p in ps.prompts if p.personalised]
    assert any("the choir" in t and "singing with others" in t for t in texts), texts
    assert any("your granddaughter" in t for t in texts), texts


# ------------------------------------------------------------------ generate on the dev scenarios

@pytest.mark.parametrize("sc", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_generate_on_dev_scenarios(sc, docs):
    ps = generate(sc["situation"], sc["setting"])
    assert 8 <= len(ps.prompts) <= 12
    assert len({p.theme for p in ps.prompts}) >= 4
    order = [STAGES.index(p.stage) for p in ps.prompts]
    assert order == sorted(order)
    for p in ps.prompts:
        assert is_open_question(p.text) and not find_deficits(p.text), p.text
        assert p.rationale and p.citations
        for c in p.citations:
            _check_citation(c, docs)
    assert ps.safeguarding.flag == detect(sc["situation"]).flag
    if sc["id"] in BRIEF_IDS:
        assert ps.safeguarding.flag == sc["safeguarding"]
    if not sc["safeguarding"] and not ps.safeguarding.flag:
        text = " ".join(p.text.lower() for p in ps.prompts)
        assert any(d.lower() in text for d in sc["details"]), sc["details"]
        assert sum(p.personalised for p in ps.prompts) >= 3


def test_safeguarding_leads_with_person_led_questions_and_drops_probing(library):
    sc = next(s for s in SCENARIOS if s["id"] == "ds04")
    ps = generate(sc["situation"], sc["setting"])
    assert ps.safeguarding.flag and ps.safeguarding.reasons and ps.safeguarding.guidance
    follow = safe_followups("adults")
    assert ps.prompts[0].text in follow and ps.prompts[0].stage == "opening"
    assert any(c.doc_id == "care-act-2014-strengths-based-approaches" for c in ps.prompts[0].citations)
    probing = {p.prompt_id for p in library if p.probing}
    assert probing and not probing & {p.prompt_id for p in ps.prompts}
    assert not any("carer" in p.text.lower() for p in ps.prompts if p.personalised)


def test_no_probing_prompt_when_flagged_in_any_setting(library):
    probing = {p.text for p in library if p.probing}
    for setting in SETTINGS:
        ps = generate("Her partner hits her and she is scared to go home.", setting)
        assert ps.safeguarding.flag
        assert not probing & {p.text for p in ps.prompts}


def test_generate_is_deterministic():
    a = generate(SCENARIOS[2]["situation"], "carers").model_dump()
    b = generate(SCENARIOS[2]["situation"], "carers").model_dump()
    assert a == b


def test_stage_focus_keeps_a_short_arc():
    ps = generate(SCENARIOS[0]["situation"], "adults", stage="planning", n=10)
    stages = Counter(p.stage for p in ps.prompts)
    assert stages["planning"] == 8 and stages["opening"] == 1 and stages["reviewing"] == 1
    order = [STAGES.index(p.stage) for p in ps.prompts]
    assert order == sorted(order)


def test_n_is_clamped_and_setting_respected(library):
    by_id = {p.prompt_id: p for p in library}
    assert len(generate("Grace likes gardening.", n=3).prompts) == 8
    assert len(generate("Grace likes gardening.", n=50).prompts) == 12
    for setting in SETTINGS:
        ps = generate("They enjoy meeting at the community café.", setting)
        assert all(setting in by_id[p.prompt_id].settings for p in ps.prompts)


def test_carer_prompts_never_hand_tasks_to_the_person_cared_for():
    ps = generate(SCENARIOS[2]["situation"], "carers", n=12)
    assert not any("daughter to take on" in p.text for p in ps.prompts)


def test_bereaved_carer_is_not_asked_about_ongoing_caring():
    ps = generate("Raj cared for his wife until she died in the spring. He is a keen cook.", "carers", n=12)
    assert not any("caring" in p.text.lower() or "your wife" in p.text.lower() for p in ps.prompts)


def test_young_person_is_not_asked_parenting_questions(library):
    parent = {p.prompt_id for p in library if p.audience == "parent"}
    ps = generate(SCENARIOS[1]["situation"], "children-families", n=12)
    assert parent and not parent & {p.prompt_id for p in ps.prompts}


# ------------------------------------------------------------------ bad input and hooks

@pytest.mark.parametrize("kwargs, message", [
    ({"situation": ""}, "empty"),
    ({"situation": "   \n "}, "empty"),
    ({"situation": None}, "empty"),
    ({"situation": "ok", "setting": "elderly"}, "adults, carers, children-families, community"),
    ({"situation": "ok", "stage": "closing"}, "opening, exploring, planning, reviewing"),
    ({"situation": "ok", "n": "ten"}, "whole number"),
])
def test_bad_input_is_a_clear_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        generate(**kwargs)


def test_accept_extra_applies_the_same_checks():
    assert accept_extra("What would a good week look like for you?")
    assert accept_extra("You mentioned the allotment — what does growing things give you?")
    assert not accept_extra("Do you like the allotment?")
    assert not accept_extra("What does he suffer from?")
    assert not accept_extra("Tell me about your week.")
    assert not accept_extra(None)


def test_markdown_groups_by_stage_with_reminder_first():
    flagged = to_markdown(generate(SCENARIOS[3]["situation"], "adults"))
    assert flagged.index("Safeguarding") < flagged.index("## Opening")
    md = to_markdown(generate(SCENARIOS[0]["situation"], "adults"))
    heads = [md.index(f"## {s.capitalize()}") for s in STAGES]
    assert heads == sorted(heads)
    assert "Safeguarding" not in md and "**Details picked up:**" in md and "knitting" in md
    ps = generate(SCENARIOS[0]["situation"], "adults")
    for p in ps.prompts:
        c = p.citations[0]
        assert f"**{p.text}**" in md and f"“{c.quote}”" in md and c.title in md
    assert md.count("Why:") == len(ps.prompts)


# ------------------------------------------------------------------ optional LLM extras

GOOD = "You mentioned the choir — who would you love to sing alongside in the next few months?"
PROPOSALS = "\n".join([
    f"1. {GOOD} [1]",
    "2. Do you still enjoy singing in the choir? [1]",  # closed
    "3. What makes you so vulnerable when the choir is not meeting? [2]",  # deficit language
    "4. Which songs from the choir bring back the happiest memories?",  # no citation
    '5. Where could "strengths are what people lack" take us next? [1]',  # a quote not in the guidance
    "6. Which choir friends would you like to see more of? [99]",  # cites a quote it was never given
])


def test_llm_extras_only_show_proposals_that_pass_every_check(docs):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    situation = "Pat loves the choir and sees her granddaughter on Sundays."
    plain = generate(situation, "adults")
    fake = FakeListChatModel(responses=[PROPOSALS, "unused"])
    ps = generate(situation, "adults", chat_model=fake)
    assert fake.i == 1  # asked once
    extra = [p for p in ps.prompts if p.prompt_id == "llm"]
    assert [p.text for p in extra] == [GOOD]
    assert extra[0].personalised and extra[0].citations
    for c in extra[0].citations:
        _check_citation(c, docs)
    assert [p.text for p in ps.prompts if p.prompt_id != "llm"] == [p.text for p in plain.prompts]
    assert len(ps.prompts) == len(plain.prompts) + 1 <= 12
    order = [STAGES.index(p.stage) for p in ps.prompts]
    assert order == sorted(order)
    joined = " ".join(ps.notices)
    assert len(ps.notices) == 5
    for why in ("yes/no", "deficit language ('vulnerable')", "does not cite", "not in the cited guidance"):
        assert why in joined, why
    assert "Notes:" in to_markdown(ps) and "does not cite" in to_markdown(ps)


def test_llm_is_not_asked_when_safeguarding_is_flagged_or_the_set_is_full():
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    fake = FakeListChatModel(responses=[f"{GOOD} [1]", "unused"])
    ps = generate("Her partner hits her and she is scared to go home. She loves the choir.", "adults", chat_model=fake)
    assert ps.safeguarding.flag and fake.i == 0
    assert not any(p.prompt_id == "llm" for p in ps.prompts) and "Safeguarding" in ps.notices[0]
    full = generate("Pat loves the choir.", "adults", n=12, chat_model=fake)
    assert fake.i == 0 and len(full.prompts) == 12


def test_llm_situation_is_redacted_and_a_failing_model_leaves_the_library_set():
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.prompts.llm_prompts import build_messages, numbered_quotes

    base = generate("Pat loves the choir.", "adults")
    msgs = build_messages("Mrs Jones of 12 High Street, SW1A 1AA, loves the choir.", numbered_quotes(base.prompts), 2)
    assert "SW1A 1AA" not in msgs[1].content and '<quote number="1"' in msgs[1].content

    class Broken(FakeListChatModel):
        def _call(self, *args, **kwargs):
            raise ConnectionError("server down")

    ps = generate("Pat loves the choir.", "adults", chat_model=Broken(responses=["x"]))
    assert [p.text for p in ps.prompts] == [p.text for p in base.prompts]
    assert "did not answer" in ps.notices[0]


def test_the_assistant_passes_its_chat_model_to_the_prompt_generator():
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    from assistant.core import Assistant

    fake = FakeListChatModel(responses=[f"{GOOD} [1]\nDo you like it? [1]", "unused"])
    ps = Assistant(chat_model=fake).prompts("Pat loves the choir and sees her granddaughter on Sundays.")
    assert fake.i == 1 and [p.text for p in ps.prompts if p.prompt_id == "llm"] == [GOOD]
    assert len(ps.notices) == 1 and "yes/no" in ps.notices[0]


def test_a_sentence_led_by_a_relative_gives_the_relative_s_interests_not_the_person_s():
    note = ("Carer: Dev (40) manages his dad's pension. Dad enjoys his Bollywood films and Sunday lunch at the "
            "gurdwara. Dev plays in a Sunday cricket league.")
    d = extract_details(note)
    assert "Bollywood films" not in d["interests"] and "the gurdwara" not in d["places"], d
    assert "cricket" in d["interests"], d
    # The person brought back by name or pronoun keeps what follows.
    assert extract_details("Mum says he loves football.")["interests"] == ["football"]
    assert "Cubs" in extract_details("Mum says Harvey loves Cubs.")["interests"]


def test_activities_written_with_everyday_verbs_are_interests_and_errands_are_not():
    d = extract_details("Anita, 46, has started a pottery class. She goes hiking on her days off and goes to bed "
                        "early. Both boys also go to Cubs on Thursdays.")
    assert "hiking" in d["interests"] and "Cubs" in d["interests"], d
    assert "a pottery class" in d["interests"] + d["places"], d
    assert not any(x.lower().startswith("bed") for x in d["interests"]), d
    # "and doesn't miss out" is not a second interest.
    assert extract_details("Ben likes helping and doesn't miss out.")["interests"] == ["helping"]
    # A relative who takes the person somewhere: it is the person's.
    assert "rhyme time" in extract_details("Dad takes her to rhyme time at the library.")["places"]


def test_whose_interest_is_read_from_the_sentence_s_subject():
    note = ("Supported living review for Kieran. He spends hours on his Lego models. Keyworker Sam is a keen climber. "
            "Housemate into gaming. I mentioned I do parkrun. Stan's own passion is vintage motorbikes.")
    d = extract_details(note)
    mine = " ".join(d["interests"] + d["places"]).lower()
    assert "lego" in mine, d
    assert not any(w in mine for w in ("climb", "gaming", "parkrun", "motorbike")), d
    # The person quoted in the first person is the person; a whole family's note keeps the family's interests.
    assert "crochet" in extract_details("'I taught myself to crochet,' Bernadette laughs. She loves crochet.")["interests"]
    fam = extract_details("The Hughes family have three children; dad is a keen angler and mum runs the PTA.")
    assert fam["interests"], fam
    # "June's sister" is June's, when the note is about Colin.
    assert "June's sister" not in extract_details("Phone call with Colin, carer for wife June. June's sister visits "
                                                  "Fridays so Colin can go to the pub quiz.")["people"]


def test_roles_and_everyday_constructions_name_interests():
    d = extract_details("Mr Ferguson is a former bus driver. He never misses Match of the Day and follows Newcastle.")
    text = " ".join(d["interests"])
    assert "driving" in text and "Match of the Day" in text and "Newcastle" in text, d
    assert "a former miner" in extract_details("Mr Barker is a former miner.")["interests"]
