"""Ingest rate of the shipped corpus: ours, ours before issue 16 and the stock LangChain pipeline,
interleaved (ours, before, stock, ours, before, stock, ...) so a shared machine's changing load falls
on all three alike. Each run is a fresh process that loads its model first and times only the ingest.

    python benchmarks/ingest_ratio.py --before /path/to/older/checkout [--rounds 3]

Ours and before embed with the ONNX backend (the default); stock is the tutorial pipeline on torch
(RecursiveCharacterTextSplitter(1000, 200) + langchain_chroma), as in run_all.py. Writes
benchmarks/results/ingest_ratio.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import MODEL, machine, median, python, write_json

HERE = Path(__file__).resolve()


def worker(kind: str, folder: str) -> dict:
    from common import corpus_documents, langchain_embeddings, our_settings, stock_split, stock_store

    if kind == "stock":
        from assistant.index.embeddings import SentenceTransformerEmbedder

        emb = langchain_embeddings(SentenceTransformerEmbedder(MODEL))
        docs = corpus_documents()
        t = time.perf_counter()
        splits = stock_split(docs)
        stock_store(splits, emb, Path(folder))
        secs, n = time.perf_counter() - t, len(splits)
    else:
        from assistant.index.embeddings import get_embedder
        from assistant.index.store import ingest

        settings = our_settings(Path(folder))
        get_embedder(settings)  # the model loads before the clock starts, as for stock
        rep = ingest(settings, progress=False)
        secs, n = rep.seconds, rep.chunks_total
    return {"seconds": secs, "passages": n, "per_s": n / secs,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", type=Path, required=False)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    trees = {"ours": HERE.parents[1], "before": args.before, "stock": HERE.parents[1]}
    runs: dict[str, list[dict]] = {k: [] for k, v in trees.items() if v}
    with tempfile.TemporaryDirectory(prefix="ingest-ratio-") as tmp:
        for r in range(args.rounds):
            for kind in runs:
                env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
                env["PYTHONPATH"] = str(trees[kind])
                out = subprocess.run([python(), str(HERE), "--worker", "stock" if kind == "stock" else "ours",
                                      str(Path(tmp) / f"{kind}-{r}")], env=env, capture_output=True, text=True,
                                     timeout=1800, cwd=HERE.parent)
                if out.returncode != 0:
                    raise RuntimeError(out.stderr[-2000:])
                runs[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"[{time.strftime('%H:%M:%S')}] {kind}: {runs[kind][-1]}", file=sys.stderr, flush=True)
    result = {"machine": machine(), "runs": runs,
              "median_per_s": {k: median([x["per_s"] for x in v]) for k, v in runs.items()},
              "peak_rss_mb": {k: max(x["peak_rss_mb"] for x in v) for k, v in runs.items()}}
    med = result["median_per_s"]
    result["ratios"] = {f"ours/{k}": med["ours"] / med[k] for k in med if k != "ours"}
    write_json("ingest_ratio.json", result)
    print(json.dumps({k: result[k] for k in ("median_per_s", "ratios", "peak_rss_mb")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
