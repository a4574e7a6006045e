"""Hybrid search quality on the shipped corpus with the real bundled model."""

from __future__ import annotations

import pytest

from assistant.errors import InputError


@pytest.mark.parametrize("query,expected", [
    ("munro 2011", "Munro review of child protection"),
    ("Lyn Romeo", "Lyn Romeo"),
    ("6.64 family friends", "6.64 of the Care Act guidance"),
    ("SCIE TLAP Mayday", "Mayday Trust"),
    ("Bexley voluntary sector", "London Borough of Bexley"),
    ("What do strengths and asset-based approaches focus on?", "focus on what individuals and communities have"),
])
def test_keyword_and_natural_queries_find_the_passage(real_retriever, query, expected):
    hits = real_retriever.search(query, k=3)
    assert any(expected in h.text for h in hits), [h.text[:80] for h in hits]


def test_results_carry_provenance_and_verbatim_offsets(real_retriever):
    hits = real_retriever.search("co-production", k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits == sorted(hits, key=lambda h: -h.score)
    docs = real_retriever.index.documents
    for h in hits:
        assert docs[h.doc_id].text[h.start:h.end] == h.text
        assert h.title and h.chunk_id and -1.0 <= h.dense <= 1.0


@pytest.mark.parametrize("bad", ["", "   \n\t", "x" * 5000, None])
def test_bad_queries_get_a_clear_message(real_retriever, bad):
    with pytest.raises(InputError) as e:
        real_retriever.search(bad)
    assert "question" in str(e.value) or "query" in str(e.value)


def test_control_characters_are_removed(real_retriever):
    assert real_retriever.search("munro\x00\x07 2011", k=1)[0].doc_id.startswith("strengths-based-social-care")


def test_langchain_retriever_returns_documents_with_metadata(real_retriever):
    from assistant.retrieve import as_langchain_retriever

    docs = as_langchain_retriever(real_retriever, k=2).invoke("Lyn Romeo")
    assert len(docs) == 2 and "Lyn Romeo" in docs[0].page_content
    assert {"doc_id", "title", "start", "end", "section"} <= set(docs[0].metadata)


def test_keyword_hits_are_the_bm25_best_with_real_similarity(real_retriever):
    """The answerer's extra candidates: keyword order, verbatim offsets, cosine similarity to the query."""
    query = "rapidly growing interest"
    hits = real_retriever.keyword_hits(query, 3)
    assert 1 <= len(hits) <= 3 and [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert "rapidly growing interest" in hits[0].text
    assert [h.lexical for h in hits] == sorted((h.lexical for h in hits), reverse=True)
    docs = real_retriever.index.documents
    qvec = real_retriever.embedder.encode_query(query)
    for h in hits:
        assert docs[h.doc_id].text[h.start:h.end] == h.text
        assert 0.0 < h.dense <= 1.0
    assert abs(hits[0].dense - float(real_retriever.embed([hits[0].text])[0] @ qvec)) < 0.1
    assert real_retriever.keyword_hits("zzzz qqqq", 3) == []


def test_limit_messages_name_the_setting_that_applies():
    from assistant.errors import InputError
    from assistant.retrieve import validate_query

    with pytest.raises(InputError, match="ASSISTANT_MAX_QUESTION_CHARS"):
        validate_query("x" * 50, 10)
    with pytest.raises(InputError, match="ASSISTANT_MAX_TEXT_CHARS"):
        validate_query("x" * 50, 10, "text to check")
    with pytest.raises(InputError, match="paste or type the situation"):
        validate_query(" \t\n", 10, "situation")


def test_pasted_terminal_colour_codes_are_removed_whole():
    from assistant.textutil import clean_user_text

    assert clean_user_text("munro\x1b[31m 2011\x1b[0m") == "munro 2011"
    assert clean_user_text("a\x1b]0;title\x07b\tc\n") == "ab\tc\n"
