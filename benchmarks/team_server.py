"""Serving a team (issue 15): a fresh app process against a Chroma server, beside the embedded store.

    python benchmarks/team_server.py [--size 10000] [--runs 3]

Builds scale.py's generated library (~10,000 passages, fake-hash vectors: this measures storage, not the
model; each query still pays for the real ONNX query embedding) twice: in the embedded store, and in
server mode on a `chroma run` started on loopback. Then, in interleaved rounds (the machine is shared:
read the figures as ratios), three kinds of fresh query process:

    embedded       the embedded store on the local disk
    server, empty  a new app server: an empty local folder, every file fetched from the Chroma server
    server, cached a second process on that app server: the files are in its local cache

Each reports time from process start to the first result, the phases before it, and warm search p50/p95
(wall and CPU). One more run measures a running server-mode process picking up a generation another
process published (the first search after it fetches the new files). Writes results/team_server.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

W0, C0 = time.perf_counter(), time.process_time()

import numpy as np
import scale
from common import machine, python, write_json

SCRIPT = Path(__file__).resolve()


def worker(queries_file: str, republish: str = "") -> dict:
    """A fresh query process: phases to the first result, then warm searches (and, with `republish`, the
    first search after another process publishes the corpus at that path)."""
    from assistant.index.embeddings import get_embedder
    from assistant.settings import get_settings

    out, last = {}, [W0, C0]

    def lap(name: str) -> None:
        w, c = time.perf_counter(), time.process_time()
        out[name] = [round(w - last[0], 3), round(c - last[1], 3)]
        last[:] = [w, c]

    s = get_settings()
    embedder = scale._FakeVectorsRealCost(get_embedder(s), get_embedder(s.model_copy(update={"model": "all-MiniLM-L6-v2"})))
    lap("imports + model load")
    from assistant.search.retrieve import Retriever

    r = Retriever(s, embedder=embedder)
    idx = r.index
    lap("open the index (server: fetch the files)")
    r.sentence_vectors(idx)
    r.term_vectors(idx)
    r.search("munro 2011", k=5)
    lap("first search")
    out["first result"] = [round(time.perf_counter() - W0, 3), round(time.process_time() - C0, 3)]
    out["generation files, MB"] = round(sum(f.stat().st_size for f in idx.path.rglob("*") if f.is_file()) / 1e6, 1)
    wall, cpu = [], []
    for q in json.loads(Path(queries_file).read_text()) * 2:
        t, c = time.perf_counter(), time.process_time()
        r.search(q, k=5)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    out["warm wall p50/p95 ms"] = [round(float(np.percentile(wall, p)) * 1000, 1) for p in (50, 95)]
    out["warm cpu p50/p95 ms"] = [round(float(np.percentile(cpu, p)) * 1000, 1) for p in (50, 95)]
    if republish:
        from assistant.index.store import ingest

        before = r.index.gen
        extra = Path(republish) / "guidance" / "team-benchmark-note.md"
        extra.write_text("---\ntitle: A note added by another app server\n---\n\nThis short new note was added by "
                         "another app server. It names the quarterly carers' allotment open day.\n", encoding="utf-8")
        writer = s.model_copy(update={"corpus_dir": Path(republish), "index_dir": Path(tempfile.mkdtemp())})
        t = time.perf_counter()
        ingest(writer, progress=False)
        out["another server's ingest of one new note, s"] = round(time.perf_counter() - t, 2)
        time.sleep(1.0)  # the reader looks at the pointer at most every 0.5 s
        t = time.perf_counter()
        r.search("carers allotment open day", k=5)  # sees the new generation, starts fetching it
        out["first search after the publish, s"] = round(time.perf_counter() - t, 3)
        while r.index.gen == before and time.perf_counter() - t < 120:
            r.search("carers allotment open day", k=5)  # the old library answers while the new one arrives
            time.sleep(0.05)
        out["publish to searching the new generation, s"] = round(time.perf_counter() - t, 3)
        out["switched generation"] = r.index.gen != before
        extra.unlink()
    print(json.dumps(out))
    return 0


def _query(env: dict, queries: Path, *extra: str) -> dict:
    import subprocess

    got = subprocess.run([python(), str(SCRIPT), "--worker", str(queries), *extra], env=env, capture_output=True,
                         text=True, timeout=3600)
    if got.returncode != 0:
        raise RuntimeError(got.stderr[-2000:])
    return json.loads(got.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--worker")
    ap.add_argument("--republish", default="")
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker, args.republish)
    tmp = Path(tempfile.mkdtemp(prefix="team-bench-"))
    try:
        return _run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(args, tmp: Path) -> int:
    model = scale.train()
    corpus = tmp / "corpus"
    scale.write_corpus(model, corpus, args.size)
    queries = tmp / "queries.json"
    queries.write_text(json.dumps(scale.generated_queries(model, 40)))
    proc, port = scale.chroma_server(tmp / "chroma")
    try:
        server = {"chroma_host": "127.0.0.1", "chroma_port": str(port), "index_name": "team"}
        embedded_env = scale._env(corpus, tmp / "embedded", model="fake-hash")
        writer_env = scale._env(corpus, tmp / "writer", model="fake-hash", **server)
        result: dict = {"machine": machine(), "ingest": {}}
        for name, env in (("embedded", embedded_env), ("server", writer_env)):
            ing = scale.run_worker("ingest", env)
            result["ingest"][name] = {"seconds": round(ing["seconds"], 1), "chunks": ing["chunks"]}
            scale._log(f"{name} ingest: {ing['chunks']} passages in {ing['seconds']:.0f} s")
        runs: dict[str, list] = {"embedded": [], "server, empty": [], "server, cached": []}
        for i in range(args.runs):
            runs["embedded"].append(_query(embedded_env, queries))
            fresh = scale._env(corpus, tmp / f"app-{i}", model="fake-hash", **server)
            runs["server, empty"].append(_query(fresh, queries))
            runs["server, cached"].append(_query(fresh, queries))
            scale._log(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]['first result'][0]:.2f} s" for k, v in runs.items()))
        result["runs"] = runs
        mirror = tmp / "corpus-copy"
        shutil.copytree(corpus, mirror)
        result["republish"] = _query(scale._env(mirror, tmp / "reader", model="fake-hash", **server), queries,
                                     "--republish", str(mirror))
        result["load_avg_end"] = machine()["load_avg_1m"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    path = write_json("team_server.json", result)
    print(json.dumps(_medians(result), indent=1))
    scale._log(f"wrote {path}")
    return 0


def _medians(result: dict) -> dict:
    out = {}
    for kind, rs in result["runs"].items():
        keys = rs[0].keys()
        out[kind] = {k: [float(np.median([r[k][j] for r in rs])) for j in range(2)] if isinstance(rs[0][k], list)
                     else rs[0][k] for k in keys}
    out["republish"] = result["republish"]
    out["ingest"] = result["ingest"]
    return out


if __name__ == "__main__":
    sys.exit(main())
