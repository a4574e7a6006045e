"""A generation's passages and documents, opened lazily: a fresh process reads only what a search returns.

    chunks.jsonl            one Chunk per line (in index order: the position BM25 and the vectors use)
    chunks.offsets.npy      byte offset of every line, so passage i is parsed on its own
    chunks.ids.*.npy        the chunk ids (packed.Strings): id -> position without a dict
    documents.jsonl         one Document per line, parsed the first time a document is asked for

Generations written before the offsets and ids files existed are still read: their offsets are found
by scanning for newlines and their ids by parsing every line once (the next ingest rewrites them).
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.index.packed import Strings, line_offsets, load_array, save_array
from assistant.types import Chunk, Document

CHUNKS, DOCUMENTS = "chunks.jsonl", "documents.jsonl"
OFFSETS, IDS = "chunks.offsets.npy", "chunks.ids"


def write(gen_path: Path, chunks: list[Chunk], write_lines) -> None:
    """chunks.jsonl with its offsets and ids (write_lines writes and fsyncs a text file)."""
    lines = [c.model_dump_json() for c in chunks]
    write_lines(gen_path / CHUNKS, lines)
    sizes = np.fromiter((len(l.encode("utf-8")) + 1 for l in lines), dtype=np.int64, count=len(lines))
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    save_array(gen_path / OFFSETS, offsets)
    Strings.build(c.chunk_id for c in chunks).save(gen_path / IDS)


class Writer:
    """chunks.jsonl and its offsets and ids, written as passages come; a kept passage's line is copied as is."""

    def __init__(self, gen_path: Path):
        self.path = gen_path
        self._file = open(gen_path / CHUNKS, "wb")  # noqa: SIM115 (closed by finish)
        self.sizes: list[int] = []
        self.ids: list[str] = []

    def add(self, chunks: list[Chunk]) -> None:
        for c in chunks:
            line = c.model_dump_json().encode("utf-8") + b"\n"
            self._file.write(line)
            self.sizes.append(len(line))
            self.ids.append(c.chunk_id)

    def copy(self, old: "Chunks", start: int, stop: int) -> None:
        """Passages start:stop of an older generation, byte for byte."""
        if stop <= start:
            return
        a, b = int(old.offsets[start]), int(old.offsets[stop])
        raw = bytes(old._data[a:b])
        sizes = np.diff(np.asarray(old.offsets[start:stop + 1])).tolist()
        if not raw.endswith(b"\n"):  # an older file's last line may lack its newline
            raw += b"\n"
            sizes[-1] += 1
        self._file.write(raw)
        self.sizes.extend(int(x) for x in sizes)
        self.ids.extend(old.ids[start:stop])

    def finish(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        offsets = np.zeros(len(self.sizes) + 1, dtype=np.int64)
        np.cumsum(np.asarray(self.sizes, dtype=np.int64), out=offsets[1:])
        save_array(self.path / OFFSETS, offsets)
        Strings.build(self.ids).save(self.path / IDS)


def is_packed(gen_path: Path) -> bool:
    """Does the generation have the offsets and ids files (written by this version)?"""
    return (gen_path / OFFSETS).is_file() and Strings.exists(gen_path / IDS)


class Chunks(Sequence):
    """The passages of a generation, in index order; each parsed when first asked for."""

    def __init__(self, gen_path: Path):
        path = gen_path / CHUNKS
        self._data = _map(path)
        size = len(self._data)
        self._all: list[Chunk] | None = None
        if is_packed(gen_path):
            self.offsets, self._ids = load_array(gen_path / OFFSETS), Strings.load(gen_path / IDS)
            if len(self.offsets) != len(self._ids) + 1 or int(self.offsets[-1]) != size:
                raise ValueError(f"{gen_path}: {OFFSETS} does not match {CHUNKS}")
        else:  # an older generation: find the lines, parse them all once
            self.offsets = line_offsets(path)
            self._all = [self._parse(i) for i in range(len(self.offsets) - 1)]
            self._ids = Strings.build(c.chunk_id for c in self._all)
        self._id_list: list[str] | None = None

    def _parse(self, i: int) -> Chunk:
        return Chunk.model_validate_json(self._data[int(self.offsets[i]):int(self.offsets[i + 1])])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if self._all is not None:
            return self._all[i]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._parse(i)

    def __iter__(self) -> Iterator[Chunk]:
        if self._all is None:  # whoever walks every passage will usually do it again: parse once, keep them
            self._all = [self._parse(i) for i in range(len(self))]
        return iter(self._all)

    @property
    def ids(self) -> list[str]:
        """Every chunk id, in index order."""
        if self._id_list is None:
            self._id_list = self._ids.tolist()
        return self._id_list

    def find(self, chunk_id: str) -> int:
        """Position of a chunk id, or -1."""
        return self._ids.find(chunk_id)


class ChunkIndex(Mapping):
    """chunk_id -> position (`positions=True`) or chunk_id -> Chunk, over a Chunks table."""

    def __init__(self, chunks: Chunks, positions: bool):
        self._chunks, self._positions = chunks, positions

    def __getitem__(self, chunk_id: str):
        i = self._chunks.find(chunk_id) if isinstance(chunk_id, str) else -1
        if i < 0:
            raise KeyError(chunk_id)
        return i if self._positions else self._chunks[i]

    def __contains__(self, chunk_id: object) -> bool:
        return isinstance(chunk_id, str) and self._chunks.find(chunk_id) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunks.ids)

    def __len__(self) -> int:
        return len(self._chunks)


class Documents(Mapping):
    """doc_id -> Document, read from documents.jsonl the first time any document is asked for."""

    def __init__(self, gen_path: Path):
        self._data = _map(gen_path / DOCUMENTS)  # mapped now: a later clean-up of the generation cannot pull it away
        self._docs: dict[str, Document] | None = None

    def _load(self) -> dict[str, Document]:
        if self._docs is None:
            lines = [l for l in bytes(self._data).decode("utf-8").splitlines() if l.strip()]
            self._docs = {d.doc_id: d for d in (Document.model_validate_json(l) for l in lines)}
        return self._docs

    def __getitem__(self, doc_id: str) -> Document:
        return self._load()[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def _map(path: Path):
    """The file's bytes, memory-mapped read-only (an empty file maps to b"")."""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if f.seek(0, 2) else b""
