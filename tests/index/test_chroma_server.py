"""The index against a real Chroma server on loopback, configured the way a user would (ASSISTANT_CHROMA_*)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.index.store import Index, index_root, ingest
from assistant.search.retrieve import Retriever
from assistant.settings import get_settings

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture
def server_settings(chroma_server, tmp_path, monkeypatch, fake_model):
    """Settings pointing at the server, with a writable corpus copy."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS / "guidance", dst / "guidance")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(dst))
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_CHROMA_PORT", str(chroma_server))
    monkeypatch.setenv("ASSISTANT_INDEX_NAME", tmp_path.name)  # the server is shared by the session's tests
    get_settings.cache_clear()
    return get_settings()


def _server_collections(settings) -> list[str]:
    """The library's passage-vector collections (one per generation) on the server."""
    import chromadb

    client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                 settings=chromadb.Settings(anonymized_telemetry=False))
    prefix = index_root(settings).name + "-"
    return sorted(c.name for c in client.list_collections()
                  if c.name.startswith(prefix) and "." not in c.name)


def test_ingest_and_search_through_the_server(server_settings):
    s = server_settings
    before = set(_server_collections(s))  # the server is shared by this module's tests
    rep = ingest(s, progress=False)
    assert len(rep.added) == 5 and rep.chunks_embedded == rep.chunks_total
    idx = Index.open(s)
    assert not (idx.path / "chroma").exists()  # vectors live on the server, not in the embedded store
    assert set(_server_collections(s)) - before == {f"{idx.root.name}-{idx.gen}"}
    assert idx.collection.count() == len(idx.chunks)
    hits = Retriever(s).search("munro 2011", k=3)
    assert "Munro" in hits[0].text


def test_reingest_after_a_change_keeps_working(server_settings):
    s = server_settings
    before = set(_server_collections(s))
    ingest(s, progress=False)
    first = Index.open(s).gen
    doc = next((s.corpus_path / "guidance").glob("what-next*.md"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\nA new closing paragraph about allotment sharing.\n",
                   encoding="utf-8")
    rep = ingest(s, progress=False)
    assert rep.updated == ["what-next-for-strengths-based-areas"] and 0 < rep.chunks_embedded <= 2
    second = Index.open(s)
    assert second.gen != first and second.collection.count() == len(second.chunks)
    hits = Retriever(s).search("allotment sharing closing paragraph", k=3)
    assert any("allotment sharing" in h.text for h in hits)

    doc.unlink()
    rep = ingest(s, progress=False)
    third = Index.open(s)
    assert rep.removed == ["what-next-for-strengths-based-areas"]
    assert all(c.doc_id != rep.removed[0] for c in third.chunks)
    # Older generations' collections are dropped: only the live one and the one before stay.
    assert set(_server_collections(s)) - before == {f"{third.root.name}-{g}" for g in (second.gen, third.gen)}
