"""Scaling: ingest rate, index size, query latency, recall and memory as the library grows.

    python benchmarks/scale.py [--sizes 10000 50000 100000] [--server-size 10000]

The corpus is generated offline from the guidance's own words: a word-bigram model trained on
the sentences of corpus/guidance writes new sentences (each starts with a word that starts a real
sentence and walks bigram transitions until a full stop), two or three to a numbered paragraph,
eight paragraphs to a headed section, ~100 paragraphs to a Markdown document with front matter.
Document i is seeded by i, so each size's corpus contains the smaller ones; the five real
documents are always included, so the eval questions still have answers among the distractors.

Sizes are ingested in increasing order into one index: the first ingest is fresh, later ones
embed only the new chunks (the rest are reused by content hash), so chunks/s there counts
embedded chunks over the whole ingest time. Each ingest and each query run is a fresh process,
so peak memory (ru_maxrss) is per step. The same queries also run against a Chroma server
(`chroma run` on 127.0.0.1) at --server-size. Writes benchmarks/results/scale.json, the "scale"
section of docs/benchmarks.md and docs/bench_scaling.png.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import plots
from common import (CORPUS, DOCS, load_questions, machine, python, replace_section, score, summary_ms, write_json)

PARAS_PER_DOC = 100
SCRIPT = Path(__file__).resolve()


# ---------------------------------------------------------------- corpus generation


class Bigrams:
    """Word-bigram sentence generator trained on the guidance sentences."""

    def __init__(self, sentences: list[str]):
        self.next: dict[str, list[str]] = {}
        self.starts: list[str] = []
        for s in sentences:
            words = s.split()
            if len(words) < 4:
                continue
            self.starts.append(words[0])
            for a, b in zip(words, words[1:]):
                self.next.setdefault(a, []).append(b)

    def sentence(self, rng: random.Random, max_words: int = 35) -> str:
        words = [rng.choice(self.starts)]
        while len(words) < max_words:
            options = self.next.get(words[-1])
            if not options:
                break
            words.append(rng.choice(options))
            if len(words) >= 6 and re.search(r"[.?!]$", words[-1]):
                break
        text = " ".join(words).rstrip(",;:")
        return text if re.search(r"[.?!]$", text) else text + "."


def train() -> Bigrams:
    from assistant.loaders import load_path
    from assistant.textutil import sentence_spans

    sentences = []
    for f in sorted((CORPUS / "guidance").glob("*.md")):
        text = load_path(f).text
        sentences.extend(text[s:e] for s, e in sentence_spans(text) if not text[s:e].startswith("#"))
    return Bigrams(sentences)


def document(model: Bigrams, i: int) -> str:
    rng = random.Random(i)
    topic = " ".join(rng.choice(model.starts).strip(",.").lower() for _ in range(3))
    lines = ["---", f"title: 'Generated guidance {i:05d}: {topic}'", "publisher: Synthetic benchmark corpus",
             "doc_type: guidance", "---", "", f"# Generated guidance {i:05d}", ""]
    for p in range(PARAS_PER_DOC):
        if p % 8 == 0:
            lines += [f"## Part {p // 8 + 1}: {' '.join(model.sentence(rng).split()[:4]).strip('.,')}", ""]
        body = " ".join(model.sentence(rng) for _ in range(rng.choice((2, 2, 3))))
        lines += [f"{i % 90 + 1}.{p + 1} {body}", ""]
    return "\n".join(lines)


def write_corpus(model: Bigrams, folder: Path, docs: int) -> None:
    """Real guidance + generated documents 0..docs-1 in folder/guidance (existing files are kept)."""
    out = folder / "guidance"
    out.mkdir(parents=True, exist_ok=True)
    for f in (CORPUS / "guidance").glob("*.md"):
        shutil.copyfile(f, out / f.name)
    for i in range(docs):
        path = out / f"generated-{i:05d}.md"
        if not path.exists():
            path.write_text(document(model, i), encoding="utf-8")


def chunks_per_doc(model: Bigrams) -> float:
    from assistant.chunking import chunk_document
    from assistant.loaders import load_path

    with tempfile.TemporaryDirectory() as tmp:
        counts = []
        for i in range(3):
            p = Path(tmp) / f"generated-{i:05d}.md"
            p.write_text(document(model, i), encoding="utf-8")
            counts.append(len(chunk_document(load_path(p), 320, 520)))
    return float(np.mean(counts))


def generated_queries(model: Bigrams, n: int) -> list[str]:
    rng = random.Random(12345)
    out = []
    for _ in range(n):
        words = model.sentence(rng).split()
        start = rng.randrange(max(1, len(words) - 6))
        out.append(" ".join(words[start:start + rng.choice((3, 5, 8))]).strip(".,;:"))
    return [q for q in out if q]


# ---------------------------------------------------------------- workers (fresh processes)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def worker_ingest() -> dict:
    from assistant.index import ingest
    from assistant.settings import get_settings

    rep = ingest(get_settings(), progress=False)
    return {"seconds": rep.seconds, "chunks": rep.chunks_total, "embedded": rep.chunks_embedded,
            "peak_rss_mb": _rss_mb()}


def worker_query(queries_file: str) -> dict:
    from assistant.retrieve import Retriever

    t = time.perf_counter()
    r = Retriever()
    r.search("munro 2011", k=5)
    first = time.perf_counter() - t
    queries = json.loads(Path(queries_file).read_text())
    times, encode = [], []
    for _ in range(2):
        for q in queries:
            t = time.perf_counter()
            r.search(q, k=5)
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            r.embedder.encode_query(q)
            encode.append(time.perf_counter() - t)
    # Generated sentences reuse real bigrams and may repeat a gold phrase: only real documents count as hits.
    quality = {s: score(load_questions(s), lambda q: [h.text if not h.doc_id.startswith("generated-") else ""
                                                      for h in r.search(q, k=5)]).__dict__
               for s in ("dev", "holdout")}
    return {"first_result_s": first, "search_ms": summary_ms(times), "encode_ms": summary_ms(encode), "quality": quality, "peak_rss_mb": _rss_mb(),
            "chunks": len(r.index.chunks), "index_mb": _du(r.index.path) / 1e6}


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_worker(kind: str, env: dict, *extra: str) -> dict:
    out = subprocess.run([python(), str(SCRIPT), "--worker", kind, *extra], env=env, capture_output=True, text=True,
                         timeout=4 * 3600)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} worker failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _env(corpus: Path, index: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_CORPUS_DIR=str(corpus), ASSISTANT_INDEX_DIR=str(index), ASSISTANT_HOME=str(index))
    env.update({f"ASSISTANT_{k.upper()}": v for k, v in extra.items()})
    return env


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- driver


def measure(corpus: Path, index: Path, queries_file: Path, **extra: str) -> dict:
    env = _env(corpus, index, **extra)
    ing = run_worker("ingest", env)
    _log(f"  ingested {ing['chunks']} chunks ({ing['embedded']} embedded) in {ing['seconds']:.0f} s")
    q = run_worker("query", env, str(queries_file))
    _log(f"  search p50 {q['search_ms']['median']:.1f} ms, p95 {q['search_ms']['p95']:.1f} ms")
    return {"chunks": ing["chunks"], "embedded": ing["embedded"], "ingest_s": ing["seconds"],
            "chunks_per_s": ing["embedded"] / ing["seconds"], "ingest_peak_rss_mb": ing["peak_rss_mb"],
            "index_mb": q["index_mb"], "first_result_s": q["first_result_s"], "search_ms": q["search_ms"],
            "encode_ms": q["encode_ms"],
            "quality": q["quality"], "peak_rss_mb": q["peak_rss_mb"]}


def chroma_server(path: Path):
    """Start `chroma run` on a free loopback port; returns (process, port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("chroma server did not start")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000, 100000], help="target chunk counts")
    p.add_argument("--latency-sizes", type=int, nargs="*", default=[],
                   help="extra sizes indexed with fake-hash vectors: query latency without hours of embedding")
    p.add_argument("--server-size", type=int, default=10000, help="chunk count for the Chroma server run (0: skip)")
    p.add_argument("--worker", choices=["ingest", "query"], help=argparse.SUPPRESS)
    p.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker_ingest() if args.worker == "ingest" else worker_query(*args.rest)))
        return 0
    model = train()
    per_doc = chunks_per_doc(model)
    result = {"machine": machine(), "chunks_per_generated_doc": per_doc, "rows": [], "server": None, "latency_only": []}
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        tmp = Path(tmp)
        queries_file = tmp / "queries.json"
        queries_file.write_text(json.dumps(generated_queries(model, 100) +
                                           [q.query for s in ("dev", "holdout") for q in load_questions(s)]))
        if args.server_size:
            result["server"] = _server_run(model, tmp, per_doc, args.server_size, queries_file)
        for size in sorted(args.sizes):
            _log(f"size {size}: writing corpus")
            write_corpus(model, tmp / "corpus", round(size / per_doc))
            row = measure(tmp / "corpus", tmp / "index", queries_file)
            row["target"] = size
            result["rows"].append(row)
            write_json("scale.json", result)  # partial results survive an interrupted run
        for size in sorted(args.latency_sizes):
            _log(f"size {size}, fake-hash vectors (latency only): writing corpus")
            write_corpus(model, tmp / "corpus", round(size / per_doc))
            row = measure(tmp / "corpus", tmp / "index-fake", queries_file, model="fake-hash")
            row["target"] = size
            result["latency_only"].append(row)
            write_json("scale.json", result)
    plots.scaling(result["rows"], DOCS / "bench_scaling.png", result["server"], result["latency_only"])
    md = markdown(result)
    replace_section(DOCS / "benchmarks.md", "scale", md)
    print(md)
    return 0


def _server_run(model, tmp: Path, per_doc: float, size: int, queries_file: Path) -> dict:
    _log(f"Chroma server run at {size} chunks")
    write_corpus(model, tmp / "corpus-server", round(size / per_doc))
    proc, port = chroma_server(tmp / "chroma-server")
    try:
        row = measure(tmp / "corpus-server", tmp / "index-server", queries_file, chroma_host="127.0.0.1",
                      chroma_port=str(port))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    row["target"] = size
    return row


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"Run {m['date']} on {m['cpus']} CPUs (load average {m['load_avg_1m']} at the start); "
             f"{r['chunks_per_generated_doc']:.0f} chunks per generated document. Search latency is over "
             "the eval questions plus 100 generated queries, two passes, in a fresh process per size.", "",
             "| chunks | embedded | ingest s | chunks/s | index MB | first result s | search p50 ms | search p95 ms "
             "| recall@5 dev / holdout | MRR@5 dev / holdout | peak RSS MB (query / ingest) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    rows = [(f"{x['chunks']:,}", x) for x in r["rows"]]
    if r["server"]:
        rows.append((f"{r['server']['chunks']:,} (Chroma server)", r["server"]))
    for label, x in rows:
        q = x["quality"]
        lines.append(f"| {label} | {x['embedded']:,} | {x['ingest_s']:.0f} | {x['chunks_per_s']:.0f} | "
                     f"{x['index_mb']:.0f} | {x['first_result_s']:.2f} | {x['search_ms']['median']:.1f} | "
                     f"{x['search_ms']['p95']:.1f} | {q['dev']['recall']:.3f} / {q['holdout']['recall']:.3f} | "
                     f"{q['dev']['mrr']:.3f} / {q['holdout']['mrr']:.3f} | "
                     f"{x['peak_rss_mb']:.0f} / {x['ingest_peak_rss_mb']:.0f} |")
    lines += _latency_only(r)
    lines += ["", "![scaling](bench_scaling.png)"]
    return "\n".join(lines)


def _latency_only(r: dict) -> list[str]:
    """Rows indexed with fake-hash vectors, plus the extrapolated ingest time for those sizes."""
    if not r.get("latency_only") or not r["rows"]:
        return []
    real = r["rows"][-1]
    rate, enc = real["chunks_per_s"], real["encode_ms"]["median"]
    out = ["", f"Latency-only sizes: the same generated corpus indexed with `fake-hash` vectors (no model), so "
           f"Chroma's HNSW, BM25 and the chunk store are full size without hours of embedding. The estimate adds "
           f"the ONNX query-embedding median measured at {real['chunks']:,} chunks ({enc:.1f} ms) to the "
           f"retrieval time. Ingest with the real model is extrapolated at {rate:.0f} chunks/s (the rate "
           f"measured at {real['chunks']:,}).", "",
           "| chunks | search p50 ms (no model) | search p95 ms (no model) | est. p50 / p95 with ONNX ms | "
           "first result s | index MB | peak RSS MB (query) | est. ingest with the model, min |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for x in r["latency_only"]:
        sm = x["search_ms"]
        out.append(f"| {x['chunks']:,} | {sm['median']:.1f} | {sm['p95']:.1f} | {sm['median'] + enc:.1f} / "
                   f"{sm['p95'] + enc:.1f} | {x['first_result_s']:.2f} | {x['index_mb']:.0f} | "
                   f"{x['peak_rss_mb']:.0f} | {x['chunks'] / rate / 60:.0f} |")
    return out


if __name__ == "__main__":
    sys.exit(main())
