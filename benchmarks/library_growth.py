"""Search and abstention as the library grows: the guidance alone, then with 1,000+ unrelated passages.

    python benchmarks/library_growth.py [--work DIR] [--docs 220] [--sets blind dev holdout fresh] [--code DIR]

For each library (the five guidance documents; the same plus public_info_gen.py's council and transport pages)
and each eval set it reports, for ours and for the stock LangChain pipeline (RecursiveCharacterTextSplitter
1000/200 + MiniLM + Chroma similarity_search) side by side:
  recall@5, and recall within an equal character budget (the gold text inside the first BUDGET characters
  returned, in rank order);
and for ours the answers: out-of-corpus questions abstained, answerable questions wrongly abstained, everyday
off-topic questions abstained (EVERYDAY below: written for this benchmark, not taken from the probe bank), and
warm search latency. --work keeps the built indexes between runs (ingest only embeds what changed); --code runs
another checkout of the assistant (e.g. an export of main) for a before/after comparison.
Writes benchmarks/results/library_growth[-NAME].json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BUDGET = 1500
K = 5
EVERYDAY = ["Will it rain in Manchester tomorrow?", "What's the quickest train from Leeds to London?",
            "Is this page useful?", "Who is playing in the Premier League this weekend?",
            "What's a good recipe for shepherd's pie?", "What time does Tesco open on bank holidays?",
            "How much is a return ticket from York to Edinburgh?", "Should I take an umbrella today?",
            "Which is the best broadband provider?", "Did this page help you?",
            "What's the temperature in London right now?", "Can you recommend a good pub near the station?"]


def _load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def budget_hit(texts: list[str], gold: list[str], budget: int = BUDGET) -> bool:
    """Whether a gold string lies inside the first `budget` characters returned (passages in rank order)."""
    from assistant.textutil import normalise

    left = budget
    for t in texts:
        if left <= 0:
            break
        piece = normalise(t[:left])
        if any(g in piece for g in gold):
            return True
        left -= len(t)
    return False


def retrieval(search, questions: list[dict]) -> dict:
    """recall@K and recall within BUDGET characters for a search function returning passage texts."""
    from assistant.search.query import rewrite_query
    from assistant.textutil import normalise
    from assistant.types import Turn

    at_k = in_budget = n = 0
    for q in questions:
        if not q.get("gold"):
            continue
        gold = [normalise(g) for g in q["gold"]]
        texts = search(rewrite_query(q["question"], [Turn.model_validate(t) for t in q.get("history") or []]))
        n += 1
        at_k += any(any(g in normalise(t) for g in gold) for t in texts[:K])
        in_budget += budget_hit(texts, gold)
    return {"n": n, f"recall@{K}": round(at_k / n, 3) if n else None,
            f"recall@{BUDGET}chars": round(in_budget / n, 3) if n else None}


def build_corpus(root: Path, docs: int, seed: int) -> dict[str, Path]:
    sys.path.insert(0, str(HERE))
    from public_info_gen import generate

    libs = {"guidance": root / "guidance-only", "with-public-pages": root / "with-public-pages"}
    for name, d in libs.items():
        target = d / "corpus" / "guidance"
        if not target.is_dir():
            shutil.copytree(REPO / "corpus" / "guidance", target)
            if name == "with-public-pages":
                generate(target, docs=docs, seed=seed)
    return libs


def our_assistant(lib: Path):
    from assistant.core import Assistant
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    settings = load_settings(corpus_dir=lib / "corpus", index_dir=lib / "indexes", home=lib)
    ingest(settings, progress=False)
    return Assistant(settings)


def stock_search(lib: Path):
    """The stock pipeline over the same documents, persisted beside our index and reused when present."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.index.embeddings import SentenceTransformerEmbedder
    from assistant.ingest.loaders import load_path

    sys.path.insert(0, str(HERE))
    from common import langchain_embeddings

    emb = langchain_embeddings(SentenceTransformerEmbedder("all-MiniLM-L6-v2"))
    persist = lib / "stock"
    if not (persist / "done").exists():
        shutil.rmtree(persist, ignore_errors=True)
        docs = [LCDocument(page_content=d.text, metadata={"doc_id": d.doc_id})
                for d in (load_path(f) for f in sorted((lib / "corpus" / "guidance").glob("*.md")))]
        splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
        Chroma.from_documents(splits, emb, persist_directory=str(persist))
        (persist / "done").write_text(str(len(splits)))
    store = Chroma(persist_directory=str(persist), embedding_function=emb)
    return lambda q: [d.page_content for d in store.similarity_search(q, k=K)]


def answers(a, questions: list[dict]) -> dict:
    from assistant.evaluation.evaluate import _question, run_questions

    parsed = [_question(dict(q)) for q in questions]
    rep = run_questions(a, parsed, K, [])["answers"]
    wrong = len(rep["failures"].get("abstained_wrongly", []))
    return {"answerable": rep["answerable"], "out_of_corpus": rep["out_of_corpus"],
            "ooc_abstained": rep["ooc_abstained"], "false_abstentions": wrong, "gold_fact": rep["gold_fact"]}


def warm_search_ms(a, questions: list[dict], repeat: int = 3) -> dict[str, float]:
    """Median warm search, interleaved per query: the understood search (`assistant search` now) and the bare
    hybrid retriever (what it ran before abbreviations, spelling and long questions), so machine load hits both
    alike."""
    qs = [q["question"] for q in questions]
    runs = {"understood": lambda q: a.search(q, K), "bare_retriever": lambda q: a.retriever.search(q, K)}
    for q in qs:
        for f in runs.values():
            f(q)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for q in qs:
            for name, f in runs.items():
                t = time.perf_counter()
                f(q)
                times[name].append(time.perf_counter() - t)
    out = {name: round(1000 * statistics.median(ts), 2) for name, ts in times.items()}
    out["ratio"] = round(out["understood"] / out["bare_retriever"], 3)
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, help="folder to build (and keep) the libraries in; default: a temp dir")
    p.add_argument("--docs", type=int, default=220)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--sets", nargs="+", default=["blind", "dev", "holdout", "fresh"])
    p.add_argument("--code", type=Path, help="another checkout of the assistant to measure instead of this one")
    p.add_argument("--name", default="", help="suffix of the results file")
    p.add_argument("--no-stock", action="store_true")
    p.add_argument("--latency-only", action="store_true", help="only warm search latency (for before/after pairs)")
    args = p.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve() if args.code else REPO))
    tmp = None if args.work else tempfile.TemporaryDirectory(prefix="growth-")
    root = args.work or Path(tmp.name)
    sets = {s: _load_questions(REPO / "eval" / s / "questions.jsonl") for s in args.sets}
    out: dict = {"budget_chars": BUDGET, "k": K, "libraries": {}}
    for name, lib in build_corpus(root, args.docs, args.seed).items():
        a = our_assistant(lib)
        if args.latency_only:
            print(name, "warm search ms", warm_search_ms(a, sets.get("dev") or next(iter(sets.values())), 5))
            continue
        stock = None if args.no_stock else stock_search(lib)
        row: dict = {"passages": len(a.index.chunks), "sets": {}}
        for s, qs in sets.items():
            ours = retrieval(lambda q: [h.text for h in a.search(q, K)], qs)
            row["sets"][s] = {"ours": ours, "stock": retrieval(stock, qs) if stock else None,
                              "answers": answers(a, qs)}
            print(name, s, json.dumps(row["sets"][s]), file=sys.stderr, flush=True)
        row["everyday_abstained"] = sum(a.ask(q).abstained for q in EVERYDAY) / len(EVERYDAY)
        row["warm_search_ms"] = warm_search_ms(a, sets.get("dev") or next(iter(sets.values())))
        out["libraries"][name] = row
        print(name, "everyday", row["everyday_abstained"], "search ms", row["warm_search_ms"], file=sys.stderr)
    if args.latency_only:
        return 0
    res = HERE / "results" / f"library_growth{'-' + args.name if args.name else ''}.json"
    res.parent.mkdir(parents=True, exist_ok=True)
    res.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(render(out))
    return 0


def render(out: dict) -> str:
    lines = [f"| library | passages | set | ours recall@{K} | stock recall@{K} | ours in {BUDGET} chars | "
             f"stock in {BUDGET} chars | out-of-corpus abstained | false abstentions |", "|---" * 9 + "|"]
    for name, row in out["libraries"].items():
        for s, r in row["sets"].items():
            st = r["stock"] or {}
            ans = r["answers"]
            lines.append(f"| {name} | {row['passages']} | {s} | {r['ours'][f'recall@{K}']} | {st.get(f'recall@{K}', '–')} "
                         f"| {r['ours'][f'recall@{BUDGET}chars']} | {st.get(f'recall@{BUDGET}chars', '–')} "
                         f"| {ans['ooc_abstained']} | {ans['false_abstentions']} / {ans['answerable']} |")
    lines.append("")
    lines += [f"- {name}: everyday off-topic questions abstained {row['everyday_abstained']:.0%}; warm search "
              f"(median ms) {row['warm_search_ms']}" for name, row in out["libraries"].items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
