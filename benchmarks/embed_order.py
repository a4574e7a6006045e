"""Embedding order: padding waste and rate of the old batching (fixed 8-row batches, sorted by characters
within each 64/128/256-text call) against one token-sorted pass cut by a padded-token budget.

    python benchmarks/embed_order.py [--repeat 3] [--budgets 384 768 1536]

Texts are what an ingest of the shipped corpus embeds: passages (title and section included), their
sentences (pronoun-led ones with the sentence before) and the library's words. Writes
benchmarks/results/embed_order.json; the figures are quoted in docs/benchmarks.md (issue 16).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import median, write_json

OLD_CALLS = {"passages": 64, "sentences": 128, "words": 256}  # what each stage passed to encode before
OLD_ROWS = 8


def ingest_texts() -> dict[str, list[str]]:
    from assistant.index import sentence_vectors, store, word_vectors
    from assistant.ingest.chunking import chunk_document
    from assistant.settings import load_settings
    from assistant.types import IngestReport

    s = load_settings()
    docs = store._load_sources(s, IngestReport())
    by_id = {d.doc_id: d for d in docs}
    chunks = [c for d in docs for c in chunk_document(d, s.chunk_target_chars, s.chunk_max_chars)]
    lexical = [store.lexical_text(c, by_id[c.doc_id]) for c in chunks]
    return {"passages": [c.embed_text for c in chunks],
            "sentences": [t for ts in sentence_vectors.units(chunks, by_id) for t in ts],
            "words": word_vectors.vocabulary(lexical, word_vectors.MAX_TERMS)[1]}


def old_batches(texts: list[str], call: int) -> list[np.ndarray]:
    out = []
    for s in range(0, len(texts), call):
        part = np.arange(s, min(s + call, len(texts)))
        order = part[np.argsort([-len(texts[i]) for i in part], kind="stable")]
        out += [order[j:j + OLD_ROWS] for j in range(0, len(order), OLD_ROWS)]
    return out


def run(emb, enc: list, batches: list[np.ndarray]) -> float:
    t = time.perf_counter()
    for b in batches:
        emb._run([enc[i] for i in b])
    return time.perf_counter() - t


def main() -> int:
    from assistant.index import onnx_backend

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--budgets", type=int, nargs="*", default=[384, 768, 1536])
    args = p.parse_args()
    emb = onnx_backend.load("all-MiniLM-L6-v2")
    texts = ingest_texts()
    result: dict = {"texts": {k: len(v) for k, v in texts.items()}, "kinds": {}}
    for kind, ts in texts.items():
        enc = emb.tokenizer.encode_batch(ts)
        lengths = np.array([len(e.ids) for e in enc])
        plans = {"old": old_batches(ts, OLD_CALLS[kind]),
                 **{f"budget {b}": onnx_backend.plan_batches(lengths, b) for b in args.budgets}}
        row = {"mean_tokens": float(lengths.mean())}
        secs: dict[str, list[float]] = {name: [] for name in plans}
        for _ in range(args.repeat):  # interleaved: a shared machine's load changes between passes
            for name, batches in plans.items():
                secs[name].append(run(emb, enc, batches))
        for name, batches in plans.items():
            row[name] = {"calls": len(batches), "padding": onnx_backend.padding(lengths, batches),
                         "seconds": median(secs[name]), "per_s": len(ts) / median(secs[name])}
        result["kinds"][kind] = row
        print(kind, {k: (v if not isinstance(v, dict) else {a: round(x, 3) for a, x in v.items()})
                     for k, v in row.items()}, flush=True)
    write_json("embed_order.json", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
