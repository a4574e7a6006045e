"""Index plumbing with deterministic fake embeddings and a real Chroma in a temp dir."""

from __future__ import annotations

import json

import pytest

from assistant.errors import IndexBusyError, NoIndexError
from assistant.index.store import (
    Index,
    index_root,
    ingest,
    library_dir,
    remove_documents,
    safe_filename,
)
from assistant.search.retrieve import Retriever
from assistant.settings import get_settings


def test_no_index_message_names_the_fix(fake_model):
    with pytest.raises(NoIndexError, match="assistant ingest"):
        Index.open(get_settings())


def test_ingest_then_reingest_embeds_nothing(corpus_copy):
    s = get_settings()
    first = ingest(s, progress=False)
    assert len(first.added) == 5 and first.chunks_embedded == first.chunks_total > 20
    again = ingest(s, progress=False)
    assert again.chunks_embedded == 0 and len(again.unchanged) == 5 and not again.added
    idx = Index.open(s)
    ids = [c.chunk_id for c in idx.chunks]
    assert len(ids) == len(set(ids)) == idx.collection.count()


def test_changed_document_is_the_only_one_reembedded(corpus_copy):
    s = get_settings()
    ingest(s, progress=False)
    before = Index.open(s)
    doc = next((corpus_copy / "guidance").glob("what-next*.md"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\nA brand new closing paragraph about allotments.\n",
                   encoding="utf-8")
    rep = ingest(s, progress=False)
    assert rep.updated == ["what-next-for-strengths-based-areas"]
    assert 0 < rep.chunks_embedded <= 2  # only the changed passage(s)
    after = Index.open(s)
    assert after.gen != before.gen
    assert after.collection.count() == len(after.chunks)
    hits = Retriever(s).search("allotments closing paragraph", k=1)
    assert "allotments" in hits[0].text


def test_removed_document_leaves_the_index(corpus_copy):
    s = get_settings()
    ingest(s, progress=False)
    next((corpus_copy / "guidance").glob("looking*.md")).unlink()
    rep = ingest(s, progress=False)
    assert rep.removed == ["looking-for-strengths-at-the-heart-of-social-care"]
    idx = Index.open(s)
    assert all(c.doc_id != rep.removed[0] for c in idx.chunks)
    assert idx.collection.count() == len(idx.chunks)


def test_new_model_setting_builds_a_separate_index(corpus_copy, monkeypatch):
    s = get_settings()
    ingest(s, progress=False)
    monkeypatch.setenv("ASSISTANT_CHUNK_TARGET_CHARS", "200")
    get_settings.cache_clear()
    s2 = get_settings()
    assert index_root(s2) != index_root(s)
    with pytest.raises(NoIndexError):
        Index.open(s2)


def test_user_files_added_skipped_and_removed(corpus_copy, tmp_path):
    s = get_settings()
    good = tmp_path / "Local offer.md"
    good.write_text("# Local offer\n\nThe Wednesday lunch club at the library welcomes carers.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    fake_pdf = tmp_path / "broken.pdf"
    fake_pdf.write_bytes(b"%PDF-1.4\nnot really a pdf")
    dup = tmp_path / "copy-of-offer.md"
    dup.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    rep = ingest(s, [good, empty, fake_pdf, dup, tmp_path / "missing.md"], progress=False)
    assert "local-offer" in rep.added
    reasons = " ".join(rep.skipped.values())
    assert "empty" in reasons and "PDF" in reasons and "duplicate" in reasons and "no such file" in reasons
    assert (library_dir(s) / "Local offer.md").exists()
    assert Retriever(s).search("Wednesday lunch club", k=1)[0].doc_id == "local-offer"
    rep = remove_documents(s, ["local-offer"])
    assert rep.removed == ["local-offer"]
    with pytest.raises(Exception, match="shipped corpus"):
        remove_documents(s, ["what-next-for-strengths-based-areas"])


def test_second_writer_gets_a_clear_message(corpus_copy):
    from filelock import FileLock

    s = get_settings()
    root = index_root(s)
    root.mkdir(parents=True)
    with FileLock(str(root / ".lock")):
        with pytest.raises(IndexBusyError, match="Wait for it to finish"):
            ingest(s, progress=False)


def test_manifest_records_settings_and_hashes(corpus_copy):
    s = get_settings()
    ingest(s, progress=False)
    idx = Index.open(s)
    m = json.loads((idx.path / "manifest.json").read_text())
    assert m["model"] == "fake-hash" and m["chunk_target_chars"] == s.chunk_target_chars
    assert all(len(d["hash"]) == 40 for d in m["docs"].values())


@pytest.mark.parametrize("name,expected", [("../../etc/passwd.md", "passwd.md"), ("..\\evil.txt", "evil.txt"),
                                           (".hidden.md", "hidden.md"), ("a<b>|c.PDF", "a_b_c.pdf")])
def test_upload_names_cannot_escape_the_library(name, expected):
    assert safe_filename(name) == expected
