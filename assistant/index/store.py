"""The index: Chroma vectors + BM25 + chunk/document store, built in crash-safe generations.

Layout under settings.index_root:

    <name>-<fingerprint>/        one index per (model, chunking) fingerprint: never mixed
        CURRENT                  names the live generation; replaced atomically
        .lock                    held by the one writer
        gen-<stamp>/             manifest.json, documents.jsonl, chunks.jsonl + offsets/ids (passages.py),
                                 bm25/ (lexical.py), chroma/, sentences.* (sentence_vectors.py),
                                 terms.npy/.json/.pieces.jsonl (word_vectors.py)
    library/                     guidance files users added (uploads), kept across rebuilds
    parsed/                      parsed documents by file content hash and reader version (parse cache)

An ingest writes a whole new generation and only then points CURRENT at it, so a
crash or kill -9 half-way leaves the previous generation answering, and readers
never see a half-written index (nor a mix of two). What an unchanged document already
has is copied from the previous generation rather than made again (generation.py);
the embedded Chroma folder is copied too, and only changed passages are added to the
copy. Documents go through one at a time, in batches, so memory follows a batch, not
the library.

Opening a generation maps its files instead of parsing them (passages, keyword index, sentence
vectors), so a fresh process's first search costs about the same at 100 passages and at 100,000.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np

from assistant.errors import IndexBusyError, InputError, LoaderError, NoIndexError
from assistant.index import generation, passages, sentence_vectors, word_vectors
from assistant.index.embeddings import model_fingerprint
from assistant.index.generation import Kept, Segment, lexical_key, lexical_text  # noqa: F401 (re-exported)
from assistant.index.lexical import BM25
from assistant.index.parsecache import (  # noqa: F401 (re-exported)
    _prune_parse_cache,
    load_cached,
    parse_cache_dir,
    safe_filename,
)
from assistant.index.progress import Progress
from assistant.ingest.chunking import chunk_document
from assistant.ingest.clean import slugify
from assistant.ingest.loaders import SUPPORTED, iter_files
from assistant.settings import Settings
from assistant.textutil import sha1
from assistant.types import DocInfo, Document, IngestReport

log = logging.getLogger(__name__)
SCHEMA_VERSION = 1


def fingerprint(settings: Settings) -> str:
    """Everything that shapes stored vectors or chunks; a change means a new index."""
    key = json.dumps([SCHEMA_VERSION, model_fingerprint(settings), settings.chunk_target_chars,
                      settings.chunk_max_chars])
    return sha1(key)[:10]


def index_root(settings: Settings) -> Path:
    return settings.index_root / f"{slugify(settings.index_name)}-{fingerprint(settings)}"


def library_dir(settings: Settings) -> Path:
    return settings.index_root / "library"


def default_sources(settings: Settings) -> list[Path]:
    return [settings.corpus_path / "guidance", library_dir(settings)]


# ---------------------------------------------------------------- reading


class Index:
    """One generation of the index, loaded for reading."""

    def __init__(self, settings: Settings, root: Path, gen: str):
        self.settings, self.root, self.gen = settings, root, gen
        self.path = root / gen
        try:
            self.manifest = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
            if not passages.is_packed(self.path):
                log.warning("%s was written by an older version: it opens slowly until the next "
                            "`assistant ingest` rewrites it (no re-embedding needed)", self.path)
            self.chunks = passages.Chunks(self.path)
            self.documents = passages.Documents(self.path)
            self.bm25 = BM25.open(self.path)
            if self.bm25.n != len(self.chunks):
                raise ValueError("the keyword index and the passages disagree")
        except (OSError, ValueError) as e:
            raise NoIndexError(f"{self.path} (it is incomplete or damaged: {e.__class__.__name__})") from e
        self.by_id = passages.ChunkIndex(self.chunks, positions=False)
        self.position = passages.ChunkIndex(self.chunks, positions=True)
        self._collection = None

    @classmethod
    def open(cls, settings: Settings) -> "Index":
        root = index_root(settings)
        gen = _live(settings, root)
        if gen is None:
            raise NoIndexError(_where(settings, root))
        return cls(settings, root, gen)

    @property
    def collection(self):
        if self._collection is None:
            self._collection = _collection(self.settings, self.root, self.gen, create=False)
        return self._collection

    def is_stale(self) -> bool:
        """True when another ingest has published a newer generation."""
        if self.settings.chroma_host:
            from assistant.index import remote

            return remote.is_stale(self.settings, self.root, self.gen)
        return _read_current(self.root) != self.gen

    def doc_infos(self) -> list[DocInfo]:
        return [DocInfo(**{k: v for k, v in d.items() if k in DocInfo.model_fields})
                for d in sorted(self.manifest["docs"].values(), key=lambda d: d["title"].lower())]

    def embeddings_for(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        step = 5000
        for i in range(0, len(chunk_ids), step):
            got = self.collection.get(ids=chunk_ids[i:i + step], include=["embeddings"])
            out.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        return out


def _live(settings: Settings, root: Path) -> str | None:
    """The live generation with its files on this disk (server mode: fetched into the local cache if missing)."""
    if settings.chroma_host:
        from assistant.index import remote

        return remote.open_live(settings, root)
    return _read_current(root)


def _where(settings: Settings, root: Path) -> str:
    if settings.chroma_host:
        from assistant.index import remote

        return remote.where(settings, root)
    return str(root)


def _read_current(root: Path) -> str | None:
    try:
        gen = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return gen if gen and (root / gen / "manifest.json").is_file() else None


def _client(settings: Settings, root: Path, gen: str):
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(root / gen / "chroma"), settings=chroma_settings)


def _collection_name(settings: Settings, root: Path, gen: str) -> str:
    # Embedded: one store per generation folder. Server: one collection per generation.
    return f"{root.name}-{gen}" if settings.chroma_host else "chunks"


def _collection(settings: Settings, root: Path, gen: str, create: bool):
    client = _client(settings, root, gen)
    name = _collection_name(settings, root, gen)
    if create:
        # Cosine set explicitly: Chroma's default (L2) silently breaks similarity thresholds.
        return client.get_or_create_collection(name, configuration={"hnsw": {"space": "cosine"}},
                                               embedding_function=None)
    return client.get_collection(name, embedding_function=None)


# ---------------------------------------------------------------- writing


def add_to_library(settings: Settings, files: list[Path]) -> tuple[list[Path], dict[str, str]]:
    """Copy user guidance files into the library folder under safe names; report what was refused."""
    lib = library_dir(settings)
    lib.mkdir(parents=True, exist_ok=True)
    copied, skipped = [], {}
    for f in iter_files([Path(p) for p in files]):
        name = safe_filename(f.name)
        if f.suffix.lower() not in SUPPORTED:
            skipped[f.name] = f"unsupported file type '{f.suffix or 'none'}' (use {', '.join(SUPPORTED)})"
            continue
        if f.resolve().parent in {lib.resolve(), (settings.corpus_path / 'guidance').resolve()}:
            continue  # already in the library
        if f.stat().st_size > settings.max_file_mb * 1024 * 1024:
            skipped[f.name] = f"over the {settings.max_file_mb:g} MB limit (ASSISTANT_MAX_FILE_MB)"
            continue
        try:  # a file that cannot be read is refused here and never kept in the library
            load_cached(settings, f)
        except LoaderError as e:
            skipped[f.name] = str(e)
            continue
        dest = lib / name
        tmp = lib / f".{name}.{uuid.uuid4().hex[:6]}.part"
        shutil.copyfile(f, tmp)
        os.replace(tmp, dest)
        copied.append(dest)
    return copied, skipped


def from_library(settings: Settings, source_path: str, file: Path | None = None) -> bool:
    """Was the document added by a user (not shipped in the corpus), and from `file` when one is given?"""
    if settings.chroma_host:
        from assistant.index import remote

        name = remote.library_name(source_path)
        return name is not None and (file is None or name == file.name)
    if not source_path:
        return False
    p = Path(source_path).resolve()
    return p.parent == library_dir(settings).resolve() and (file is None or p == Path(file).resolve())


def remove_documents(settings: Settings, doc_ids: list[str], progress: bool | Progress = False) -> IngestReport:
    """Remove user-added documents from the library and the index."""
    idx = Index.open(settings)
    if settings.chroma_host:  # the library is on the server: taken out and re-indexed under the server's lock
        from assistant.index import remote

        root = index_root(settings)
        with remote.writer_lock(settings, root) as lock:
            remote.drop_library(settings, root, idx.manifest, doc_ids)
            return _ingest_locked(settings, root, None, False, progress, lock=lock)
    lib = library_dir(settings).resolve()
    # A file the library holds but never indexed (refused, or left by an earlier version) goes by its id too.
    stray = {slugify(f.stem): f for f in (lib.iterdir() if lib.is_dir() else []) if f.is_file()}
    for d in [d for d in doc_ids if d not in idx.manifest["docs"] and d in stray]:
        stray[d].unlink(missing_ok=True)
        doc_ids = [x for x in doc_ids if x != d]
    unknown = [d for d in doc_ids if d not in idx.manifest["docs"]]
    if unknown:
        raise InputError(f"No indexed document with id {', '.join(unknown)} — see `assistant docs` for ids.")
    for d in doc_ids:
        src = Path(idx.manifest["docs"][d]["source_path"]).resolve()
        if src.parent != lib:
            raise InputError(f"'{d}' is part of the shipped corpus ({src}); remove the file from "
                             "corpus/guidance to drop it, then run `assistant ingest`.")
        src.unlink(missing_ok=True)
    return ingest(settings, progress=progress)


def ingest(settings: Settings, paths: list[Path] | None = None, rebuild: bool = False,
           progress: bool | Progress = True, clear_refused: bool = False) -> IngestReport:
    """Sync the index with the corpus and library (after copying `paths` into the library).

    `clear_refused` deletes library files that cannot be read (left by earlier versions, which kept them)."""
    from filelock import FileLock, Timeout

    root = index_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    if settings.chroma_host:  # the lock is on the server, where every app server sees it
        from assistant.index import remote

        with remote.writer_lock(settings, root) as server_lock:
            return _ingest_locked(settings, root, paths, rebuild, progress, clear_refused, lock=server_lock)
    lock = FileLock(str(root / ".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise IndexBusyError(str(root / ".lock")) from None
    try:
        return _ingest_locked(settings, root, paths, rebuild, progress, clear_refused)
    finally:
        lock.release()


def _ingest_locked(settings, root, paths, rebuild, progress, clear_refused=False, lock=None) -> IngestReport:
    t0 = time.perf_counter()
    report = IngestReport()
    if paths:
        missing = [str(p) for p in paths if not Path(p).exists()]
        for m in missing:
            report.skipped[m] = "no such file or folder"
        _, refused = add_to_library(settings, [Path(p) for p in paths if Path(p).exists()])
        report.skipped.update(refused)
    old = None
    live = None if rebuild else _live(settings, root)
    if live:
        try:
            old = Index(settings, root, live)
        except NoIndexError:
            old = None  # damaged: rebuild from scratch
    sources = _scan_sources(settings, report, clear_refused)
    old_docs = old.manifest["docs"] if old else {}
    ranges = _old_ranges(old) if old else {}
    kept: dict[str, Kept] = {}
    for src in sources:
        prev = old_docs.get(src.doc_id)
        if prev and prev["hash"] == src.content_hash and src.doc_id in ranges:
            kept[src.doc_id] = Kept(*ranges[src.doc_id], lexical=prev.get("lexical") == src.lexical_key)
            report.unchanged.append(src.doc_id)
        else:
            (report.updated if prev else report.added).append(src.doc_id)
    report.removed = sorted(set(old_docs) - {s.doc_id for s in sources})
    if (old and not (report.added or report.updated or report.removed) and not paths
            and all(k.lexical for k in kept.values()) and derived_up_to_date(settings, old.path)):
        report.chunks_total = len(old.chunks)
        report.seconds = time.perf_counter() - t0
        return report  # nothing changed: keep the live generation as it is
    gen = "gen-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    (root / gen).mkdir()
    stale = _stale_ids(old, kept) if old else []
    store = _Vectors(settings, root, gen, old, stale)
    writer = generation.Writer(settings, root / gen, old, store.reuse)
    for src in sources:  # one document at a time, flushed in batches: memory is a batch, not the library
        doc = src.load(settings)
        chunks = None if src.doc_id in kept else chunk_document(doc, settings.chunk_target_chars,
                                                                 settings.chunk_max_chars)
        if writer.add(doc, kept.get(src.doc_id), chunks):
            store.add(writer.flush(progress))
    store.add(writer.flush(progress))
    report.chunks_total = writer.finish(progress)
    store.finish()
    report.chunks_embedded = writer.embedded
    _write_manifest(settings, root / gen, sources, writer.layout, old_docs)
    _publish(settings, root, gen, old.gen if old else None, lock)
    _cleanup(settings, root, keep={gen, old.gen if old else gen})
    report.seconds = time.perf_counter() - t0
    return report


def _stale_ids(old: Index, kept: dict[str, Kept]) -> list[str]:
    """The previous generation's passages that no kept document brings along."""
    keep = np.zeros(len(old.chunks), dtype=bool)
    for k in kept.values():
        keep[k.start:k.stop] = True
    return [old.chunks.ids[i] for i in np.flatnonzero(~keep)]


def _old_ranges(old: Index) -> dict[str, tuple[int, int]]:
    """doc_id -> (first, stop) positions of its passages in the previous generation (contiguous, in order)."""
    docs = old.manifest["docs"]
    if all("first" in d for d in docs.values()):
        return {k: (d["first"], d["first"] + d["chunks"]) for k, d in docs.items()}
    out: dict[str, tuple[int, int]] = {}  # written before positions were recorded: read the passages once
    for i, c in enumerate(old.chunks):
        a, _ = out.get(c.doc_id, (i, i))
        out[c.doc_id] = (a, i + 1)
    return {k: v for k, v in out.items() if v[1] - v[0] == docs.get(k, {}).get("chunks", -1)}


def derived_up_to_date(settings: Settings, gen_path: Path) -> bool:
    """Does the generation hold the sentence and word vectors the settings ask for? (An index built by an
    older version, or with them off, lacks them: the next ingest adds them without re-embedding passages.)"""
    return (passages.is_packed(gen_path) and BM25.is_packed(gen_path) and sentence_vectors.up_to_date(settings, gen_path)
            and word_vectors.up_to_date(settings, gen_path))


class _Source:
    """A document of the library as the ingest plans with it; its text is held only while memory allows."""

    HOLD_CHARS = 4_000_000  # text held between the scan and the write; beyond it documents are read again

    def __init__(self, path: Path, doc: Document):
        self.path, self.doc_id, self.doc = path, doc.doc_id, doc
        self.content_hash, self.lexical_key = doc.content_hash, lexical_key(doc)
        self.info = {"title": doc.title, "publisher": doc.publisher, "date": doc.date, "audience": doc.audience,
                     "source_path": doc.source_path}

    def load(self, settings: Settings) -> Document:
        doc = self.doc or load_cached(settings, self.path).model_copy(update={"doc_id": self.doc_id})
        self.doc = None
        return doc


def _load_sources(settings: Settings, report: IngestReport, clear_refused: bool = False) -> list[Document]:
    """Every readable document of the corpus and library, parsed (or read from the parse cache)."""
    return [s.load(settings) for s in _scan_sources(settings, report, clear_refused)]


def _scan_sources(settings: Settings, report: IngestReport, clear_refused: bool = False) -> list[_Source]:
    out, seen_hash, seen_id = [], {}, {}
    lib, used, held = library_dir(settings).resolve(), set(), 0
    files = iter_files([p for p in default_sources(settings) if p.exists()])
    if settings.chroma_host:  # the library is on the server; files added here are staged, then pushed to it
        files = _server_sources(settings, list(files), report, used)
    for f in files:
        f, ready = f if isinstance(f, tuple) else (f, None)  # server mode: (file name, the server's document)
        if f.name.startswith(".") or f.name.endswith(".part") or f.name.lower() == "readme.md":
            continue
        try:
            d = ready or load_cached(settings, f, used)
        except LoaderError as e:
            if f.resolve().parent == lib and clear_refused:
                f.unlink(missing_ok=True)
                report.removed.append(f.name)
            elif f.resolve().parent == lib:  # kept by an earlier version, which copied files before reading them
                report.skipped[str(f)] = f"{e} (left in the library by an earlier version: " \
                                         "`assistant ingest --clear-refused` removes it)"
            else:
                report.skipped[str(f)] = str(e)
            continue
        text_hash = sha1(d.text)
        if text_hash in seen_hash:
            report.skipped[str(f)] = f"duplicate of '{seen_hash[text_hash]}' (same text); skipped"
            continue
        if d.doc_id in seen_id:  # same name, other format: keep both, distinguish by extension
            d.doc_id = slugify(f"{f.stem}-{f.suffix.lstrip('.')}")
        seen_hash[text_hash], seen_id[d.doc_id] = d.doc_id, f
        src = _Source(f, d)
        held += len(d.text)
        if held > _Source.HOLD_CHARS and ready is None:  # a server document has no local file to read again
            src.doc = None
        out.append(src)
    _prune_parse_cache(settings, used)
    return out


def _server_sources(settings: Settings, files: list[Path], report: IngestReport, used: set[str]) -> list:
    """Server mode: the corpus files, then the server's library (after the files staged here join it)."""
    from assistant.index import remote

    lib = library_dir(settings).resolve()
    staged = []
    for f in [f for f in files if f.resolve().parent == lib and not f.name.startswith(".")
              and not f.name.endswith(".part")]:
        try:
            staged.append((f, load_cached(settings, f, used)))
        except LoaderError as e:
            report.skipped[str(f)] = str(e)
            f.unlink(missing_ok=True)
    remote.push_library(settings, index_root(settings), staged)
    return [f for f in files if f.resolve().parent != lib] + remote.library_documents(settings, index_root(settings))


class _Vectors:
    """The new generation's Chroma collection, filled batch by batch.

    Embedded store with most of the library unchanged: the previous generation's Chroma folder is copied
    (a file copy, no re-adding of vectors), then only new or changed passages are added and stale ones
    deleted. Otherwise (server, first build, most of the library changed) a fresh collection gets every
    vector, unchanged ones read back from the previous generation."""

    COPY_MAX_STALE = 0.5  # copy when at most this share of the old passages goes

    def __init__(self, settings: Settings, root: Path, gen: str, old: Index | None, stale: list[str]):
        self.old, self.stale, self.added = old, stale, set()
        self.copied = (old is not None and not settings.chroma_host and len(old.chunks) > 0
                       and len(stale) <= self.COPY_MAX_STALE * len(old.chunks)
                       and _copy_chroma(settings, old, root / gen / "chroma"))
        self.col = (_collection(settings, root, gen, create=False) if self.copied
                    else _collection(settings, root, gen, create=True))
        if self.copied and self.col.count() != len(old.chunks):  # a copy that is not whole is not used
            log.warning("the copied vector store of %s is incomplete; adding every vector again", old.gen)
            self.copied = False
            _client(settings, root, gen).delete_collection(_collection_name(settings, root, gen))
            self.col = _collection(settings, root, gen, create=True)

    def reuse(self, hashes: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by passage content hash (a changed document's unchanged passages)."""
        source = self.col if self.copied else (self.old.collection if self.old is not None else None)
        out: dict[str, np.ndarray] = {}
        for s in range(0, len(hashes), 2000) if source is not None else ():
            got = source.get(where={"hash": {"$in": hashes[s:s + 2000]}}, include=["embeddings", "metadatas"])
            out.update((m["hash"], np.asarray(v, dtype=np.float32)) for m, v in zip(got["metadatas"], got["embeddings"]))
        return out

    def add(self, segments: list[Segment]) -> None:
        """One flush's passages, in one call where it can: each call to Chroma's add costs a sync of its index."""
        ids, vecs, metas = [], [], []
        for seg in segments:
            if not seg.ids or (seg.vectors is None and self.copied):
                continue  # nothing, or already in the copy
            if seg.vectors is None:  # an unchanged document: its vectors and metadata from the old store
                got = self.old.collection.get(ids=seg.ids, include=["embeddings", "metadatas"])
                at = {i: k for k, i in enumerate(got["ids"])}
                seg = Segment(seg.ids, np.asarray([got["embeddings"][at[i]] for i in seg.ids], dtype=np.float32),
                              [got["metadatas"][at[i]] for i in seg.ids])
            ids += seg.ids
            vecs.append(seg.vectors)
            metas += seg.metadatas
        put = self.col.upsert if self.copied else self.col.add  # a changed passage may keep its id
        matrix = np.concatenate(vecs) if vecs else None
        for s in range(0, len(ids), 5000):
            put(ids=ids[s:s + 5000], embeddings=matrix[s:s + 5000], metadatas=metas[s:s + 5000])
        self.added.update(ids)

    def finish(self) -> None:
        gone = [i for i in self.stale if i not in self.added] if self.copied else []
        for s in range(0, len(gone), 2000):
            self.col.delete(ids=gone[s:s + 2000])


def _copy_chroma(settings: Settings, old: Index, dest: Path) -> bool:
    """Copy an embedded Chroma folder: the database through SQLite's backup (a consistent snapshot even
    while a reader has it open), the vector segment files as they are. False when it cannot be copied."""
    import sqlite3

    src = old.path / "chroma"
    try:
        dest.mkdir()
        for p in src.iterdir():
            if p.is_dir():
                shutil.copytree(p, dest / p.name)
            elif p.name == "chroma.sqlite3":
                a, b = sqlite3.connect(f"file:{p}?mode=ro", uri=True), sqlite3.connect(dest / p.name)
                try:
                    a.backup(b)
                finally:
                    a.close()
                    b.close()
        return (dest / "chroma.sqlite3").is_file()
    except (OSError, sqlite3.Error) as e:
        log.warning("could not copy the vector store of %s (%s); adding every vector again", old.gen, e)
        shutil.rmtree(dest, ignore_errors=True)
        return False


def _write_manifest(settings: Settings, path: Path, sources: list[_Source], layout: dict[str, tuple[int, int]],
                    old_docs: dict) -> None:
    now = dt.datetime.now().isoformat(timespec="seconds")
    manifest = {
        "schema": SCHEMA_VERSION, "fingerprint": fingerprint(settings), "model": settings.model,
        "chunk_target_chars": settings.chunk_target_chars, "chunk_max_chars": settings.chunk_max_chars,
        "created": now, "chunks": sum(n for _, n in layout.values()),
        "docs": {s.doc_id: {"doc_id": s.doc_id, "hash": s.content_hash, **s.info, "chunks": layout[s.doc_id][1],
                            "first": layout[s.doc_id][0], "lexical": s.lexical_key,
                            "added": old_docs.get(s.doc_id, {}).get("added", now)} for s in sources},
    }
    _write_lines(path / "manifest.json", [json.dumps(manifest, indent=1)])


def _write_lines(path: Path, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _publish(settings: Settings, root: Path, gen: str, previous: str | None, lock=None) -> None:
    if settings.chroma_host:
        from assistant.index import remote

        remote.publish(settings, root, gen, previous, lock)
        return
    tmp = root / f"CURRENT.{uuid.uuid4().hex[:6]}.tmp"
    _write_lines(tmp, [gen])
    os.replace(tmp, root / "CURRENT")


def _cleanup(settings: Settings, root: Path, keep: set[str]) -> None:
    """Drop generations other than the live one and the one before (readers may still hold it)."""
    if settings.chroma_host:
        from assistant.index import remote

        remote.cleanup(settings, root, keep)
        return
    for p in root.glob("gen-*"):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in root.glob("CURRENT.*.tmp"):
        p.unlink(missing_ok=True)
