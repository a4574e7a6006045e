"""Large libraries in one run: ours (this tree), ours before issue 16 (another checkout) and the stock
LangChain pipeline, each ingest and each query run a fresh process.

    python benchmarks/cold_start.py [--sizes 10000 100000] [--before /path/to/older/checkout]

The libraries are scale.py's generated guidance (the five real documents plus bigram-generated ones).
Vectors are `fake-hash` (deterministic hashing, 384 dimensions) for all three, so ingest figures are
everything but the model; every query still pays for the real ONNX query embedding (scale.py's
_FakeVectorsRealCost). Stock = RecursiveCharacterTextSplitter(1000, 200) + langchain_chroma.Chroma,
similarity_search(k=5). Measured per pipeline: ingest passages/s and peak RSS; time from process start
to the first result; warm search p50/p95 over 100 generated queries and the dev/holdout questions,
twice; query-process peak RSS. Writes benchmarks/results/cold_start.json and the "cold-start" section
of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scale
from common import DOCS, RESULTS, load_questions, machine, python, replace_section, summary_ms, write_json

HERE = Path(__file__).resolve()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stock_docs(corpus: Path) -> list:
    from langchain_core.documents import Document as LCDocument

    return [LCDocument(page_content=f.read_text(encoding="utf-8"), metadata={"source": f.name})
            for f in sorted((corpus / "guidance").glob("*.md"))]


def worker_stock_ingest(corpus: str, persist: str) -> dict:
    from common import langchain_embeddings, stock_split, stock_store

    from assistant.index.embeddings import FakeHashEmbedder

    emb = langchain_embeddings(FakeHashEmbedder())
    t = time.perf_counter()
    splits = stock_split(_stock_docs(Path(corpus)))
    stock_store(splits, emb, Path(persist))
    secs = time.perf_counter() - t
    return {"seconds": secs, "chunks": len(splits), "peak_rss_mb": _rss_mb()}


def worker_stock_query(persist: str, queries_file: str) -> dict:
    t = time.perf_counter()
    from common import langchain_embeddings
    from langchain_chroma import Chroma

    from assistant.index.embeddings import FakeHashEmbedder
    from assistant.index.onnx_backend import load

    emb = langchain_embeddings(scale._FakeVectorsRealCost(FakeHashEmbedder(), load("all-MiniLM-L6-v2")))
    store = Chroma(persist_directory=persist, embedding_function=emb)
    store.similarity_search("munro 2011", k=5)
    first = time.perf_counter() - t
    queries = json.loads(Path(queries_file).read_text())
    times = []
    for _ in range(2):
        for q in queries:
            t = time.perf_counter()
            store.similarity_search(q, k=5)
            times.append(time.perf_counter() - t)
    return {"first_result_s": first, "search_ms": summary_ms(times), "peak_rss_mb": _rss_mb()}


def _run(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run([python(), *args], env=env, capture_output=True, text=True, timeout=4 * 3600,
                         cwd=HERE.parent)
    if out.returncode != 0:
        raise RuntimeError(f"{args[:3]} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def ours(tree: Path, corpus: Path, index: Path, queries: Path) -> dict:
    """scale.py's ingest and query workers of the checkout at `tree` (its own code, fake-hash vectors)."""
    env = scale._env(corpus, index, model="fake-hash")
    env["PYTHONPATH"] = str(tree)
    script = str(tree / "benchmarks" / "scale.py")
    ing = _run([script, "--worker", "ingest"], env)
    q = _run([script, "--worker", "query", str(queries)], env)
    return {"chunks": ing["chunks"], "ingest_s": ing["seconds"], "chunks_per_s": ing["chunks"] / ing["seconds"],
            "ingest_peak_rss_mb": ing["peak_rss_mb"], "phases": ing["phases"], "first_result_s": q["first_result_s"],
            "search_ms": q["search_ms"], "peak_rss_mb": q["peak_rss_mb"], "quality": q["quality"]}


def stock(corpus: Path, persist: Path, queries: Path) -> dict:
    ing = _run([str(HERE), "--worker", "stock-ingest", str(corpus), str(persist)])
    q = _run([str(HERE), "--worker", "stock-query", str(persist), str(queries)])
    return {"chunks": ing["chunks"], "ingest_s": ing["seconds"], "chunks_per_s": ing["chunks"] / ing["seconds"],
            "ingest_peak_rss_mb": ing["peak_rss_mb"], "first_result_s": q["first_result_s"],
            "search_ms": q["search_ms"], "peak_rss_mb": q["peak_rss_mb"]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="*", default=[10000, 100000])
    p.add_argument("--before", type=Path, help="a checkout of the code before issue 16 (measured the same way)")
    p.add_argument("--render", action="store_true")
    p.add_argument("--worker", choices=["stock-ingest", "stock-query"], help=argparse.SUPPRESS)
    p.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        fn = worker_stock_ingest if args.worker == "stock-ingest" else worker_stock_query
        print(json.dumps(fn(*args.rest)))
        return 0
    if args.render:
        render(json.loads((RESULTS / "cold_start.json").read_text(encoding="utf-8")))
        return 0
    model = scale.train()
    result = {"machine": machine(), "rows": []}
    tree = HERE.parents[1]
    with tempfile.TemporaryDirectory(prefix="cold-") as tmp:
        tmp = Path(tmp)
        queries = tmp / "queries.json"
        queries.write_text(json.dumps(scale.generated_queries(model, 100) +
                                      [q.query for s in ("dev", "holdout") for q in load_questions(s)]))
        for size in sorted(args.sizes):
            scale._log(f"size {size}: writing corpus")
            scale.write_corpus(model, tmp / "corpus", size)
            row = {"target": size}
            for name, fn in (("ours", lambda: ours(tree, tmp / "corpus", tmp / f"ours-{size}", queries)),
                             ("before", lambda: ours(args.before, tmp / "corpus", tmp / f"before-{size}", queries)
                              if args.before else None),
                             ("stock", lambda: stock(tmp / "corpus", tmp / f"stock-{size}", queries))):
                scale._log(f"size {size}: {name}")
                row[name] = fn()
                if row[name]:
                    scale._log(f"  {json.dumps({k: v for k, v in row[name].items() if k not in ('quality', 'phases')})}")
                write_json("cold_start.json", {**result, "rows": result["rows"] + [row]})  # partial results survive
            result["rows"].append(row)
    render(result)
    return 0


def _ratio(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "—"


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"Run {m['date']} on {m['cpus']} CPUs (1-minute load average at the start: {m['load_avg_1m']}; the "
             "machine was shared, so compare columns of one run, not runs). `fake-hash` vectors for every "
             "pipeline: ingest is everything but the model; each query pays for the real ONNX query embedding.", "",
             "| passages (ours) | metric | ours | before | stock LangChain | ours / before | ours / stock |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    metrics = [("ingest, passages/s", lambda x: x["chunks_per_s"], "{:.0f}"),
               ("ingest peak RSS, MB", lambda x: x["ingest_peak_rss_mb"], "{:.0f}"),
               ("time to first result, s (fresh process)", lambda x: x["first_result_s"], "{:.2f}"),
               ("warm search p50, ms", lambda x: x["search_ms"]["median"], "{:.1f}"),
               ("warm search p95, ms", lambda x: x["search_ms"]["p95"], "{:.1f}"),
               ("query process peak RSS, MB", lambda x: x["peak_rss_mb"], "{:.0f}")]
    for row in r["rows"]:
        o, b, s = row["ours"], row.get("before"), row.get("stock")
        for label, get, fmt in metrics:
            vals = [get(x) if x else None for x in (o, b, s)]
            cells = [fmt.format(v) if v is not None else "—" for v in vals]
            lines.append(f"| {o['chunks']:,} | {label} | {' | '.join(cells)} | {_ratio(vals[0], vals[1])} | "
                         f"{_ratio(vals[0], vals[2])} |")
        lines.append(f"| {o['chunks']:,} | passages in the index (stock: 1,000-char splits) | {o['chunks']:,} | "
                     f"{b['chunks'] if b else '—'} | {s['chunks'] if s else '—'} | | |")
    for row in r["rows"]:
        ph = row["ours"].get("phases", {})
        lines.append("")
        lines.append(f"Where ours' ingest time goes at {row['ours']['chunks']:,} passages: "
                     + ", ".join(f"{k} {v:.1f} s" for k, v in ph.items()) + ".")
    return "\n".join(lines)


def render(result: dict) -> None:
    md = markdown(result)
    replace_section(DOCS / "benchmarks.md", "cold-start", md)
    print(md)


if __name__ == "__main__":
    sys.exit(main())
