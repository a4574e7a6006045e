"""Query widening: library words close in meaning to the question's words, and "this way of working"."""

from __future__ import annotations

import pytest


def test_vocabulary_groups_spellings_by_stem_and_skips_stopwords_and_numbers():
    from assistant.index.word_vectors import vocabulary
    from assistant.textutil import stem

    terms, spelled = vocabulary(["Carers and their carer's assessment, 2014.", "Carers matter; the carers said so."])
    by_term = dict(zip(terms, spelled))
    assert by_term[stem("carers")] == "carers"  # the most frequent spelling stands for the stem
    assert stem("assessment") in by_term
    assert not {"2014", "the", "and", stem("so")} & set(by_term)


def test_a_big_vocabulary_keeps_its_most_widespread_words():
    from assistant.index.word_vectors import vocabulary

    texts = [f"carers matter zeta{chr(97 + i)}word" for i in range(10)] + ["families matter"]
    terms, spelled = vocabulary(texts, limit=2)
    assert spelled == ["carers", "matter"]  # in 10 and 11 texts; each one-off word is dropped
    assert len(vocabulary(texts)[0]) == 13


def test_large_and_small_vocabularies_score_alike():
    import numpy as np

    from assistant.index.word_vectors import TermVectors

    rng = np.random.default_rng(0)
    m = rng.standard_normal((3000, 16)).astype(np.float32)
    q = rng.standard_normal((4, 16)).astype(np.float32)
    big = TermVectors([f"t{i}" for i in range(3000)], m)  # one BLAS pass on one thread
    small = TermVectors([f"t{i}" for i in range(1000)], m[:1000])  # one product per word
    assert np.allclose(big._similarities(q)[:1000], small._similarities(q), atol=1e-4)
    assert np.allclose(big.closest(q), (m @ q.T).max(axis=0), atol=1e-4)


def _gen(settings):
    from assistant.index.store import Index

    idx = Index.open(settings)
    return idx, {p.name for p in idx.path.iterdir()}


def test_word_vectors_are_built_reused_and_follow_the_setting(fake_model, tmp_path):
    from assistant.core import Assistant
    from assistant.index import word_vectors
    from assistant.index.store import ingest, lexical_text
    from assistant.index.word_vectors import META, TermVectors
    from assistant.search.retrieve import Retriever
    from assistant.settings import load_settings
    from assistant.textutil import tokens

    off = load_settings(query_expansion=False)
    ingest(off, progress=False)
    idx_off, files = _gen(off)
    assert META not in files
    query = "family and friends who help"
    assert Retriever(off).keyword_terms(query, idx_off) == dict.fromkeys(tokens(query), 1.0)

    on = load_settings()
    assert Retriever(on).term_vectors(idx_off) is None and Retriever(on).search(query)  # still searches
    rep = Assistant(on).ensure_index(progress=False)  # an index from before word vectors gets them added
    assert rep is not None and rep.chunks_embedded == 0  # without embedding its passages again
    idx_on, files = _gen(on)
    assert idx_on.gen != idx_off.gen and META in files
    tv = TermVectors.load(idx_on.path, on.model)
    assert tv is not None and len(tv.terms) == len(tv.matrix) > 100
    assert set(tv.terms) <= set(idx_on.bm25.idf)  # only words the keyword index really holds
    assert Assistant(on).ensure_index(progress=False) is None  # up to date: nothing to do
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    texts = [lexical_text(c, idx_on.documents[c.doc_id]) for c in idx_on.chunks]  # what ingest embeds
    assert word_vectors.write(on, fresh, idx_on.path, texts) == 0  # every word reused from the old generation
    assert word_vectors.write(on, fresh, None, texts) > 0
    other = on.model_copy(update={"model": "another-model"})
    assert TermVectors.load(idx_on.path, other.model) is None  # vectors of another model are never mixed in
    (idx_on.path / "terms.npy").write_bytes(b"damaged")
    assert TermVectors.load(idx_on.path, on.model) is None


def test_question_words_bring_in_library_words_close_in_meaning(real_retriever):
    from assistant.textutil import stem, tokens

    idx = real_retriever.index
    q = "Why is it a mistake to focus only on people's problems?"
    terms = real_retriever.keyword_terms(q, idx)
    assert all(terms[t] == 1.0 for t in tokens(q))  # the question's own words keep full weight
    widened = {t: w for t, w in terms.items() if t not in tokens(q)}
    assert stem("difficulties") in widened  # the guidance says "difficulties" where the question says "problems"
    assert all(0 < w < real_retriever.settings.expansion_weight + 1e-6 for w in widened.values())
    assert set(widened) <= set(idx.bm25.idf)
    plain = real_retriever.__class__(real_retriever.settings.model_copy(update={"query_expansion": False}))
    assert plain.keyword_terms(q, plain.index) == dict.fromkeys(tokens(q), 1.0)


@pytest.mark.parametrize("query,resolved", [
    ("Will working this way save money?", "Will strengths-based approaches save money?"),
    ("Is this way of working new?", "Is strengths-based approaches new?"),
    ("What do managers need to change for this to work?", "What do managers need to change for strengths-based approaches to work?"),
    ("Does this approach suit children?", "Does strengths-based approaches suit children?"),
    ("Who wrote this report?", None),
    ("What is this document for?", None),
    ("How do I run a strengths-based conversation?", None),
])
def test_this_way_of_working_is_read_as_the_library_topic(query, resolved):
    from assistant.search.retrieve import resolve_topic

    assert resolve_topic(query, "strengths-based approaches") == resolved
    assert resolve_topic(query, "") is None  # the setting turned off


def test_topic_reading_is_blended_with_the_question_as_asked(real_retriever):
    import numpy as np

    q = "Will working this way save the council money in the first year?"
    emb = real_retriever.embedder
    v = real_retriever.query_vector(q)
    assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-4
    assert float(v @ emb.encode_query(q)) > 0.8 and float(v @ emb.encode_query(q)) < 0.999
    plain = "How do I start a strengths-based conversation?"
    assert np.allclose(real_retriever.query_vector(plain), emb.encode_query(plain))
    hits = real_retriever.search(q, k=5)
    assert any("should not be considered a quick fix" in h.text for h in hits)
