"""The index: Chroma vectors + BM25 + chunk/document store, built in crash-safe generations.

Layout under settings.index_root:

    <name>-<fingerprint>/        one index per (model, chunking) fingerprint: never mixed
        CURRENT                  names the live generation; replaced atomically
        .lock                    held by the one writer
        gen-<stamp>/             manifest.json, documents.jsonl, chunks.jsonl + offsets/ids (passages.py),
                                 bm25/ (lexical.py), chroma/, sentences.* (sentence_vectors.py),
                                 terms.npy/.json (word_vectors.py)
    library/                     guidance files users added (uploads), kept across rebuilds
    parsed/                      parsed documents by file content hash and reader version (parse cache)

An ingest writes a whole new generation and only then points CURRENT at it, so a
crash or kill -9 half-way leaves the previous generation answering, and readers
never see a half-written index. Unchanged chunks reuse their stored vectors.

Opening a generation maps its files instead of parsing them (passages, keyword index, sentence
vectors), so a fresh process's first search costs about the same at 100 passages and at 100,000.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from pathlib import Path

import numpy as np

from assistant.errors import IndexBusyError, InputError, LoaderError, NoIndexError
from assistant.index import passages, sentence_vectors, vectorfiles, word_vectors
from assistant.index.embeddings import model_fingerprint
from assistant.index.lexical import BM25
from assistant.index.progress import Progress
from assistant.ingest.chunking import chunk_document
from assistant.ingest.clean import slugify
from assistant.ingest.loaders import SUPPORTED, iter_files, load_path
from assistant.settings import Settings
from assistant.textutil import sha1
from assistant.types import Chunk, DocInfo, Document, IngestReport

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


def lexical_text(chunk: Chunk, doc: Document) -> str:
    return " ".join([doc.title, doc.publisher, doc.author, " ".join(doc.aliases), chunk.section,
                     chunk.locator, chunk.text])


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


def safe_filename(name: str) -> str:
    """A file name with no path parts, no leading dots and only safe characters."""
    raw = Path(name.replace("\\", "/")).name
    base = raw.lstrip(".")
    stem, ext = os.path.splitext(base)
    if not ext and base != raw and "." not in base:  # "....md": the whole remaining name was the extension
        stem, ext = "", "." + base
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem).strip(" .") or "document"
    return f"{stem[:100]}{ext.lower()[:10]}"


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
    docs = _load_sources(settings, report, clear_refused)
    old_docs = old.manifest["docs"] if old else {}
    chunks: list[Chunk] = []
    for d in docs:
        prev = old_docs.get(d.doc_id)
        if prev and prev["hash"] == d.content_hash and old is not None:
            chunks.extend(c for c in old.chunks if c.doc_id == d.doc_id)
            report.unchanged.append(d.doc_id)
        else:
            chunks.extend(chunk_document(d, settings.chunk_target_chars, settings.chunk_max_chars))
            (report.updated if prev else report.added).append(d.doc_id)
    report.removed = sorted(set(old_docs) - {d.doc_id for d in docs})
    if (old and not (report.added or report.updated or report.removed) and not paths
            and derived_up_to_date(settings, old.path)):
        report.chunks_total = len(old.chunks)
        report.seconds = time.perf_counter() - t0
        return report  # nothing changed: keep the live generation as it is
    gen = "gen-" + dt.datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    (root / gen).mkdir()
    by_doc = {d.doc_id: d for d in docs}
    lexical = [lexical_text(c, by_doc[c.doc_id]) for c in chunks]  # BM25's texts, and the words to embed
    old_path = old.path if old else None
    # Passages, sentences and words the old generation lacks are embedded in one pass, sorted by length.
    passages_todo = _passage_plan(old, chunks)
    sentences = sentence_vectors.plan(settings, old_path, chunks, docs)
    terms = word_vectors.plan(settings, old_path, lexical)
    plans = [passages_todo] + [p.pending for p in (sentences, terms) if p is not None]
    vectorfiles.embed_all(settings, plans, progress, "Embedding passages, sentences and words", "text")
    report.chunks_embedded = len(passages_todo.todo)
    for p in (sentences, terms):  # written and let go first: Chroma's add then runs beside the passage vectors only
        if p is not None:
            p.save(root / gen)
    del sentences, terms, plans, p
    _write_generation(settings, root, gen, docs, chunks, passages_todo.matrix, old_docs, lexical)
    _publish(settings, root, gen, old.gen if old else None, lock)
    _cleanup(settings, root, keep={gen, old.gen if old else gen})
    report.chunks_total = len(chunks)
    report.seconds = time.perf_counter() - t0
    return report


def derived_up_to_date(settings: Settings, gen_path: Path) -> bool:
    """Does the generation hold the sentence and word vectors the settings ask for? (An index built by an
    older version, or with them off, lacks them: the next ingest adds them without re-embedding passages.)"""
    return (passages.is_packed(gen_path) and BM25.is_packed(gen_path) and sentence_vectors.up_to_date(settings, gen_path)
            and word_vectors.up_to_date(settings, gen_path))


def _load_sources(settings: Settings, report: IngestReport, clear_refused: bool = False) -> list[Document]:
    docs, seen_hash, seen_id = [], {}, {}
    lib, used = library_dir(settings).resolve(), set()
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
        docs.append(d)
    _prune_parse_cache(settings, used)
    return docs


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


# ---------------------------------------------------------------- parse cache


def parse_cache_dir(settings: Settings) -> Path:
    return settings.index_root / "parsed"


@functools.cache
def _reader_version() -> str:
    """A hash of the ingest code and data: any change to a reader makes every cached parse stale."""
    src = Path(load_path.__code__.co_filename).parent
    return sha1("".join(p.read_text(encoding="utf-8") for p in sorted(src.glob("*.py")) + sorted(src.glob("*.yaml"))))[:12]


def load_cached(settings: Settings, f: Path, used: set[str] | None = None) -> Document:
    """load_path, remembered by the file's bytes: an unchanged file is never parsed twice."""
    try:
        # The name is part of the key: a document without a title is called after its file.
        key = sha1(f"{_reader_version()}:{safe_filename(f.name)}:{settings.max_file_mb}")[:16] + \
            hashlib.sha1(f.read_bytes()).hexdigest()[:24]
    except OSError:
        return load_path(f, settings.max_file_mb)  # let the loader say what is wrong with it
    if used is not None:
        used.add(key)
    cached = parse_cache_dir(settings) / f"{key}.json"
    try:
        d = Document.model_validate_json(cached.read_text(encoding="utf-8"))
        return d.model_copy(update={"doc_id": slugify(f.stem), "source_path": str(f)})
    except (OSError, ValueError):
        pass
    d = load_path(f, settings.max_file_mb)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{uuid.uuid4().hex[:6]}.part")
        tmp.write_text(d.model_dump_json(), encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:  # a read-only or full disk costs a re-parse next time, nothing more
        log.debug("could not write the parse cache at %s", cached)
    return d


def _prune_parse_cache(settings: Settings, used: set[str]) -> None:
    for p in parse_cache_dir(settings).glob("*.json") if parse_cache_dir(settings).is_dir() else []:
        if p.stem not in used:
            p.unlink(missing_ok=True)


def _passage_plan(old: Index | None, chunks: list[Chunk]) -> vectorfiles.Pending:
    """Vectors for every chunk: reused by content hash where the old index has them, the rest to embed."""
    keys = [c.content_hash for c in chunks]
    old_vecs: dict[str, np.ndarray] = {}
    if old is not None:
        by_hash = {c.content_hash: c.chunk_id for c in old.chunks}
        wanted = {by_hash[k]: k for k in set(keys) if k in by_hash}
        old_vecs = {wanted[cid]: v for cid, v in old.embeddings_for(list(wanted)).items()}
    return vectorfiles.Pending([c.embed_text for c in chunks], keys, old_vecs)


def _write_generation(settings, root: Path, gen: str, docs: list[Document], chunks: list[Chunk],
                      vectors: np.ndarray, old_docs: dict, lexical: list[str]) -> None:
    path = root / gen
    col = _collection(settings, root, gen, create=True)
    step = 2000
    for s in range(0, len(chunks), step):
        part = chunks[s:s + step]
        col.add(ids=[c.chunk_id for c in part], embeddings=vectors[s:s + step],
                metadatas=[{"doc_id": c.doc_id, "hash": c.content_hash} for c in part])
    BM25.build(lexical).save(path)
    passages.write(path, chunks, _write_lines)
    _write_lines(path / "documents.jsonl", [d.model_dump_json() for d in docs])
    now = dt.datetime.now().isoformat(timespec="seconds")
    counts: dict[str, int] = {}
    for c in chunks:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    manifest = {
        "schema": SCHEMA_VERSION, "fingerprint": fingerprint(settings), "model": settings.model,
        "chunk_target_chars": settings.chunk_target_chars, "chunk_max_chars": settings.chunk_max_chars,
        "created": now, "chunks": len(chunks),
        "docs": {d.doc_id: {"doc_id": d.doc_id, "hash": d.content_hash, "title": d.title, "publisher": d.publisher,
                            "date": d.date, "audience": d.audience, "chunks": counts.get(d.doc_id, 0),
                            "source_path": d.source_path,
                            "added": old_docs.get(d.doc_id, {}).get("added", now)} for d in docs},
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
