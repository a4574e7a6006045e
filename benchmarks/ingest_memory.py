"""Peak memory of one ingest of a large generated library, for this tree or another (fake-hash vectors).

    PYTHONPATH=. python benchmarks/ingest_memory.py [--pages 10000] [--pages-per-doc 50] [--tree CHECKOUT]
        [--library DIR]

A "page" is about 2,800 characters of guidance-like prose (scale.py's bigram generator trained on the
shipped guidance, with a heading every eight paragraphs and numbered paragraphs), roughly one printed
A4 page; documents are Markdown. Vectors are `fake-hash` (deterministic hashing), so the figures are
everything an ingest holds except the model. The ingest runs in a fresh process; prints one JSON object
with its peak RSS (ru_maxrss), wall and CPU seconds (all threads) and passages. `--library` keeps the generated files for another run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE_CHARS = 2800


def write_library(folder: Path, pages: int, per_doc: int) -> int:
    sys.path.insert(0, str(HERE))
    import scale

    model = scale.train()
    folder.mkdir(parents=True, exist_ok=True)
    docs = (pages + per_doc - 1) // per_doc
    for i in range(docs):
        path = folder / f"library-{i:05d}.md"
        if path.exists():
            continue
        rng = random.Random(i)
        lines = ["---", f"title: 'Generated handbook {i:05d}'", "publisher: Synthetic benchmark library", "---", "",
                 f"# Generated handbook {i:05d}", ""]
        for page in range(min(per_doc, pages - i * per_doc)):
            lines += [f"## Page {page + 1}: {' '.join(model.sentence(rng).split()[:4]).strip('.,')}", ""]
            size, p = 0, 0
            while size < PAGE_CHARS:
                p += 1
                body = " ".join(model.sentence(rng) for _ in range(rng.choice((2, 3))))
                lines += [f"{page + 1}.{p} {body}", ""]
                size += len(body)
        path.write_text("\n".join(lines), encoding="utf-8")
    return docs


def worker() -> dict:
    from assistant.index.store import ingest
    from assistant.settings import get_settings

    t, cpu = time.perf_counter(), time.process_time()
    rep = ingest(get_settings(), progress=False)
    return {"seconds": time.perf_counter() - t, "cpu_s": time.process_time() - cpu, "passages": rep.chunks_total, "documents": len(rep.added),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--pages-per-doc", type=int, default=50)
    ap.add_argument("--tree", default=str(HERE.parent))
    ap.add_argument("--library", help="folder for the generated documents (kept); default a temporary one")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker()))
        return 0
    with tempfile.TemporaryDirectory() as d:
        lib = Path(args.library) if args.library else Path(d) / "corpus"
        write_library(lib / "guidance", args.pages, args.pages_per_doc)
        env = {**os.environ, "PYTHONPATH": args.tree, "ASSISTANT_MODEL": "fake-hash", "ASSISTANT_HOME": str(Path(d)),
               "ASSISTANT_CORPUS_DIR": str(lib), "ASSISTANT_INDEX_DIR": str(Path(d) / "idx")}
        res = subprocess.run([sys.executable, __file__, "--worker"], env=env, capture_output=True, text=True,
                             cwd=args.tree, check=False)
        if res.returncode:
            sys.stderr.write(res.stderr)
            return 1
        out = json.loads(res.stdout.strip().splitlines()[-1])
    out.update({"tree": args.tree, "pages": args.pages, "pages_per_doc": args.pages_per_doc,
                "load_avg_1m": round(os.getloadavg()[0], 2), "date": time.strftime("%Y-%m-%d %H:%M")})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
