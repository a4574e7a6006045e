"""Server mode: several app processes, each with its own empty local folder, sharing one library on a real
Chroma server (`chroma run` on loopback). Fake embeddings: these tests are about plumbing, not quality."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.errors import IndexBusyError
from assistant.index import remote
from assistant.index.store import Index, index_root, ingest
from assistant.search.retrieve import Retriever
from assistant.settings import get_settings, load_settings

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
WORDS = ("allotment", "bicycle", "canal", "dominoes", "embroidery", "ferry", "gardening", "harmonica", "ironing",
         "juggling", "kayak", "lantern", "marmalade", "netball", "orchard", "pottery", "quilting", "rowing",
         "sourdough", "tandem", "ukulele", "violin", "woodwork", "xylophone", "yoga", "zither")


def guidance_file(path: Path, title: str, paragraphs: int, seed: int = 0) -> Path:
    """A generated Markdown guidance document; every paragraph names a different pair of hobbies."""
    lines = ["---", f"title: {title}", "publisher: Test Council", "---", "", f"# {title}", ""]
    for i in range(paragraphs):
        a, b = WORDS[(i + seed) % len(WORDS)], WORDS[(i * 7 + seed + 3) % len(WORDS)]
        lines += [f"Group {i} meets at the {a} club and the {b} circle every week. "
                  f"Practitioners ask people what {a} and {b} mean to them before planning support.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class App:
    """One app server: its own empty local folder, the shared Chroma server and library name."""

    def __init__(self, folder: Path, port: int, library: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        env.update(ASSISTANT_HOME=str(folder), ASSISTANT_INDEX_DIR=str(folder / "indexes"),
                   ASSISTANT_CORPUS_DIR=str(CORPUS), ASSISTANT_MODEL="fake-hash", ASSISTANT_CHROMA_HOST="127.0.0.1",
                   ASSISTANT_CHROMA_PORT=str(port), ASSISTANT_INDEX_NAME=library,
                   PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))
        folder.mkdir(parents=True)
        self.folder, self.env = folder, env
        self._batches: list[subprocess.Popen] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "assistant", *args]

    def run(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), env=self.env, capture_output=True, text=True, timeout=timeout)

    def spawn(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def searcher(self) -> "Searcher":
        """A long-running `assistant search --batch -`: the same process answers before and after a change."""
        proc = subprocess.Popen(self.command("search", "--batch", "-"), env=self.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self._batches.append(proc)
        return Searcher(proc)

    def close(self) -> None:
        for p in self._batches:
            p.stdin.close()
            p.wait(timeout=30)


class Searcher:
    def __init__(self, proc: subprocess.Popen):
        self.proc, self.n = proc, 0

    def doc_ids(self, query: str, k: int = 5) -> list[str]:
        self.n += 1
        self.proc.stdin.write(json.dumps({"id": self.n, "query": query, "k": k}) + "\n")
        self.proc.stdin.flush()
        out = json.loads(self.proc.stdout.readline())
        assert out["id"] == self.n and "error" not in out, out
        return [r["doc_id"] for r in out["results"]]

    def until(self, query: str, ok, seconds: float = 10.0) -> list[str]:
        """Ask again until `ok(doc_ids)` (a publish reaches a running process within a second)."""
        deadline = time.monotonic() + seconds
        while True:
            got = self.doc_ids(query)
            if ok(got) or time.monotonic() > deadline:
                return got
            time.sleep(0.2)


@pytest.fixture
def apps(chroma_server, tmp_path):
    made: list[App] = []

    def make(name: str) -> App:
        made.append(App(tmp_path / name, chroma_server, library=f"lib-{tmp_path.name}"))
        return made[-1]

    yield make
    for a in made:
        a.close()


def _library_collections(client, library_prefix: str) -> set[str]:
    return {c.name for c in client.list_collections() if c.name.startswith(library_prefix)}


def _docs(app: App) -> list[str]:
    out = app.run("docs", "--json")
    assert out.returncode == 0, out.stderr
    return [d["doc_id"] for d in json.loads(out.stdout)]


def test_one_app_server_ingests_and_another_with_an_empty_disk_serves_it(apps, tmp_path, chroma_client):
    a, b = apps("a"), apps("b")
    out = a.run("ingest")
    assert out.returncode == 0, out.stderr
    assert "5 added" in out.stdout

    b_search = b.searcher()
    assert b_search.doc_ids("munro review of child protection 2011")[0] == \
        "strengths-based-social-care-children-young-people-families"
    ask = subprocess.run(b.command("ask", "--batch", "-"), env=b.env, text=True, capture_output=True, timeout=240,
                         input=json.dumps({"id": 1, "question": "What did the Munro review of child protection say?"}))
    answer = json.loads(ask.stdout)
    assert ask.returncode == 0 and "error" not in answer, ask.stderr
    assert answer["abstained"] or answer["citations"]
    assert len(_docs(b)) == 5
    assert (b.folder / "indexes" / "library").exists() is False  # B has nothing of its own: all came from the server

    # Added through A: B's running process finds it without a restart.
    upload = guidance_file(tmp_path / "hobby-clubs.md", "Hobby clubs and carers", 3)
    out = a.run("ingest", str(upload))
    assert out.returncode == 0, out.stderr
    a_search = a.searcher()
    assert "hobby-clubs" in b_search.until("xylophone yoga club", lambda ids: "hobby-clubs" in ids)
    assert "hobby-clubs" in _docs(b)

    # Removed through B: gone in A, whose own process is still running.
    out = b.run("remove", "hobby-clubs")
    assert out.returncode == 0, out.stderr
    assert "hobby-clubs" not in a_search.until("xylophone yoga club", lambda ids: "hobby-clubs" not in ids)
    assert "hobby-clubs" not in _docs(a)
    # A's next ingest must not bring it back (A's disk never was the library).
    assert "0 added" in a.run("ingest").stdout

    out = b.run("remove", "care-act-2014-strengths-based-approaches")
    assert out.returncode == 2 and "shipped corpus" in out.stderr

    # Old generations are cleaned: only the live one and the one before stay, with their files; no lock is left.
    lib = index_root(load_settings(index_name=f"lib-{tmp_path.name}", model="fake-hash")).name
    names = _library_collections(chroma_client, lib)
    gens = {n.split("-gen-")[1].split(".")[0] for n in names if "-gen-" in n}
    assert len(gens) == 2
    assert names == {lib, f"{lib}.library"} | {f"{lib}-gen-{g}{s}" for g in gens
                                               for s in ("", ".files", ".sentences")}


def test_a_writer_killed_mid_ingest_leaves_the_last_generation_answering(apps, tmp_path, chroma_client):
    a, b = apps("a"), apps("b")
    assert a.run("ingest").returncode == 0
    lib = index_root(load_settings(index_name=f"lib-{tmp_path.name}", model="fake-hash")).name
    live = chroma_client.get_collection(lib).metadata["live"]
    big = guidance_file(tmp_path / "long-handbook.md", "A long handbook of clubs", 2500, seed=5)
    writer = a.spawn("ingest", str(big))
    # Kill -9 once A is writing the new generation's passage vectors to the server.
    deadline = time.monotonic() + 180
    while True:
        new = [c for c in chroma_client.list_collections()
               if c.name.startswith(f"{lib}-gen-") and live not in c.name and "." not in c.name]
        if new and new[0].count() > 0:
            break
        assert writer.poll() is None and time.monotonic() < deadline, "the ingest ended before it could be killed"
        time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert chroma_client.get_collection(lib).metadata["live"] == live  # nothing was published

    b_search = b.searcher()
    assert b_search.doc_ids("munro review of child protection 2011")[0] == \
        "strengths-based-social-care-children-young-people-families"
    assert "long-handbook" not in _docs(b)

    # The next ingest (through B, whose disk never saw the file) breaks the dead writer's lock and completes:
    # the file A was adding had already reached the server's library, so nothing is lost.
    out = b.run("ingest")
    assert out.returncode == 0, out.stderr
    assert "1 added" in out.stdout
    assert "long-handbook" in b_search.until("long handbook of clubs", lambda ids: "long-handbook" in ids)
    names = _library_collections(chroma_client, lib)
    assert f"{lib}.lock" not in names
    assert len({n.split("-gen-")[1].split(".")[0] for n in names if "-gen-" in n}) == 2  # the orphan was dropped


def test_two_writers_one_proceeds_the_other_is_told_busy(apps, tmp_path, chroma_server, monkeypatch):
    a = apps("a")
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_CHROMA_PORT", str(chroma_server))
    monkeypatch.setenv("ASSISTANT_INDEX_NAME", f"lib-{tmp_path.name}")
    monkeypatch.setenv("ASSISTANT_MODEL", "fake-hash")
    get_settings.cache_clear()
    s = get_settings()
    root = index_root(s)

    # Two writers racing for the lock: exactly one gets it.
    results: list[str] = []
    locks = [remote.WriterLock(s, root) for _ in range(2)]
    barrier = threading.Barrier(2)

    def take(lock):
        barrier.wait()
        try:
            lock.acquire()
            results.append("got it")
        except IndexBusyError as e:
            results.append(str(e))

    threads = [threading.Thread(target=take, args=(lk,)) for lk in locks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results)[0].startswith("Another ingest is writing") and results.count("got it") == 1

    # While this process holds it, another app server's ingest is told who is writing; afterwards it proceeds.
    out = a.run("ingest")
    assert out.returncode == 2 and "Another ingest is writing" in out.stderr and str(os.getpid()) in out.stderr
    for lk in locks:
        lk.release()
    out = a.run("ingest")
    assert out.returncode == 0 and "5 added" in out.stdout, out.stderr


def test_a_fresh_app_server_gets_the_writers_generation_byte_for_byte(chroma_server, tmp_path, fake_model):
    server = load_settings(index_dir=tmp_path / "writer", chroma_host="127.0.0.1", chroma_port=chroma_server,
                           index_name=f"lib-{tmp_path.name}")
    ingest(server, progress=False)
    written = Index.open(server).path
    fresh = server.model_copy(update={"index_dir": tmp_path / "fresh"})
    idx = Index.open(fresh)  # an empty disk: every file comes back from the server
    assert idx.gen == written.name and idx.path != written
    files = sorted(p.relative_to(written) for p in written.rglob("*") if p.is_file())
    assert len(files) > 20 and sorted(p.relative_to(idx.path) for p in idx.path.rglob("*") if p.is_file()) == files
    assert all((written / f).read_bytes() == (idx.path / f).read_bytes() for f in files)
    for q in ["munro review 2011", "what matters to the person", "community assets and networks"]:
        got = [(p.chunk_id, p.score) for p in Retriever(fresh).keyword_hits(q, 8)]
        assert got == [(p.chunk_id, p.score) for p in Retriever(server).keyword_hits(q, 8)] and got


def test_an_unreachable_server_is_named_with_what_to_do(tmp_path):
    from assistant.errors import ServerError

    s = load_settings(index_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=9, model="fake-hash")
    with pytest.raises(ServerError, match="Cannot reach the Chroma server at 127.0.0.1:9"):
        Index.open(s)


@pytest.fixture
def server_lib(chroma_server, tmp_path, fake_model):
    s = load_settings(index_dir=tmp_path / "idx", chroma_host="127.0.0.1", chroma_port=chroma_server,
                      index_name=f"lib-{tmp_path.name}")
    return s, index_root(s)


def test_a_lock_from_another_machine_is_respected_until_its_heartbeat_lapses(server_lib, chroma_client):
    s, root = server_lib
    fresh = {"token": "x", "host": "another-app-server", "pid": 4242, "since": "today", "beat": time.time()}
    chroma_client.create_collection(f"{root.name}.lock", metadata=fresh)
    with pytest.raises(IndexBusyError, match="held by host 'another-app-server' \\(process 4242"):
        remote.WriterLock(s, root).acquire()
    chroma_client.get_collection(f"{root.name}.lock").modify(
        metadata={**fresh, "beat": time.time() - remote.LEASE_SECONDS - 5})
    lock = remote.WriterLock(s, root)
    lock.acquire()  # lapsed: broken, and taken
    assert chroma_client.get_collection(f"{root.name}.lock").metadata["token"] == lock.token
    lock.release()
    assert f"{root.name}.lock" not in {c.name for c in chroma_client.list_collections()}


def test_a_writer_that_lost_its_lock_publishes_nothing(server_lib, chroma_client):
    s, root = server_lib
    lock = remote.WriterLock(s, root)
    lock.acquire()
    chroma_client.get_collection(f"{root.name}.lock").modify(metadata={"token": "someone else", "beat": time.time()})
    with pytest.raises(IndexBusyError, match="lost it to another one"):
        lock.check()
    lock.release()  # not ours any more: left alone
    assert chroma_client.get_collection(f"{root.name}.lock").metadata["token"] == "someone else"
    chroma_client.delete_collection(f"{root.name}.lock")


def test_blocks_round_trip_and_damage_is_named(server_lib):
    from assistant.errors import ServerError

    s, root = server_lib
    store = remote.Blobs(s, f"{root.name}-test.files", create=True)
    data = os.urandom(remote.BLOCK * 2 + 17)
    store.put("big.bin", data)
    store.put("empty.bin", b"")
    heads = store.heads()
    assert heads["big.bin"]["parts"] == 3 and store.get("big.bin", heads["big.bin"]) == data
    assert store.get("empty.bin", heads["empty.bin"]) == b""
    store.put("big.bin", b"shorter")  # a smaller file replaces it: the extra blocks go
    assert store.get("big.bin", store.heads()["big.bin"]) == b"shorter"
    assert len(store.col.get()["ids"]) == 4  # two heads, one block each
    store.col.delete(ids=["big.bin#0"])
    with pytest.raises(ServerError, match="incomplete or damaged"):
        store.get("big.bin", store.heads()["big.bin"])


def test_an_app_server_starting_while_another_builds_the_library_waits_for_it(server_lib):
    from assistant.core import Assistant

    s, root = server_lib
    a = Assistant(s)
    other = remote.WriterLock(s, root)
    other.acquire()  # another app server is building the library
    done: list = []
    t = threading.Thread(target=lambda: done.append(a.ensure_index(progress=False)), daemon=True)
    t.start()
    time.sleep(1.5)
    assert t.is_alive() and not done  # waiting, not failing
    other.release()
    t.join(timeout=120)
    assert done and a.has_index() and len(a.docs()) == 5
