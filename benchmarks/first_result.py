"""Where a fresh process's time to first result goes, phase by phase (wall and CPU seconds), then warm search.

    ASSISTANT_INDEX_DIR=... ASSISTANT_HOME=... ASSISTANT_CORPUS_DIR=... ASSISTANT_MODEL=fake-hash \\
        python benchmarks/first_result.py QUERIES.json

Meant for an index built by scale.py's generator with fake-hash vectors: queries pay for the real ONNX
query embedding (as in scale.py). Run it alternately against two checkouts (PYTHONPATH) and their
indexes to compare them under the same load; prints one JSON object of [wall s, CPU s] per phase,
warm search p50/p95 (wall and CPU ms) and peak RSS. The issue 16 section of docs/benchmarks.md quotes it.
"""

from __future__ import annotations

import json
import resource
import sys
import time

W0, C0 = time.perf_counter(), time.process_time()
_last = [W0, C0]
OUT: dict = {}


def lap(name: str) -> None:
    w, c = time.perf_counter(), time.process_time()
    OUT[name] = [round(w - _last[0], 3), round(c - _last[1], 3)]
    _last[:] = [w, c]


def main(queries_file: str) -> int:
    import numpy as np
    from scale import _FakeVectorsRealCost  # the harness's own import, before the clock's first phase

    from assistant.index.embeddings import get_embedder
    from assistant.settings import get_settings

    s = get_settings()
    fake = get_embedder(s)
    real = get_embedder(s.model_copy(update={"model": "all-MiniLM-L6-v2"}))
    lap("imports + model load")
    from assistant.search.retrieve import Retriever

    r = Retriever(s, embedder=_FakeVectorsRealCost(fake, real))
    idx = r.index
    lap("Index.open")
    idx.collection
    lap("chroma import + open")
    r.sentence_vectors(idx)
    r.term_vectors(idx)
    lap("sentence + term vectors")
    r.search("munro 2011", k=5)
    lap("first search (HNSW load)")
    OUT["total to first result"] = [round(time.perf_counter() - W0, 3), round(time.process_time() - C0, 3)]
    wall, cpu = [], []
    for q in json.loads(open(queries_file).read()) * 2:
        t, c = time.perf_counter(), time.process_time()
        r.search(q, k=5)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    OUT["warm p50/p95 ms"] = [round(float(np.percentile(wall, p)) * 1000, 1) for p in (50, 95)]
    OUT["warm cpu p50/p95 ms"] = [round(float(np.percentile(cpu, p)) * 1000, 1) for p in (50, 95)]
    OUT["peak RSS MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
