"""An ingest that keeps most of the library writes the same generation as a rebuild, without re-doing the kept part.

Each test changes the library, ingests (incrementally), then rebuilds from scratch and compares the two
generations file by file and vector by vector (fake embeddings, a real Chroma in a temp dir)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant.index import generation, sentence_vectors, word_vectors
from assistant.index.lexical import BM25, Builder
from assistant.index.store import Index, ingest, library_dir
from assistant.search.retrieve import Retriever
from assistant.settings import get_settings

NOTE = "# Lunch club\n\nThe lunch club meets on Tuesdays at the library. Volunteers drive people who cannot use the bus.\n"


def _vectors(idx: Index) -> dict[str, tuple[list[float], dict]]:
    got = idx.collection.get(include=["embeddings", "metadatas"])
    return {i: (np.asarray(e).tolist(), m) for i, e, m in zip(got["ids"], got["embeddings"], got["metadatas"])}


def _postings(bm: BM25) -> dict[str, tuple[list[int], list[float], float]]:
    out = {}
    for term in bm.terms.tolist():
        ix, tf, idf = bm.postings(term)
        out[term] = (np.asarray(ix).tolist(), np.asarray(tf).tolist(), idf)
    return out


def assert_same_generation(a: Index, b: Index) -> None:
    """Everything a search reads is equal (the vector store compared by id, not by storage layout)."""
    assert [c.model_dump() for c in a.chunks] == [c.model_dump() for c in b.chunks]
    assert {k: v.model_dump() for k, v in a.documents.items()} == {k: v.model_dump() for k, v in b.documents.items()}
    assert _postings(a.bm25) == _postings(b.bm25)
    assert np.asarray(a.bm25.doc_len).tolist() == np.asarray(b.bm25.doc_len).tolist()
    for name in (sentence_vectors.MATRIX, sentence_vectors.COUNTS, sentence_vectors.HASHES, word_vectors.MATRIX):
        assert np.array_equal(np.load(a.path / name), np.load(b.path / name)), name
    assert json.loads((a.path / "sentences.json").read_text()) == json.loads((b.path / "sentences.json").read_text())
    assert json.loads((a.path / "terms.json").read_text()) == json.loads((b.path / "terms.json").read_text())
    va, vb = _vectors(a), _vectors(b)  # a vector read back from Chroma comes out normalised again: ~1e-8 apart
    assert va.keys() == vb.keys() and all(va[k][1] == vb[k][1] for k in va)
    assert all(np.allclose(va[k][0], vb[k][0], atol=1e-6) for k in va)
    strip = lambda m: {k: {f: v for f, v in d.items() if f != "added"} for k, d in m["docs"].items()}
    assert strip(a.manifest) == strip(b.manifest)


def _snapshot(s, tmp_path) -> Index:
    """The live generation, copied aside (a rebuild deletes the generation before the previous one)."""
    live = Index.open(s)
    shutil.copytree(live.path, tmp_path / "snapshot" / live.gen)
    return Index(s, tmp_path / "snapshot", live.gen)


def _rebuild_and_compare(s, tmp_path) -> None:
    incremental = _snapshot(s, tmp_path)
    ingest(s, rebuild=True, progress=False)
    assert_same_generation(incremental, Index.open(s))


def test_adding_one_document_copies_the_rest_and_matches_a_rebuild(corpus_copy, tmp_path):
    s = get_settings()
    first = ingest(s, progress=False)
    before = Index.open(s)
    note = tmp_path / "lunch-club.md"
    note.write_text(NOTE, encoding="utf-8")
    rep = ingest(s, [note], progress=False)
    assert rep.added == ["lunch-club"] and len(rep.unchanged) == len(first.added)
    assert rep.chunks_embedded == 1 and rep.chunks_total == first.chunks_total + 1
    after = Index.open(s)
    assert (after.path / "chroma").is_dir() and after.collection.count() == len(after.chunks)
    # The previous generation is untouched: a search still open on it sees the old library, whole.
    assert before.collection.count() == len(before.chunks) == first.chunks_total
    assert not before.collection.get(where={"doc_id": "lunch-club"})["ids"]
    assert Retriever(s).search("lunch club Tuesdays library", k=1)[0].doc_id == "lunch-club"
    _rebuild_and_compare(s, tmp_path)


def test_changed_and_removed_documents_match_a_rebuild(corpus_copy, tmp_path):
    s = get_settings()
    ingest(s, progress=False)
    doc = next((corpus_copy / "guidance").glob("what-next*.md"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\nA closing paragraph about allotments and seed swaps.\n",
                   encoding="utf-8")
    next((corpus_copy / "guidance").glob("looking*.md")).unlink()
    rep = ingest(s, progress=False)
    assert rep.updated == ["what-next-for-strengths-based-areas"] and len(rep.removed) == 1
    assert 0 < rep.chunks_embedded <= 2  # the changed document's unchanged passages keep their vectors
    idx = Index.open(s)
    assert idx.collection.count() == len(idx.chunks)
    assert not idx.collection.get(where={"doc_id": rep.removed[0]})["ids"]
    _rebuild_and_compare(s, tmp_path)


def test_an_index_made_with_older_tokens_remakes_its_keyword_postings_and_keeps_its_vectors(corpus_copy, tmp_path,
                                                                                            monkeypatch):
    s = get_settings()
    monkeypatch.setattr(generation, "TOKENS_VERSION", "0")  # as an earlier release wrote it
    ingest(s, progress=False)
    old = Index.open(s)
    monkeypatch.setattr(generation, "TOKENS_VERSION", "1")
    rep = ingest(s, progress=False)
    assert rep.chunks_embedded == 0 and not (rep.added or rep.updated or rep.removed)
    remade = Index.open(s).gen
    assert remade != old.gen  # a new generation, not "nothing changed"
    ingest(s, progress=False)
    assert Index.open(s).gen == remade  # and once remade, nothing changed again
    _rebuild_and_compare(s, tmp_path)


def test_a_generation_without_positions_or_word_pieces_is_still_reused(corpus_copy, tmp_path):
    """Generations written before this version lack the manifest's positions and terms.pieces.jsonl."""
    s = get_settings()
    ingest(s, progress=False)
    old = Index.open(s)
    manifest = json.loads((old.path / "manifest.json").read_text())
    for d in manifest["docs"].values():
        d.pop("first"), d.pop("lexical")
    (old.path / "manifest.json").write_text(json.dumps(manifest))
    (old.path / word_vectors.PIECES).unlink()
    note = tmp_path / "lunch-club.md"
    note.write_text(NOTE, encoding="utf-8")
    rep = ingest(s, [note], progress=False)
    assert rep.chunks_embedded == 1 and len(rep.unchanged) == 5
    assert (Index.open(s).path / word_vectors.PIECES).is_file()
    _rebuild_and_compare(s, tmp_path)


def test_removing_most_of_the_library_starts_a_fresh_vector_store(corpus_copy, tmp_path):
    s = get_settings()
    note = tmp_path / "lunch-club.md"
    note.write_text(NOTE, encoding="utf-8")
    ingest(s, [note], progress=False)
    for f in list((corpus_copy / "guidance").glob("*.md"))[1:]:
        f.unlink()
    rep = ingest(s, progress=False)
    assert len(rep.removed) == 4
    idx = Index.open(s)
    assert idx.collection.count() == len(idx.chunks)
    assert (library_dir(s) / "lunch-club.md").exists()
    _rebuild_and_compare(s, tmp_path)


@pytest.mark.parametrize("keep", [[0, 2], [1], [], [0, 1, 2, 3]])
def test_keyword_index_built_from_kept_postings_scores_as_a_full_build(keep):
    texts = ["Carers have a right to an assessment of their own needs.", "The lunch club meets on Tuesdays.",
             "Ask what matters to the person, in their own words.", "Assessment of needs: carers and the cared-for."]
    old = BM25.build(texts)
    new = ["A brand new passage about carers' breaks and lunch."]
    b = Builder()
    expected = []
    for i in range(len(texts)):  # kept passages stay in their order, the new one goes in the middle
        if i in keep:
            b.add_kept(old, i, i + 1)
            expected.append(texts[i])
        if i == 1:
            b.add_texts(new)
            expected += new
    got, full = b.build(), BM25.build(expected)
    assert _postings(got) == _postings(full) and got.n == full.n
    for q in ("carers assessment", "lunch", "own words needs"):
        assert got.search(q, 5) == full.search(q, 5)
    assert max(got.idf.values()) == max(full.idf.values())  # no term of a dropped passage lingers


def test_batches_hold_a_bounded_share_of_the_library(corpus_copy, monkeypatch, tmp_path):
    """A small batch size forces many flushes: the generation is the same as one written in one go."""
    s = get_settings()
    monkeypatch.setattr(generation, "BATCH", 3)
    ingest(s, progress=False)
    small = _snapshot(s, tmp_path)
    monkeypatch.setattr(generation, "BATCH", 10_000)
    ingest(s, rebuild=True, progress=False)
    assert_same_generation(small, Index.open(s))


def test_documents_held_beyond_the_memory_budget_are_read_again(corpus_copy, monkeypatch, tmp_path):
    from assistant.index import store

    s = get_settings()
    monkeypatch.setattr(store._Source, "HOLD_CHARS", 0)
    ingest(s, progress=False)
    dropped = _snapshot(s, tmp_path)
    monkeypatch.setattr(store._Source, "HOLD_CHARS", 10**9)
    ingest(s, rebuild=True, progress=False)
    assert_same_generation(dropped, Index.open(s))
