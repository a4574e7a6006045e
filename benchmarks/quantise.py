"""Is int8 dynamic quantisation of the ONNX model worth it? Retrieval quality and speed, fp32 vs int8.

    python benchmarks/quantise.py          (needs the `onnx` package for onnxruntime.quantization)

Keeps int8 only if recall@5 and MRR@5 on the dev questions drop by at most one point.
Writes benchmarks/results/quantise.json and the "quant" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from common import (
    DOCS,
    MODEL,
    load_questions,
    median,
    our_settings,
    replace_section,
    score,
    timed,
    use_embedder,
    write_json,
)


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("int8 quantisation needs the `onnx` package (pip install onnx)", file=sys.stderr)
        return 2
    from assistant.index import onnx_backend
    from assistant.index.store import Index, ingest
    from assistant.search.retrieve import Retriever

    embedders = {v: onnx_backend.load(MODEL, variant=v) for v in ("fp32", "int8")}
    results: dict = {}
    passages = [c.embed_text for c in _corpus_chunks()]
    for variant, emb in embedders.items():
        with tempfile.TemporaryDirectory() as tmp:
            settings = our_settings(Path(tmp))
            with use_embedder(emb):
                ingest(settings, progress=False)
            r = Retriever(settings, embedder=emb)
            quality = {s: score(load_questions(s), lambda q: [p.text for p in r.search(q, k=5)]) for s in ("dev", "holdout")}
            chunks = len(Index.open(settings).chunks)
        query_s = timed(lambda: emb.encode_query("what does a strengths-based conversation look like"), 200)
        batch_s = timed(lambda: emb.encode(passages), 5)
        results[variant] = {
            **{f"{s}_recall": q.recall for s, q in quality.items()}, **{f"{s}_mrr": q.mrr for s, q in quality.items()},
            "query_ms": median(query_s) * 1000, "chunks_per_s": len(passages) / median(batch_s),
            "file_mb": onnx_backend.prepare(MODEL, variant).stat().st_size / 1e6, "chunks": chunks}
    a, b = embedders["fp32"].encode(passages), embedders["int8"].encode(passages)
    cos = np.sum(a * b, axis=1)
    results["int8_vs_fp32_cosine"] = {"min": float(cos.min()), "mean": float(cos.mean())}
    drop = {m: results["fp32"][f"dev_{m}"] - results["int8"][f"dev_{m}"] for m in ("recall", "mrr")}
    results["keep_int8"] = all(d <= 0.01 for d in drop.values())
    write_json("quantise.json", results)
    replace_section(DOCS / "benchmarks.md", "quant", _markdown(results, drop))
    print(_markdown(results, drop))
    return 0


def _corpus_chunks():
    from common import CORPUS

    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.loaders import load_path

    out = []
    for f in sorted((CORPUS / "guidance").glob("*.md")):
        out.extend(chunk_document(load_path(f), 320, 520))
    return out


def _markdown(r: dict, drop: dict) -> str:
    rows = [("recall@5, dev", "dev_recall", "{:.3f}"), ("MRR@5, dev", "dev_mrr", "{:.3f}"),
            ("recall@5, holdout", "holdout_recall", "{:.3f}"), ("MRR@5, holdout", "holdout_mrr", "{:.3f}"),
            ("query embedding, median ms", "query_ms", "{:.2f}"), ("passage embedding, chunks/s", "chunks_per_s", "{:.0f}"),
            ("model file, MB", "file_mb", "{:.0f}")]
    lines = ["| | fp32 | int8 |", "|---|---:|---:|"]
    lines += [f"| {label} | {fmt.format(r['fp32'][key])} | {fmt.format(r['int8'][key])} |" for label, key, fmt in rows]
    c = r["int8_vs_fp32_cosine"]
    verdict = "kept" if r["keep_int8"] else "not kept: fp32 stays the default"
    lines += ["", f"int8 vs fp32 passage vectors: cosine min {c['min']:.4f}, mean {c['mean']:.4f}. "
              f"Dev drop: recall {drop['recall'] * 100:+.1f} points, MRR {drop['mrr'] * 100:+.1f} points "
              f"(rule: keep int8 only if both drop by at most 1 point) — int8 {verdict}."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
