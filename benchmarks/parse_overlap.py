"""Would parsing the next file while the model embeds the current one help on this machine? Measured, not assumed.

    PYTHONPATH=. python benchmarks/parse_overlap.py [--rounds 3]

Work: parse an 84-page print PDF (tests/ingest/docgen's protocol, fourteen times over) with our reader,
and embed the shipped corpus's passages with the bundled ONNX model. Each round times the two one after
the other, then together (the parse in a second thread, as an overlapped ingest would run it), and
reports wall seconds, the overlap's saving and how many cores the overlapped run kept busy (on a shared
machine, a saving with ~2 cores busy may be CPU taken from other work, not idle time put to use). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "ingest"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    from docgen.make_pdfs import protocol_pdf
    from pypdf import PdfReader, PdfWriter

    from assistant.index.embeddings import get_embedder
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.loaders import load_path
    from assistant.settings import get_settings

    s = get_settings()
    with tempfile.TemporaryDirectory() as d:
        pdf = PdfWriter()
        for _ in range(14):
            for page in PdfReader(io.BytesIO(protocol_pdf())).pages:
                pdf.add_page(page)
        path = Path(d) / "long.pdf"
        with open(path, "wb") as f:
            pdf.write(f)
        texts = [c.embed_text for f in sorted((REPO / "corpus" / "guidance").glob("*.md"))
                 for c in chunk_document(load_path(f), s.chunk_target_chars, s.chunk_max_chars)]
        embedder = get_embedder(s)
        embedder.encode(texts[:8])  # warm

        def parse():
            load_path(path)

        def embed():
            embedder.encode(texts, batch_size=512)

        rows = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            parse()
            p = time.perf_counter() - t
            t = time.perf_counter()
            embed()
            e = time.perf_counter() - t
            t, c = time.perf_counter(), time.process_time()
            worker = threading.Thread(target=parse)
            worker.start()
            embed()
            worker.join()
            both, cpu = time.perf_counter() - t, time.process_time() - c
            rows.append({"parse_s": p, "embed_s": e, "sequential_s": p + e, "overlapped_s": both,
                         "overlapped_cpu_s": cpu, "cores_busy_overlapped": cpu / both})
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    med["saving"] = 1 - med["overlapped_s"] / med["sequential_s"]
    print(json.dumps({"rounds": rows, "median": med, "passages": len(texts), "pdf_pages": 84,
                      "load_avg_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
                      "date": time.strftime("%Y-%m-%d %H:%M")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
