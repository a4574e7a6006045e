"""Binary tables inside an index generation, opened memory-mapped so start-up does not grow with the library.

A generation's passages, keyword index and sentence vectors are read by every fresh process. Parsing
them from JSON rebuilt one Python object per passage and per term (seconds at 100,000 passages);
these arrays are mapped instead, and only the rows a search touches are ever read from disk.

    Strings        a list of strings as one UTF-8 blob + offsets, with a sorted 64-bit hash index
                   (string -> position without building a dict)
    line_offsets   where each line of a JSONL file starts, so line i is read on its own
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def save_array(path: Path, arr: np.ndarray) -> None:
    """np.save, fsynced: the generation is published only after its files are on disk."""
    with open(path, "wb") as f:
        np.save(f, np.ascontiguousarray(arr), allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())


def load_array(path: Path) -> np.ndarray:
    """The array at path, memory-mapped read-only (OSError / ValueError when missing or damaged)."""
    arr = np.load(path, mmap_mode="r", allow_pickle=False)
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"{path} is not an array file")
    return arr


def key(text: str) -> int:
    """A stable 64-bit key for a string (the same in every process, unlike hash())."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


class Strings:
    """An immutable list of strings: position -> string and string -> position, both without a Python dict."""

    SUFFIXES = (".blob.npy", ".offsets.npy", ".keys.npy", ".order.npy")

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, keys: np.ndarray, order: np.ndarray):
        self.blob, self.offsets, self.keys, self.order = blob, offsets, keys, order

    @classmethod
    def build(cls, items: Iterable[str]) -> "Strings":
        encoded = [s.encode("utf-8") for s in items]
        lens = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        keys = np.fromiter((int.from_bytes(hashlib.blake2b(b, digest_size=8).digest(), "little") for b in encoded),
                           dtype=np.uint64, count=len(encoded))
        order = np.argsort(keys, kind="stable").astype(np.int32)
        return cls(blob, offsets, keys[order], order)

    def save(self, prefix: Path) -> None:
        for suffix, arr in zip(self.SUFFIXES, (self.blob, self.offsets, self.keys, self.order)):
            save_array(prefix.with_name(prefix.name + suffix), arr)

    @classmethod
    def load(cls, prefix: Path) -> "Strings":
        arrays = [load_array(prefix.with_name(prefix.name + s)) for s in cls.SUFFIXES]
        out = cls(*arrays)
        if len(out.offsets) != len(out.keys) + 1 or len(out.order) != len(out.keys):
            raise ValueError(f"{prefix}: its files disagree on how many strings there are")
        return out

    @classmethod
    def exists(cls, prefix: Path) -> bool:
        return all(prefix.with_name(prefix.name + s).is_file() for s in cls.SUFFIXES)

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i: int) -> str:
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return bytes(self.blob[a:b]).decode("utf-8")

    def tolist(self) -> list[str]:
        raw, offs = bytes(self.blob), self.offsets.tolist()
        return [raw[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:])]

    def find(self, text: str) -> int:
        """The position of text, or -1."""
        k = np.uint64(key(text))
        j = int(np.searchsorted(self.keys, k))
        while j < len(self.keys) and self.keys[j] == k:
            pos = int(self.order[j])
            if self[pos] == text:
                return pos
            j += 1
        return -1


def line_offsets(path: Path) -> np.ndarray:
    """Byte offsets where each non-empty line of a text file starts, then the file's length: record i is
    bytes offsets[i]:offsets[i+1] (trailing newlines included, which JSON ignores)."""
    data = np.fromfile(path, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    starts = np.concatenate([[0], ends + 1])
    stops = np.concatenate([ends, [len(data)]])
    return np.concatenate([starts[stops > starts], [len(data)]]).astype(np.int64)
