"""No-op and add-one ingest at ~1,500 passages, and where an add-one's time goes, for this tree or another.

    PYTHONPATH=. python benchmarks/incremental_ingest.py [--tree /path/to/checkout] [--passages 1500]
        [--model fake-hash|all-MiniLM-L6-v2] [--rounds 5] [--profile]

The library is scale.py's generated guidance (the shipped documents plus bigram-generated ones) in a
temporary folder. Each round adds one small Markdown note (a different one each time) and then runs a
no-op ingest. With `fake-hash` vectors an add-one is parsing and bookkeeping only; with the real model
its own embedding time is reported beside it, and the add's CPU seconds (all threads of the process: on a
shared machine the wall clock also counts time spent waiting for a core) (the add-one target is "its parse and embedding plus under
1 s"). Each tree runs in its own fresh process, so two trees can be interleaved by calling this twice.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

NOTE = ("# Lunch club note {i}\n\nThe lunch club at the community centre meets on Tuesdays; volunteer {i} drives "
        "people who cannot use the bus. Ask the person whether they would like to go, and who they would like "
        "to sit with.\n\nRecord what the person says matters to them about the club in their own words.\n")


def worker(args) -> dict:
    import cProfile
    import pstats

    from assistant.index import store
    from assistant.index.embeddings import get_embedder
    from assistant.settings import get_settings

    s = get_settings()
    embedder = get_embedder(s)  # model load is start-up, not ingest
    embed_s = [0.0]
    inner = embedder.encode

    def timed(texts, *a, **kw):
        t = time.perf_counter()
        try:
            return inner(texts, *a, **kw)
        finally:
            embed_s[0] += time.perf_counter() - t
    embedder.encode = timed
    t = time.perf_counter()
    first = store.ingest(s, progress=False)
    out = {"passages": first.chunks_total, "build_s": time.perf_counter() - t, "add_s": [], "add_cpu_s": [],
           "add_embed_s": [], "noop_s": []}
    notes = Path(os.environ["ASSISTANT_INDEX_DIR"]).parent / "notes"
    notes.mkdir(exist_ok=True)
    prof = cProfile.Profile() if args.profile else None
    for i in range(args.rounds):
        note = notes / f"lunch-club-{i}.md"
        note.write_text(NOTE.format(i=i), encoding="utf-8")
        embed_s[0] = 0.0
        if prof:
            prof.enable()
        t, cpu = time.perf_counter(), time.process_time()
        rep = store.ingest(s, [note], progress=False)
        out["add_s"].append(time.perf_counter() - t)
        out["add_cpu_s"].append(time.process_time() - cpu)
        if prof:
            prof.disable()
        out["add_embed_s"].append(embed_s[0])
        assert rep.added, rep
        t = time.perf_counter()
        store.ingest(s, progress=False)
        out["noop_s"].append(time.perf_counter() - t)
    for k in ("add_s", "add_cpu_s", "add_embed_s", "noop_s"):
        out[k + "_median"] = statistics.median(out[k])
    out["add_minus_embed_s_median"] = statistics.median(a - e for a, e in zip(out["add_s"], out["add_embed_s"]))
    if prof:
        import io

        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(45)
        out["profile"] = buf.getvalue()
    import resource

    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", default=str(HERE.parent), help="checkout whose assistant/ is measured")
    ap.add_argument("--passages", type=int, default=1500)
    ap.add_argument("--model", default="fake-hash")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    sys.path.insert(0, str(HERE))
    import scale

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        scale.write_corpus(scale.train(), tmp / "corpus", args.passages)
        env = {**os.environ, "PYTHONPATH": args.tree, "ASSISTANT_MODEL": args.model,
               "ASSISTANT_HOME": str(tmp / "home"), "ASSISTANT_CORPUS_DIR": str(tmp / "corpus"),
               "ASSISTANT_INDEX_DIR": str(tmp / "idx")}
        cmd = [sys.executable, __file__, "--worker", "--rounds", str(args.rounds)] + (["--profile"] * args.profile)
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=args.tree, check=False)
        if res.returncode:
            sys.stderr.write(res.stderr)
            return 1
        out = json.loads(res.stdout.strip().splitlines()[-1])
    out.update({"tree": args.tree, "model": args.model, "load_avg_1m": round(os.getloadavg()[0], 2),
                "date": time.strftime("%Y-%m-%d %H:%M")})
    profile = out.pop("profile", None)
    print(json.dumps(out))
    if profile:
        sys.stderr.write(profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
