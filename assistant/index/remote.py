"""Server mode (ASSISTANT_CHROMA_HOST): the Chroma server holds the whole library; local folders are caches.

Several app servers can then share one library: each keeps the live generation's files in its local
index folder (the same layout as the embedded store) and fetches them again when they are missing or
another server has published a newer generation. On the server, for a library <lib> (the index
folder's name, `<index name>-<fingerprint>`):

    <lib>                  the live-generation pointer: metadata {"live", "previous", "published"}
    <lib>.lock             exists while a writer holds the library; its metadata names the writer
    <lib>.library          the documents users added (the embedded store's library/ folder), cleaned
    <lib>-<gen>            passage vectors (cosine), searched by the server as in the embedded store
    <lib>-<gen>.sentences  the generation's sentence vectors (files, in blocks)
    <lib>-<gen>.files      its other files: passages, documents, manifest, keyword index, word vectors

Files travel as blocks in record metadata: Chroma indexes a record's document for full-text search,
and vectors for nearest-neighbour search, and either costs about a minute per 20 MB here; metadata
costs two seconds. Sentence and word vectors are scanned by the app, never searched by the server.

Publishing uploads every file of the new generation first and then changes the pointer in one
metadata update, so every process sees the old library or the new one, never a mix. The lock is a
collection: creating one that exists fails on the server, so of two writers exactly one creates it.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import io
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from assistant.errors import IndexBusyError, InputError, ServerError
from assistant.settings import Settings
from assistant.types import Document

log = logging.getLogger(__name__)

BLOCK = 3_000_000          # bytes of a file per record (about 4 MB once base64-encoded)
REQUEST = 12_000_000       # bytes of blocks sent or fetched per request
POINTER_SECONDS = 0.5      # a search looks at the pointer at most this often (a look costs ~1 ms)
HEARTBEAT_SECONDS = 5.0    # a writer refreshes its lock this often ...
LEASE_SECONDS = 120.0      # ... and a lock not refreshed for this long was left by a writer that died
LIBRARY_PREFIX = "library:"  # source_path of a document users added, in server mode
_SENTENCE_FILES = "sentences."


@functools.cache
def _client_for(host: str, port: int):
    import chromadb

    return chromadb.HttpClient(host=host, port=port, settings=chromadb.Settings(anonymized_telemetry=False))


def client(settings: Settings):
    """The HTTP client for the configured server (one per process)."""
    try:
        return _client_for(settings.chroma_host, settings.chroma_port)
    except Exception as e:  # chromadb raises ValueError or httpx errors when nothing answers
        raise _unreachable(settings, e) from e


def _unreachable(settings: Settings, e: Exception) -> ServerError:
    return ServerError(f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                       f"({e.__class__.__name__}) — start it (`chroma run --path DATA --port "
                       f"{settings.chroma_port}`) or unset ASSISTANT_CHROMA_HOST to use the embedded store.")


@contextmanager
def _talking(settings: Settings) -> Iterator[None]:
    """Turn a lost connection into a message that says what to do."""
    import httpx

    try:
        yield
    except (httpx.TransportError, ConnectionError) as e:
        raise _unreachable(settings, e) from e


def where(settings: Settings, root: Path) -> str:
    """How a message names this library."""
    return f"'{root.name}' on the Chroma server at {settings.chroma_host}:{settings.chroma_port}"


def _get(settings: Settings, name: str):
    """The collection, or None when the server has none of that name."""
    from chromadb.errors import NotFoundError

    with _talking(settings):
        try:
            return client(settings).get_collection(name, embedding_function=None)
        except NotFoundError:
            return None
        except ValueError as e:  # some chromadb versions say "does not exist" with a ValueError
            if "does not exist" in str(e):
                return None
            raise


def _make(settings: Settings, name: str, metadata: dict | None = None):
    with _talking(settings):
        return client(settings).get_or_create_collection(name, metadata=metadata, embedding_function=None)


# ---------------------------------------------------------------- files in blocks


class Blobs:
    """Named byte strings in one collection: a head record per name, then its blocks (`name#0`, `name#1`, …).
    Files stream through in blocks, so a large library's sentence vectors never sit in memory whole."""

    def __init__(self, settings: Settings, name: str, create: bool = False):
        self.settings = settings
        self.col = _make(settings, name) if create else _get(settings, name)

    def heads(self) -> dict[str, dict]:
        if self.col is None:
            return {}
        with _talking(self.settings):
            got = self.col.get(where={"kind": "head"}, include=["metadatas"])
        return {i: m for i, m in zip(got["ids"], got["metadatas"])}

    def put(self, name: str, data: bytes, **extra) -> None:
        self.put_stream(name, io.BytesIO(data), **extra)

    def put_stream(self, name: str, f: BinaryIO, **extra) -> None:
        """Blocks first, head last: a name whose head is listed has all its blocks."""
        old = self.heads().get(name)
        sha, size, parts = hashlib.sha1(), 0, 0
        batch: list[tuple[str, dict]] = []
        while True:
            part = f.read(BLOCK)
            if not part and parts:
                break
            sha.update(part)
            size += len(part)
            batch.append((f"{name}#{parts}", {"kind": "part", "data": base64.b64encode(part).decode("ascii")}))
            parts += 1
            if len(batch) * BLOCK >= REQUEST:
                self._upsert(batch)
                batch = []
            if len(part) < BLOCK:
                break
        if batch:
            self._upsert(batch)
        self._upsert([(name, {"kind": "head", "parts": parts, "size": size, "sha": sha.hexdigest(), **extra})])
        if old and old["parts"] > parts:
            with _talking(self.settings):
                self.col.delete(ids=[f"{name}#{i}" for i in range(parts, old["parts"])])

    def _upsert(self, records: list[tuple[str, dict]]) -> None:
        with _talking(self.settings):
            self.col.upsert(ids=[i for i, _ in records], embeddings=[[0.0]] * len(records),
                            metadatas=[m for _, m in records])

    def get(self, name: str, head: dict) -> bytes:
        out = io.BytesIO()
        self.get_stream(name, head, out)
        return out.getvalue()

    def get_stream(self, name: str, head: dict, out: BinaryIO) -> None:
        """Write a listed name's bytes to `out`; ServerError when its blocks are missing or do not add up."""
        ids = [f"{name}#{i}" for i in range(head["parts"])]
        sha, size, per = hashlib.sha1(), 0, max(1, REQUEST // BLOCK)
        for s in range(0, len(ids), per):
            with _talking(self.settings):
                got = self.col.get(ids=ids[s:s + per], include=["metadatas"])
            by_id = dict(zip(got["ids"], got["metadatas"]))
            for i in ids[s:s + per]:
                part = base64.b64decode(by_id[i]["data"]) if i in by_id else b""
                sha.update(part)
                size += len(part)
                out.write(part)
        if size != head["size"] or sha.hexdigest() != head["sha"]:
            raise ServerError(f"'{name}' in {self.col.name} on the Chroma server is incomplete or damaged — "
                              "run `assistant ingest --rebuild` to write the library again.")

    def delete(self, name: str, head: dict) -> None:
        with _talking(self.settings):
            self.col.delete(ids=[name] + [f"{name}#{i}" for i in range(head["parts"])])


def _files_collection(root: Path, gen: str, rel: str) -> str:
    kind = "sentences" if rel.startswith(_SENTENCE_FILES) else "files"
    return f"{root.name}-{gen}.{kind}"


def upload_generation(settings: Settings, root: Path, gen: str) -> None:
    """Every file of the local generation folder (the passage vectors are already on the server)."""
    files = sorted(p for p in (root / gen).rglob("*") if p.is_file() and "chroma" not in p.relative_to(root / gen).parts)
    last = [p for p in files if p.name == "manifest.json"]
    for p in [p for p in files if p.name != "manifest.json"] + last:  # the manifest last: it marks a whole upload
        rel = p.relative_to(root / gen).as_posix()
        with open(p, "rb") as f:
            Blobs(settings, _files_collection(root, gen, rel), create=True).put_stream(rel, f)


def _download(settings: Settings, root: Path, gen: str, dest: Path) -> None:
    found = 0
    for kind in ("files", "sentences"):
        store = Blobs(settings, f"{root.name}-{gen}.{kind}")
        for rel, head in store.heads().items():
            target = dest / rel
            if ".." in Path(rel).parts or Path(rel).is_absolute():
                raise ServerError(f"refusing the file name '{rel}' from the Chroma server")
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as f:
                store.get_stream(rel, head, f)
            found += 1
    if not (dest / "manifest.json").is_file():
        raise ServerError(f"generation {gen} of {where(settings, root)} is incomplete — run `assistant ingest "
                          "--rebuild` to write the library again.")
    log.info("fetched %d files of generation %s from the Chroma server", found, gen)


# ---------------------------------------------------------------- the live pointer


_pointers: dict[tuple[str, int, str], tuple[float, dict]] = {}
_pointer_lock = threading.Lock()
_fetching: set[tuple[str, str]] = set()


def pointer(settings: Settings, root: Path, max_age: float = 0.0) -> dict:
    """The pointer's metadata ({} when nothing is published), looked up at most every max_age seconds."""
    key = (settings.chroma_host, settings.chroma_port, root.name)
    now = time.monotonic()
    with _pointer_lock:
        seen = _pointers.get(key)
    if seen is not None and now - seen[0] < max_age:
        return seen[1]
    col = _get(settings, root.name)
    meta = dict(col.metadata or {}) if col is not None else {}
    with _pointer_lock:
        _pointers[key] = (now, meta)
    return meta


def live(settings: Settings, root: Path, max_age: float = 0.0) -> str | None:
    """The live generation's name on the server (None: nothing published)."""
    return pointer(settings, root, max_age).get("live")


def open_live(settings: Settings, root: Path) -> str | None:
    """The live generation, its files present in the local cache (fetched from the server when missing)."""
    meta = pointer(settings, root)
    gen = meta.get("live")
    if gen is not None:
        _fetch(settings, root, gen, keep={gen, meta.get("previous") or gen})
    return gen


def is_stale(settings: Settings, root: Path, gen: str) -> bool:
    """Should a process searching `gen` open the live generation now? Not while the live one's files are still
    being fetched and `gen` is still on the server (the previous one): it is fetched in the background, and
    searches go on meanwhile instead of waiting for the download."""
    meta = pointer(settings, root, max_age=POINTER_SECONDS)
    new = meta.get("live")
    if new == gen:
        return False
    if new is None or (root / new / "manifest.json").is_file() or meta.get("previous") != gen:
        return True
    key = (root.name, new)
    with _pointer_lock:
        if key in _fetching:
            return False
        _fetching.add(key)

    def fetch() -> None:
        try:
            _fetch(settings, root, new, keep={new, gen})
        except Exception as e:  # the next search tries again, in the foreground
            log.warning("could not fetch generation %s: %s", new, e)
        finally:
            with _pointer_lock:
                _fetching.discard(key)

    threading.Thread(target=fetch, name=f"fetch-{new}", daemon=True).start()
    return False


def _fetch(settings: Settings, root: Path, gen: str, keep: set[str]) -> None:
    """Bring the generation's files into the local cache unless they are there."""
    if (root / gen / "manifest.json").is_file():
        return
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{gen}.{uuid.uuid4().hex[:6]}.part"
    try:
        _download(settings, root, gen, tmp)
        try:
            os.replace(tmp, root / gen)
        except OSError:  # another process of this machine fetched it first, or a partial folder is in the way
            if not (root / gen / "manifest.json").is_file():
                shutil.rmtree(root / gen, ignore_errors=True)
                os.replace(tmp, root / gen)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune_cache(root, keep, reader=True)


def publish(settings: Settings, root: Path, gen: str, previous: str | None, lock: "WriterLock") -> None:
    """Upload the generation, then point the library at it in one update (only while still holding the lock)."""
    upload_generation(settings, root, gen)
    lock.check()
    meta = {"live": gen, "previous": previous or gen, "published": dt.datetime.now().isoformat(timespec="seconds")}
    with _talking(settings):
        _make(settings, root.name).modify(metadata=meta)
    with _pointer_lock:
        _pointers.pop((settings.chroma_host, settings.chroma_port, root.name), None)


def cleanup(settings: Settings, root: Path, keep: set[str]) -> None:
    """Drop every other generation from the server (and from the local cache), and locks broken earlier."""
    prefix = f"{root.name}-gen-"
    with _talking(settings):
        names, offset = [], 0
        while True:  # listed in pages: a shared server may hold many libraries
            page = client(settings).list_collections(limit=500, offset=offset)
            names += [c.name for c in page]
            offset += len(page)
            if len(page) < 500:
                break
        for name in names:
            gen = name[len(root.name) + 1:].split(".")[0] if name.startswith(prefix) else None
            if (gen is not None and gen not in keep) or name.startswith(f"{root.name}.lock.stale-"):
                try:
                    client(settings).delete_collection(name)
                except Exception:  # another writer's clean-up got there first
                    log.debug("could not drop %s", name)
    _prune_cache(root, keep)


def _prune_cache(root: Path, keep: set[str], reader: bool = False) -> None:
    """Drop cached generations other than `keep`. A reader leaves alone what may be a writer's work on this
    machine: a generation named after the ones kept (written later) or touched in the last ten minutes."""
    oldest = min(keep)
    for p in root.glob("gen-*"):
        if p.name in keep or (reader and (p.name > oldest or time.time() - p.stat().st_mtime < 600)):
            continue
        shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(".gen-*.part"):
        if time.time() - p.stat().st_mtime > 3600:  # a fetch that died; a running one touches its folder
            shutil.rmtree(p, ignore_errors=True)


# ---------------------------------------------------------------- the writer lock


class WriterLock:
    """The library's one writer, held on the server; refreshed by a heartbeat while the writer works."""

    def __init__(self, settings: Settings, root: Path):
        self.settings, self.root, self.name = settings, root, f"{root.name}.lock"
        self.token = uuid.uuid4().hex
        self.meta = {"token": self.token, "host": socket.gethostname(), "pid": os.getpid(),
                     "since": dt.datetime.now().isoformat(timespec="seconds"), "beat": time.time()}
        self._stop = threading.Event()
        self._col = None
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the lock, or raise IndexBusyError naming the writer that has it."""
        for _ in range(3):
            self.meta["beat"] = time.time()
            try:
                with _talking(self.settings):
                    self._col = client(self.settings).create_collection(self.name, metadata=self.meta,
                                                                        embedding_function=None)
            except ServerError:
                raise
            except Exception:  # it exists: held, or left by a writer that died
                holder = _get(self.settings, self.name)
                if holder is None:
                    continue  # released meanwhile: try again
                if not _abandoned(holder.metadata or {}):
                    raise IndexBusyError(_describe(self.settings, self.root, holder.metadata or {})) from None
                log.warning("breaking the lock left by %s", _who(holder.metadata or {}))
                _break(self.settings, holder, self.name)
                continue
            self._thread = threading.Thread(target=self._beat, name="library-lock", daemon=True)
            self._thread.start()
            return
        raise IndexBusyError(f"{self.name} on the Chroma server (it changed hands while this writer waited)")

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self._col.modify(metadata={**self.meta, "beat": time.time()})
            except Exception as e:  # the server is away for a moment: the lease allows for it
                log.warning("could not refresh the library lock: %s", e)

    def check(self) -> None:
        """Still ours? (A writer stalled past the lease may have lost it to another.)"""
        holder = _get(self.settings, self.name)
        if holder is None or (holder.metadata or {}).get("token") != self.token:
            raise IndexBusyError(f"{self.name} on the Chroma server (this writer lost it to another one; "
                                 "nothing was published — run the ingest again)")

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=HEARTBEAT_SECONDS)
        holder = _get(self.settings, self.name)
        if holder is not None and (holder.metadata or {}).get("token") == self.token:
            with _talking(self.settings):
                client(self.settings).delete_collection(self.name)


@contextmanager
def writer_lock(settings: Settings, root: Path) -> Iterator[WriterLock]:
    lock = WriterLock(settings, root)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def _abandoned(meta: dict) -> bool:
    """Left by a writer that is gone: a dead process on this machine, or no heartbeat for the lease."""
    if meta.get("host") == socket.gethostname() and isinstance(meta.get("pid"), int):
        try:
            os.kill(meta["pid"], 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # alive, someone else's
    return time.time() - float(meta.get("beat", 0)) > LEASE_SECONDS


def _break(settings: Settings, holder, name: str) -> None:
    # Renamed by id, not deleted by name: a second writer breaking the same stale lock at the same time
    # renames the old collection again, never the lock the first one has just created.
    try:
        with _talking(settings):
            holder.modify(name=f"{name}.stale-{uuid.uuid4().hex[:8]}")
    except ServerError:
        raise
    except Exception:
        log.debug("the stale lock was already broken")


def _who(meta: dict) -> str:
    return f"host '{meta.get('host', '?')}' (process {meta.get('pid', '?')}, since {meta.get('since', '?')})"


def _describe(settings: Settings, root: Path, meta: dict) -> str:
    return (f"{root.name}.lock on the Chroma server at {settings.chroma_host}:{settings.chroma_port}, held by "
            f"{_who(meta)}; a writer that died frees it within {LEASE_SECONDS:.0f} s")


# ---------------------------------------------------------------- the documents users added


def _library(settings: Settings, root: Path, create: bool = False) -> Blobs:
    return Blobs(settings, f"{root.name}.library", create=create)


def library_documents(settings: Settings, root: Path) -> list[tuple[Path, Document]]:
    """(file name, cleaned document) of every document users added, by file name."""
    store = _library(settings, root)
    out = []
    for name, head in sorted(store.heads().items()):
        d = Document.model_validate_json(store.get(name, head))
        out.append((Path(name), d.model_copy(update={"source_path": LIBRARY_PREFIX + name})))
    return out


def push_library(settings: Settings, root: Path, staged: list[tuple[Path, Document]]) -> None:
    """Files this machine added (parsed already) join the server's library; their local copies go."""
    if not staged:
        return
    store = _library(settings, root, create=True)
    for f, d in staged:
        store.put(f.name, d.model_dump_json().encode("utf-8"), doc_id=d.doc_id)
        f.unlink(missing_ok=True)


def drop_library(settings: Settings, root: Path, manifest: dict, doc_ids: list[str]) -> None:
    """Take documents out of the server's library (the next generation then leaves them out)."""
    store = _library(settings, root)
    heads = store.heads()
    by_doc = {h.get("doc_id"): (name, h) for name, h in heads.items()}
    unknown = [d for d in doc_ids if d not in manifest["docs"] and d not in by_doc]
    if unknown:
        raise InputError(f"No indexed document with id {', '.join(unknown)} — see `assistant docs` for ids.")
    for d in doc_ids:
        src = manifest["docs"].get(d, {}).get("source_path", "")
        name = library_name(src) or (by_doc.get(d) or (None,))[0]
        if name is None or name not in heads:
            raise InputError(f"'{d}' is part of the shipped corpus; remove its file from corpus/guidance on every "
                             "app server to drop it, then run `assistant ingest`.")
        store.delete(name, heads[name])


def library_name(source_path: str) -> str | None:
    """The file name of a document users added (server mode), or None."""
    return source_path[len(LIBRARY_PREFIX):] if source_path.startswith(LIBRARY_PREFIX) else None
