"""The generation's binary files: string tables, the BM25 arrays, lazily read passages, old layouts, batching."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant.errors import NoIndexError
from assistant.index import lexical, passages, sentence_vectors
from assistant.index.lexical import BM25
from assistant.index.onnx_backend import padding, plan_batches
from assistant.index.packed import Strings, line_offsets
from assistant.index.store import Index, ingest
from assistant.search.retrieve import Retriever
from assistant.settings import get_settings

TEXTS = ["Carers know the person well.", "The carer's assessment looks at wellbeing.", "Munro 2011 review",
         "Strengths and community resources — wellbeing first.", "Naïve café résumé 6.64", ""]


def test_strings_find_every_entry_and_nothing_else(tmp_path):
    items = ["alpha", "bêta", "γάμμα", "", "alpha2", "x" * 300]
    Strings.build(items).save(tmp_path / "t")
    table = Strings.load(tmp_path / "t")
    assert table.tolist() == items and [table[i] for i in range(len(items))] == items
    assert [table.find(s) for s in items] == list(range(len(items)))
    assert table.find("beta") == -1 and table.find("alpha ") == -1


def _old_json(bm: BM25, path) -> None:
    """bm25.json as generations before the array layout wrote it."""
    posts = {t: [bm.docs[bm.offsets[j]:bm.offsets[j + 1]].tolist(), bm.tf[bm.offsets[j]:bm.offsets[j + 1]].tolist()]
             for j, t in enumerate(bm.terms.tolist())}
    path.write_text(json.dumps({"k1": bm.k1, "b": bm.b, "doc_len": bm.doc_len.tolist(), "postings": posts}))


@pytest.mark.parametrize("query", ["carer wellbeing", "munro 2011", "café 6.64", "nothing matches here"])
def test_bm25_arrays_and_old_json_search_alike(tmp_path, query):
    built = BM25.build(TEXTS)
    built.save(tmp_path)
    _old_json(built, tmp_path / lexical.LEGACY)
    mapped, legacy = BM25.open(tmp_path), BM25.load_json(tmp_path / lexical.LEGACY)
    assert isinstance(mapped.docs, np.memmap)  # opened, not parsed
    want = built.search(query, 10)
    assert mapped.search(query, 10) == legacy.search(query, 10) == want
    assert dict(mapped.idf) == dict(legacy.idf) == dict(built.idf)
    assert ("carer" in mapped.idf) and ("zzz" not in mapped.idf) and mapped.idf.get("zzz", 7.0) == 7.0
    assert max(mapped.idf.values()) == max(dict(built.idf).values())
    if query == "carer wellbeing":
        assert {i for i, _ in want} == {0, 1, 3} and want[0][1] > 0  # "Carers" stems to "carer"


def test_damaged_bm25_files_are_refused(tmp_path):
    BM25.build(TEXTS).save(tmp_path)
    np.save(tmp_path / lexical.FOLDER / "offsets.npy", np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="disagree"):
        BM25.open(tmp_path)


def test_line_offsets_skip_blank_lines(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a":1}\n\n{"b":2}\n')
    off = line_offsets(p)
    data = p.read_bytes()
    assert [json.loads(data[a:b]) for a, b in zip(off[:-1], off[1:])] == [{"a": 1}, {"b": 2}]


def _downgrade(gen) -> None:
    """Rewrite a generation in the layout earlier versions wrote (JSON BM25, no offsets, sentence JSON)."""
    bm = BM25.open(gen)
    _old_json(bm, gen / lexical.LEGACY)
    shutil.rmtree(gen / lexical.FOLDER)
    for f in gen.glob("chunks.ids.*"):
        f.unlink()
    (gen / passages.OFFSETS).unlink()
    meta = json.loads((gen / sentence_vectors.META).read_text())
    ids = [json.loads(l)["chunk_id"] for l in (gen / passages.CHUNKS).read_text().splitlines() if l.strip()]
    old = {"recipe": meta["recipe"], "chunk_ids": ids,
           "counts": np.load(gen / sentence_vectors.COUNTS).tolist(),
           "hashes": [h.decode() for h in np.load(gen / sentence_vectors.HASHES).tolist()]}
    (gen / sentence_vectors.META).write_text(json.dumps(old))
    (gen / sentence_vectors.COUNTS).unlink()
    (gen / sentence_vectors.HASHES).unlink()


def test_an_index_in_the_old_layout_opens_alike_and_the_next_ingest_rewrites_it(fake_model):
    s = get_settings()
    ingest(s, progress=False)
    idx = Index.open(s)
    queries = ["family friends", "carer's assessment", "munro 2011"]
    before = [[(p.chunk_id, p.score) for p in Retriever(s).search(q)] for q in queries]
    _downgrade(idx.path)
    old = Index.open(s)
    assert not passages.is_packed(old.path) and not BM25.is_packed(old.path)
    assert [c.chunk_id for c in old.chunks] == idx.chunks.ids
    assert Retriever(s).sentence_vectors(old) is not None  # the old sentence metadata is still understood
    assert [[(p.chunk_id, p.score) for p in Retriever(s).search(q)] for q in queries] == before
    rep = ingest(s, progress=False)  # nothing changed, but the layout is old: rewritten, nothing re-embedded
    new = Index.open(s)
    assert new.gen != old.gen and rep.chunks_embedded == 0
    assert passages.is_packed(new.path) and BM25.is_packed(new.path) and sentence_vectors.up_to_date(s, new.path)
    # A new Chroma collection's approximate graph may find other far neighbours, nudging the standardised
    # scores; what is found first must not change.
    assert [[p.chunk_id for p in Retriever(s).search(q)][:3] for q in queries] == [[c for c, _ in b][:3] for b in before]


def test_passages_are_read_one_at_a_time_and_by_id(fake_model):
    s = get_settings()
    ingest(s, progress=False)
    idx = Index.open(s)
    lines = [json.loads(l) for l in (idx.path / passages.CHUNKS).read_text().splitlines() if l.strip()]
    assert len(idx.chunks) == len(lines) and idx.chunks[-1].chunk_id == lines[-1]["chunk_id"]
    some = lines[len(lines) // 2]
    pos = idx.position[some["chunk_id"]]
    assert idx.chunks[pos].model_dump() == some and idx.by_id[some["chunk_id"]].text == some["text"]
    assert "no-such-id" not in idx.by_id and idx.position.get("no-such-id") is None
    assert idx.chunks[1:3] == [idx.chunks[1], idx.chunks[2]]
    assert set(idx.documents) == set(idx.manifest["docs"])


def test_passage_offsets_that_do_not_match_the_file_are_refused(fake_model):
    s = get_settings()
    ingest(s, progress=False)
    gen = Index.open(s).path
    np.save(gen / passages.OFFSETS, np.array([0, 5], dtype=np.int64))
    with pytest.raises(NoIndexError, match="incomplete or damaged"):
        Index.open(s)


def test_batches_cover_every_text_once_within_the_token_budget():
    rng = np.random.default_rng(0)
    lengths = np.concatenate([rng.integers(3, 8, 400), rng.integers(20, 60, 90), rng.integers(60, 130, 40)])
    batches = plan_batches(lengths, budget=768)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert all(len(b) * lengths[b].max() <= 768 or len(b) == 1 for b in batches)
    assert [lengths[b].max() for b in batches] == sorted((lengths[b].max() for b in batches), reverse=True)
    unsorted = [np.arange(i, min(i + 8, len(lengths))) for i in range(0, len(lengths), 8)]
    assert padding(lengths, batches) < padding(lengths, unsorted) and len(batches) < len(unsorted)
