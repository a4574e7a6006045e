"""Practitioners' abbreviations: the glossary data, finding them in a query, expanding and spelling them out."""

from __future__ import annotations

import pytest

from assistant.search.abbreviations import (
    GLOSSARY,
    expand_abbreviations,
    find_abbreviations,
    load_glossary,
    spell_out,
)


def test_the_glossary_holds_the_common_abbreviations_with_long_forms():
    g = load_glossary()
    assert len(g) >= 100
    for short in ("LA", "SW", "OT", "CYP", "SBA", "SBP", "TM", "MSP", "s42", "DoLS", "LPS", "MCA", "EHCP", "CIN",
                  "CP", "LAC", "CLA", "CHC", "ASC", "VCSE", "ICS", "GP", "A&E", "DHSC", "NICE", "SCIE"):
        assert g[short] and all(f.strip() for f in g[short]), short
    assert g["LA"] == ("local authority",)
    assert "occupational therapy" in g["OT"]


def test_every_entry_is_found_as_written():
    for short in load_glossary():
        assert [a.key for a in find_abbreviations(None, f"what about {short} here")] == [short], short


def test_plurals_case_variants_and_section_numbers_are_found_but_ordinary_words_are_not():
    found = {a.written: a.key for a in find_abbreviations(None, "Do SWs and OTs know about S42, DOLS and A&E?")}
    assert found == {"SWs": "SW", "OTs": "OT", "S42": "s42", "DOLS": "DoLS", "A&E": "A&E"}
    # Capitalised words, lower-case words and "I" are not abbreviations, even when they spell one.
    assert find_abbreviations(None, "Is it nice in Leeds? I think la la land is Care") == []


def test_expanding_keeps_the_query_and_adds_long_forms_it_does_not_spell_out():
    assert expand_abbreviations(None, "what does the LA consider?") == "what does the LA consider? (local authority)"
    assert expand_abbreviations(None, "the local authority (LA)") == "the local authority (LA)"
    assert expand_abbreviations(None, "no abbreviations here") == "no abbreviations here"
    assert spell_out(None, "Can the SW ask the TM?") == "Can the social worker ask the team manager?"


def test_acronyms_the_documents_define_join_and_win(real_retriever):
    # TLAP is in the glossary and defined by a guidance document too; both say the same.
    assert [a.long_forms for a in find_abbreviations(real_retriever, "TLAP")] == [("Think Local Act Personal",)]


def test_a_broken_glossary_is_refused_with_a_message(tmp_path):
    from assistant.errors import InputError

    bad = tmp_path / "abbreviations.yaml"
    bad.write_text("abbreviations:\n  LA: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs a long form"):
        load_glossary(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="abbreviations:"):
        load_glossary(bad)
    assert GLOSSARY.is_file()


def test_abbreviations_typed_in_lower_case_are_found_unless_english_uses_the_word():
    found = {a.written: a.key for a in find_abbreviations(None, "in asc what do cyp and ots need, dols or lps")}
    assert found == {"asc": "ASC", "cyp": "CYP", "ots": "OT", "dols": "DoLS", "lps": "LPS"}
    # "la", "nice", "send" and "ca" as words people type ("la la land", "a nice day", "send it") stay words.
    assert find_abbreviations(None, "la la land on a nice day, send it") == []
