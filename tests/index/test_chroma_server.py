"""The index against a real Chroma server on loopback, configured the way a user would (ASSISTANT_CHROMA_*)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.index.store import Index, index_root, ingest
from assistant.search.retrieve import Retriever
from assistant.settings import get_settings

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_cli() -> Path | None:
    exe = Path(sys.executable).parent / "chroma"
    return exe if exe.exists() else (Path(p) if (p := shutil.which("chroma")) else None)


def _heartbeat(port: int) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A Chroma server in a temp folder on a free loopback port; stopped when the module ends."""
    exe = _chroma_cli()
    if exe is None:
        pytest.skip("the chroma CLI is not installed next to this Python (pip install chromadb)")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data.parent / f"chroma-{port}.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 45
    while not _heartbeat(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait(timeout=10)
            log.close()
            tail = Path(log.name).read_text(errors="replace")[-500:]
            pytest.skip(f"the chroma server did not start on 127.0.0.1:{port}: {tail}")
        time.sleep(0.2)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    log.close()


@pytest.fixture
def server_settings(chroma_server, tmp_path, monkeypatch, fake_model):
    """Settings pointing at the server, with a writable corpus copy."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS / "guidance", dst / "guidance")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(dst))
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_CHROMA_PORT", str(chroma_server))
    get_settings.cache_clear()
    return get_settings()


def _server_collections(settings) -> list[str]:
    import chromadb

    client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                 settings=chromadb.Settings(anonymized_telemetry=False))
    prefix = index_root(settings).name + "-"
    return sorted(c.name for c in client.list_collections() if c.name.startswith(prefix))


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
