"""Hybrid search quality on the shipped corpus with the real bundled model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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
    from assistant.search.retrieve import as_langchain_retriever

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
    from assistant.inputs import validate_query

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


# ---------------------------------------------------------------- sentence vectors


def test_pronoun_led_sentences_carry_their_antecedent():
    from assistant.index.sentence_vectors import units
    from assistant.types import Chunk, Document

    text = "Carers know the person well. It may also help delay further needs.\n\nOther section text."
    doc = Document(doc_id="d", title="T", text=text, source_path="d.md", content_hash="h")
    a = Chunk(chunk_id="a", doc_id="d", text=text[:28], start=0, end=28, section="S")
    b = Chunk(chunk_id="b", doc_id="d", text=text[29:67], start=29, end=67, section="S")
    o = text.index("Other")
    c = Chunk(chunk_id="c", doc_id="d", text=text[o:], start=o, end=len(text), section="Other")
    assert units([a, b, c], {"d": doc}) == [
        ["Carers know the person well."],
        ["Carers know the person well. It may also help delay further needs."],  # antecedent from the passage before
        ["Other section text."]]  # a new section never borrows


def _gen_files(settings):
    from assistant.index.store import Index

    idx = Index.open(settings)
    return idx, sorted(p.name for p in idx.path.iterdir())


def test_sentence_vectors_are_built_reused_and_follow_the_setting(fake_model, tmp_path):
    from assistant.index import sentence_vectors
    from assistant.index.sentence_vectors import META, SentenceVectors
    from assistant.index.store import ingest
    from assistant.search.retrieve import Retriever
    from assistant.settings import load_settings

    off = load_settings(sentence_vectors=False)
    ingest(off, progress=False)
    idx_off, files = _gen_files(off)
    assert META not in files and Retriever(off).search("family friends")  # built without: chunk vectors only
    on = load_settings()
    assert Retriever(on).sentence_vectors(idx_off) is None and Retriever(on).search("family friends")
    rep = ingest(on, progress=False)  # nothing changed in the corpus, but the setting now wants sentences
    idx_on, files = _gen_files(on)
    assert idx_on.gen != idx_off.gen and META in files and rep.chunks_embedded == 0
    sv = SentenceVectors.load(idx_on.path, [c.chunk_id for c in idx_on.chunks])
    assert sv is not None and len(sv.starts) == len(idx_on.chunks) and len(sv.matrix) >= len(idx_on.chunks)
    ingest(on, progress=False)
    assert _current_gen(on) == idx_on.gen  # up to date: no new generation
    docs = list(idx_on.documents.values())
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert sentence_vectors.write(on, fresh, idx_on.path, idx_on.chunks, docs) == 0  # all reused by hash
    assert (fresh / "sentences.npy").read_bytes() == (idx_on.path / "sentences.npy").read_bytes()
    assert sentence_vectors.write(on, fresh, None, idx_on.chunks, docs) == len(sv.matrix)  # nothing to reuse
    ingest(off, progress=False)
    assert _current_gen(off) == idx_on.gen  # turning them off needs no rebuild: search just ignores them
    assert Retriever(off).sentence_vectors(idx_on) is None


def _current_gen(settings) -> str:
    from assistant.index.store import Index

    return Index.open(settings).gen


def test_sentence_vectors_of_another_generation_are_refused(fake_model):
    from assistant.index.sentence_vectors import SentenceVectors
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    s = load_settings()
    ingest(s, progress=False)
    idx, _ = _gen_files(s)
    ids = [c.chunk_id for c in idx.chunks]
    assert SentenceVectors.load(idx.path, ids[:-1]) is None  # passages differ: never mix
    (idx.path / "sentences.npy").write_bytes(b"damaged")
    assert SentenceVectors.load(idx.path, ids) is None


@pytest.mark.parametrize("query,expected", [
    ("Do people facing big problems still have strengths?", "these people always have strengths and resources too"),
    ("Do staff need time to learn about community resources?", "familiarisation with community resources"),
    ("Could building on strengths put off further needs developing?", "help delay the development of further needs"),
])
def test_paraphrase_of_one_sentence_ranks_its_passage_first(real_retriever, query, expected):
    """Each passage has two or three sentences; the question paraphrases one (its best sentence decides)."""
    assert real_retriever.settings.sentence_vectors
    top = real_retriever.search(query, k=3)[0]
    assert expected in top.text, top.text[:80]


def test_large_libraries_rescore_candidates_with_their_sentences(real_settings):
    """Above the scan limit only the candidates' sentences are compared: same scores for those passages."""
    from assistant.search.retrieve import Retriever

    full = Retriever(real_settings)
    idx = full.index
    sv = full.sentence_vectors(idx)
    q = full.embedder.encode_query("Do people facing big problems still have strengths?")
    pos = np.array([3, 0, len(idx.chunks) - 1, 7])
    assert np.allclose(sv.best_of(q, pos), sv.best(q)[pos])
    limited = Retriever(real_settings.model_copy(update={"sentence_scan_limit": 0}))
    hits = limited.search("Do staff need time to learn about community resources?", k=5)
    assert any("familiarisation with community resources" in h.text for h in hits)


def test_every_candidate_gets_its_keyword_score_whatever_else_the_library_holds(corpus_copy):
    """Unrelated pages that fill BM25's own top places no longer leave a guidance candidate at keyword score 0."""
    from assistant.index.store import ingest
    from assistant.search.retrieve import Retriever
    from assistant.settings import load_settings

    for i in range(40):
        (corpus_copy / "guidance" / f"bins-{i:02d}.md").write_text(
            f"---\ntitle: Bins and council tax {i}\n---\n\n# Bins {i}\n\nThe council collects family bins on "
            f"Tuesday in ward {i}. Council tax for a family home pays for the council's bins and friends of the "
            f"park.\n", encoding="utf-8")
    settings = load_settings(candidate_k=5)
    ingest(settings, progress=False)
    query = "council family friends support"
    pool = Retriever(settings).search(query, k=20)
    top = Retriever(settings.model_copy(update={"lexical_scope": "top"})).search(query, k=20)
    words = {"famili", "friend", "support", "council"}
    from assistant.textutil import tokens

    shares = [p for p in pool if words & set(tokens(p.text))]
    assert shares and all(p.lexical > 0 for p in shares)
    assert any(p.lexical == 0 and words & set(tokens(p.text)) for p in top)  # before: zero outside BM25's top 5


@pytest.mark.parametrize("question", ["list who the new strengths based areas paper is for",
                                      "which people is the what next for strengths-based areas paper meant for"])
def test_a_passage_cut_into_fragments_is_not_buried_by_its_sentences(real_settings, question):
    """The audience passage of the strengths-based areas paper is one long list of roles; its pieces each match the
    question far less than the whole passage does. Its best-sentence score is floored near the passage's own."""
    from assistant.search.retrieve import Retriever
    from assistant.search.understand import search

    def found(settings):
        return any("elected members" in p.text.lower() for p in search(Retriever(settings), question, 5))

    assert found(real_settings)
    # the document prior (the paper's own words are all in its document) lifts it as well: off, to see the floor's part
    assert not found(real_settings.model_copy(update={"sentence_floor": None, "document_weight": 0.0}))


def _council_tax_pages(corpus: Path) -> None:
    """Ten council-tax pages, one per town, beside the guidance."""
    towns = ["Ashby", "Brigg", "Crewe", "Dudley", "Epsom", "Frome", "Goole", "Hythe", "Ilkley", "Jarrow"]
    for i, town in enumerate(towns):
        (corpus / "guidance" / f"council-tax-{i:02d}.md").write_text(
            f"---\ntitle: Council tax in {town}\n---\n\n# Paying your council tax in {town}\n\nIf your income is low "
            f"{town} council may reduce your bill; check how much you can get with the council's online "
            f"calculator. Your council tax band in {town} is set by the valuation office.\n", encoding="utf-8")


def test_pages_far_from_the_library_topic_do_not_crowd_out_the_guidance(corpus_copy):
    """Council-tax pages share "council" with the question and nothing of its subject; with the off-topic penalty
    the guidance's toolkit passage is found, without it the pages fill the results."""
    from assistant.index.store import ingest
    from assistant.search.retrieve import Retriever
    from assistant.settings import load_settings

    _council_tax_pages(corpus_copy)
    settings = load_settings(model="all-MiniLM-L6-v2").model_copy(update={"off_topic_weight": 10.0})  # opt-in
    ingest(settings, progress=False)
    question = "Is there a tool I can use to check how far my own council has got with working this way?"

    def toolkit_rank(s) -> int | None:
        hits = Retriever(s).search(question, k=5)
        return next((h.rank for h in hits if "toolkit" in h.text), None)

    assert toolkit_rank(settings) is not None
    assert toolkit_rank(settings.model_copy(update={"off_topic_weight": 0.0})) is None


def test_a_passage_whose_document_has_the_questions_words_beats_pages_that_share_one(corpus_copy):
    """With no off-topic penalty: each council-tax page shares "council" and "check" with the question, the guidance
    documents have most of its words, so a guidance passage comes first; without the document prior a council-tax
    page does."""
    from assistant.index.store import ingest
    from assistant.search.retrieve import Retriever
    from assistant.settings import load_settings

    _council_tax_pages(corpus_copy)
    settings = load_settings(model="all-MiniLM-L6-v2")
    assert settings.document_weight > 0 and settings.off_topic_weight == 0
    ingest(settings, progress=False)
    question = "Is there a tool I can use to check how far my own council has got with working this way?"

    def first(s) -> str:
        return Retriever(s).search(question, k=5)[0].doc_id

    assert not first(settings).startswith("council-tax")
    assert first(settings.model_copy(update={"document_weight": 0.0})).startswith("council-tax")


def test_document_cover_weighs_the_questions_words_by_rarity(real_settings):
    from assistant.search.retrieve import Retriever

    r = Retriever(real_settings)
    idx = r.index
    munro = next(c.chunk_id for c in idx.chunks if "Munro" in idx.documents[c.doc_id].text)
    other = next(c.chunk_id for c in idx.chunks if "Munro" not in idx.documents[c.doc_id].text)
    cover = r.document_cover(idx, "what did the Munro review say", [munro, other])
    assert cover[0] > cover[1] and 0 <= cover[1] < cover[0] <= 1
    assert not r.document_cover(idx, "what is it", [munro]).any()  # no words of its own: no prior


def test_a_library_without_a_topic_has_no_off_topic_penalty(real_settings):
    from assistant.search.retrieve import Retriever

    r = Retriever(real_settings.model_copy(update={"library_topic": ""}))
    idx = r.index
    assert r.topic_vector() is None
    assert not r.off_topic_penalty(idx, idx.chunks.ids[:5]).any()
    on = Retriever(real_settings.model_copy(update={"off_topic_weight": 10.0}))
    assert on.off_topic_penalty(idx, list(idx.chunks.ids)).max() == 0.0  # every guidance passage is on topic
