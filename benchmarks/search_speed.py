"""Warm search before and after a change to fusion, in one process, at 1,500 and 100,000 passages.

    python benchmarks/search_speed.py --work DIR [--sizes 1500 100000] [--repeat 3]

The libraries are scale.py's (the five guidance documents plus bigram-generated ones) indexed with `fake-hash`
vectors (embedding 100,000 passages with the model would take hours on a shared 2-core machine); every timed
search still pays for the real query embedding (scale._FakeVectorsRealCost). Each query is searched with the
settings as they were before issue 18's ranking change (`lexical_scope="top"`: BM25 scores only for its own top
candidates, idf from the whole library; `fusion_reference=0`: one standardisation over all candidates) and as they
are now, alternately, so the machine's load hits both alike. --work keeps the built
indexes between runs. Writes benchmarks/results/search_speed.json.

--reading instead compares the query reading of issue 18's third round (greetings and thanks taken off, everyday
shorthand, lower-case abbreviations, typos of English words) switched off and on, in the same way; it writes
benchmarks/results/search_speed-reading.json.

--round4 compares issue 18's fourth round switched off and on: the best-sentence floor (settings.sentence_floor),
the answer-type lift of how-long / when / how-many questions, and the vague-ask reading of long questions; it
writes benchmarks/results/search_speed-round4.json.

--off-topic compares the off-topic penalty (settings.off_topic_weight, issue 18 round 4 part two) off and on; it
writes benchmarks/results/search_speed-offtopic.json.

--document-prior compares the document prior (settings.document_weight, issue 18's seventh round) off and on; it
writes benchmarks/results/search_speed-docprior.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

BEFORE = {"lexical_scope": "top", "fusion_reference": 0}  # what search did before: see the docstring


def build(folder: Path, size: int):
    import scale
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    settings = load_settings(corpus_dir=folder / "corpus", index_dir=folder / "indexes", home=folder,
                             model="fake-hash")
    if not (folder / "built").exists():
        scale.write_corpus(scale.train(), folder / "corpus", size)
        ingest(settings, progress=False)
        (folder / "built").write_text(str(size))
    return settings


@contextlib.contextmanager
def reading_off():
    """The query reading as it was before issue 18's third round (for --reading)."""
    import assistant.search.abbreviations as ab
    import assistant.search.spelling as sp
    import assistant.search.understand as un

    saved = (un.strip_chatter, sp.english_word, sp.load_shorthand, ab.RARE)
    un.strip_chatter, sp.english_word, sp.load_shorthand, ab.RARE = (lambda q: q), (lambda w: None), dict, 1e9
    try:
        yield
    finally:
        un.strip_chatter, sp.english_word, sp.load_shorthand, ab.RARE = saved


@contextlib.contextmanager
def round4_off():
    """Issue 18's fourth-round search changes as they were before (for --round4): no answer-type lift, and an
    asking sentence is vague only when it has no word outside the stopwords and everyday English."""
    import re

    import assistant.search.understand as un
    from assistant.search.rarity import everyday
    from assistant.textutil import STOPWORDS

    saved = (un.ANSWER_TYPE_BONUS, un.vague_ask)
    un.ANSWER_TYPE_BONUS = 0.0
    un.vague_ask = lambda s: not any(not everyday(w) for w in re.findall(r"[A-Za-z]+", s) if w.lower() not in STOPWORDS)
    try:
        yield
    finally:
        un.ANSWER_TYPE_BONUS, un.vague_ask = saved


def measure(settings, queries: list[str], repeat: int, reading: bool = False, round4: bool = False,
            off_topic: bool = False, document_prior: bool = False) -> dict:
    import scale
    from assistant.index.embeddings import get_embedder
    from assistant.search.retrieve import Retriever
    from assistant.search.understand import search

    fake = get_embedder(settings)
    embedder = scale._FakeVectorsRealCost(fake, get_embedder(settings.model_copy(update={"model": "all-MiniLM-L6-v2"})))
    now = Retriever(settings, embedder=embedder)
    before = settings.model_copy(update={"off_topic_weight": 0.0} if off_topic else
                                 {"document_weight": 0.0} if document_prior else
                                 {"sentence_floor": None} if round4 else BEFORE)
    runs = {"before": now if reading else Retriever(before, embedder=embedder), "now": now}
    off = reading_off if reading else round4_off if round4 else contextlib.nullcontext

    def run(name: str, r, q: str) -> None:
        with off() if name == "before" else contextlib.nullcontext():
            search(r, q, 5)

    for q in queries:  # warm: index files mapped, vectors loaded, caches filled
        for name, r in runs.items():
            run(name, r, q)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for q in queries:
            for name, r in runs.items():
                t = time.perf_counter()
                run(name, r, q)
                times[name].append(time.perf_counter() - t)
    out = {name: round(1000 * statistics.median(ts), 2) for name, ts in times.items()}
    out["ratio"] = round(out["now"] / out["before"], 3)
    out["passages"] = len(runs["now"].index.chunks)
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--sizes", type=int, nargs="+", default=[1500, 100_000])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--build-only", action="store_true")
    p.add_argument("--reading", action="store_true", help="compare issue 18's third-round query reading off and on")
    p.add_argument("--round4", action="store_true", help="compare issue 18's fourth-round search changes off and on")
    p.add_argument("--off-topic", action="store_true", help="compare the off-topic penalty off and on")
    p.add_argument("--document-prior", action="store_true", help="compare the document prior off and on")
    args = p.parse_args(argv)
    from common import load_questions

    queries = [q.query for s in ("dev", "holdout") for q in load_questions(s)]
    result = {"queries": len(queries), "repeat": args.repeat, "sizes": {}}
    for size in args.sizes:
        settings = build(args.work / f"size-{size}", size)
        if args.build_only:
            continue
        result["sizes"][str(size)] = measure(settings, queries, args.repeat, args.reading, args.round4,
                                             args.off_topic, args.document_prior)
        print(size, result["sizes"][str(size)], file=sys.stderr, flush=True)
    if not args.build_only:
        suffix = "-reading" if args.reading else "-round4" if args.round4 else "-offtopic" if args.off_topic else (
            "-docprior" if args.document_prior else "")
        out = HERE / "results" / f"search_speed{suffix}.json"
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
