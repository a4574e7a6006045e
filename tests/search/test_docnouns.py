"""The document-noun table is data: every reader takes its words from it, and a broken table says what to do."""

from __future__ import annotations

import pytest

from assistant.answer.sentences import DOCUMENT_WORDS
from assistant.errors import InputError
from assistant.search.docnouns import load_document_nouns
from assistant.search.naming import DOC_NOUN
from assistant.textutil import tokens


def test_every_noun_of_the_table_names_a_document_for_every_reader():
    table = load_document_nouns()
    for noun in table["nouns"]:
        assert DOC_NOUN.search(f"what does the carers {noun} say"), noun
        assert set(tokens(noun, keep_stopwords=True)) <= DOCUMENT_WORDS, noun
    assert "note" in table["nouns"]  # "the Housing Options Trust note"


def test_a_broken_table_says_what_is_wrong(tmp_path):
    bad = tmp_path / "nouns.yaml"
    bad.write_text("nouns: [guide, two words]\nnaming_only: []\ngeneric: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="single words"):
        load_document_nouns(bad)
    bad.write_text("nouns: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="restore it"):
        load_document_nouns(bad)
