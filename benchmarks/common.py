"""Shared pieces of the benchmarks: eval questions, hit rules, timing, the stock LangChain pipeline."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as `python benchmarks/x.py` from a checkout
    sys.path.insert(0, str(REPO))

DOCS = REPO / "docs"
RESULTS = REPO / "benchmarks" / "results"
CORPUS = REPO / "corpus"
SPLITS = {"fresh": REPO / "eval" / "fresh" / "questions.jsonl", "dev": REPO / "eval" / "dev" / "questions.jsonl", "holdout": REPO / "eval" / "holdout" / "questions.jsonl"}
MODEL = "all-MiniLM-L6-v2"
K = 5


# ---------------------------------------------------------------- eval questions and hits


@dataclass
class Question:
    id: str
    query: str  # the text both pipelines search with (follow-ups folded in, see load_questions)
    gold: list[str]
    kind: str


def load_questions(split: str) -> list[Question]:
    """The answerable questions of a split; follow-ups are folded with their history the same way for both pipelines."""
    from assistant.search.query import rewrite_query
    from assistant.textutil import normalise
    from assistant.types import Turn

    out = []
    for line in SPLITS[split].read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        if not q.get("gold"):
            continue
        history = [Turn.model_validate(t) for t in q.get("history") or []]
        out.append(Question(q["id"], rewrite_query(q["question"], history), [normalise(g) for g in q["gold"]],
                            q.get("kind") or "factual"))
    return out


def first_hit_rank(texts: list[str], gold: list[str]) -> int | None:
    """1-based rank of the first passage containing any gold string (both normalised), else None."""
    from assistant.textutil import normalise

    for rank, text in enumerate(texts, 1):
        t = normalise(text)
        if any(g in t for g in gold):
            return rank
    return None


@dataclass
class Quality:
    recall: float
    mrr: float
    n: int
    misses: list[str] = field(default_factory=list)
    returned_chars: float = 0.0


def score(questions: list[Question], search: Callable[[str], list[str]], k: int = K) -> Quality:
    """recall@k and MRR@k of a search function that returns passage texts."""
    ranks, misses, lengths = [], [], []
    for q in questions:
        texts = search(q.query)[:k]
        lengths.extend(len(t) for t in texts)
        r = first_hit_rank(texts, q.gold)
        ranks.append(r)
        if r is None:
            misses.append(q.id)
    n = len(questions)
    return Quality(recall=sum(r is not None for r in ranks) / n, mrr=sum(1 / r for r in ranks if r) / n, n=n,
                   misses=misses, returned_chars=float(np.mean(lengths)) if lengths else 0.0)


# ---------------------------------------------------------------- timing


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds for each of `repeat` calls."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {"median": float(np.median(ms)), "p95": float(np.percentile(ms, 95)), "n": int(len(ms))}


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "load_avg_1m": round(os.getloadavg()[0], 2), "date": time.strftime("%Y-%m-%d %H:%M")}


def python() -> str:
    return sys.executable


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None, timeout: float = 600) -> tuple[float, str]:
    """Wall seconds and stdout of `python -m assistant ARGS` in a fresh process."""
    t = time.perf_counter()
    out = subprocess.run([python(), "-m", "assistant", *args], input=stdin, env=env, capture_output=True,
                         text=True, timeout=timeout, cwd=REPO)
    took = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(f"assistant {' '.join(args)} failed: {out.stderr[-1000:]}")
    return took, out.stdout


def bench_env(index_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for CLI subprocesses: a private index folder, nothing else inherited from ASSISTANT_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CORPUS_DIR": str(CORPUS)})
    env.update({f"ASSISTANT_{k.upper()}": v for k, v in extra.items()})
    return env


# ---------------------------------------------------------------- our pipeline


@contextlib.contextmanager
def use_embedder(embedder) -> Iterator[None]:
    """Make ingest embed with this embedder (to compare variants without touching settings)."""
    import assistant.index.embeddings as index_module  # every ingest stage looks it up there when it embeds

    original = index_module.get_embedder
    index_module.get_embedder = lambda settings: embedder
    try:
        yield
    finally:
        index_module.get_embedder = original


def our_settings(index_dir: Path, **overrides):
    from assistant.settings import load_settings

    return load_settings(index_dir=index_dir, corpus_dir=CORPUS, home=index_dir, **overrides)


# ---------------------------------------------------------------- the stock LangChain pipeline


def corpus_documents() -> list:
    """The five guidance documents as LangChain Documents (the same cleaned text our loader gives)."""
    from langchain_core.documents import Document as LCDocument

    from assistant.ingest.loaders import load_path

    docs = []
    for f in sorted((CORPUS / "guidance").glob("*.md")):
        d = load_path(f)
        docs.append(LCDocument(page_content=d.text, metadata={"doc_id": d.doc_id, "title": d.title}))
    return docs


def langchain_embeddings(embedder):
    """Any of our Embedders as a LangChain Embeddings object."""
    from langchain_core.embeddings import Embeddings

    class Wrapped(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.encode(list(texts)).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.encode_query(text).tolist()

    return Wrapped()


def stock_split(docs: list) -> list:
    """The tutorial's splitter: RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)


def stock_store(splits: list, embeddings, persist_directory: Path):
    """Chroma.from_documents, as in the tutorial (default settings)."""
    from langchain_chroma import Chroma

    return Chroma.from_documents(splits, embeddings, persist_directory=str(persist_directory))


def write_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def replace_section(path: Path, marker: str, body: str) -> None:
    """Overwrite the text between <!-- MARKER:start --> and <!-- MARKER:end --> (appending them if absent)."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
