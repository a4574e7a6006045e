"""Answer quality of `Assistant.ask` (extractive) on the dev and holdout questions.

    python benchmarks/answer_bench.py [--index-dir DIR] [--no-write] [--show] [--dev-only] [--repeat N]

Builds an index of the shipped corpus in a temp dir (or reuses --index-dir), asks every question
(follow-ups with their history) and reports, per split:
- gold-fact rate: answerable questions whose answer text contains one of the gold strings;
- abstention confusion: answerable questions that abstained and out-of-corpus ones that answered (ids);
- cited-sentence rate: answer sentences that end with a citation marker;
- verbatim-quote rate: citations whose quote == document text[start:end];
- warm ask median ms: over --repeat further passes (caches warm).
Writes benchmarks/results/answers.json and the "answers" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from common import DOCS, SPLITS, machine, our_settings, replace_section, write_json

TARGETS = {"gold": 0.90, "ask_ms": 30.0}


def load_split(split: str) -> list[dict]:
    lines = SPLITS[split].read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def judge(assistant, q: dict, ans) -> dict:
    """One question's outcome: correct / abstained, sentence citation and quote checks."""
    from assistant.answer.compose import split_answer_sentences
    from assistant.textutil import normalise

    docs = assistant.index.documents
    answerable = bool(q.get("gold"))
    text = normalise(ans.answer)
    sentences = [] if ans.abstained else split_answer_sentences(ans.answer)
    return {
        "id": q["id"], "kind": q.get("kind") or ("factual" if answerable else "out-of-corpus"),
        "answerable": answerable, "abstained": ans.abstained,
        "correct": answerable and not ans.abstained and any(normalise(g) in text for g in q["gold"]),
        "sentences": len(sentences), "cited": sum(bool(re.search(r"\[\d+\]$", s)) for s in sentences),
        "quotes": len(ans.citations),
        "verbatim": sum(c.doc_id in docs and docs[c.doc_id].text[c.start:c.end] == c.quote for c in ans.citations),
        "answer": ans.answer, "searched": ans.searched_query,
    }


def run_split(assistant, split: str, repeat: int = 3) -> dict:
    from assistant.answer.extractive import assess
    from assistant.types import Turn

    questions = load_split(split)
    rows, first, warm = [], [], []
    for q in questions:
        t = time.perf_counter()
        ans = assistant.ask(q["question"], q.get("history"))
        first.append(time.perf_counter() - t)
        rows.append(judge(assistant, q, ans))
        history = [Turn.model_validate(h) for h in q.get("history") or []]
        rows[-1]["confidence"] = assess(assistant.retriever, q["question"], history, assistant.settings).confidence
    for _ in range(repeat):  # later passes: warm caches
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q["question"], q.get("history"))
            warm.append(time.perf_counter() - t)
    return summarise(rows, first, warm)


def summarise(rows: list[dict], first: list[float], warm: list[float]) -> dict:
    import statistics

    ans = [r for r in rows if r["answerable"]]
    ooc = [r for r in rows if not r["answerable"]]
    sentences = sum(r["sentences"] for r in rows)
    quotes = sum(r["quotes"] for r in rows)
    return {
        "questions": len(rows), "answerable": len(ans), "out_of_corpus": len(ooc),
        "gold_rate": sum(r["correct"] for r in ans) / max(1, len(ans)),
        "correct": sum(r["correct"] for r in ans),
        "wrong_ids": [r["id"] for r in ans if not r["correct"] and not r["abstained"]],
        "answerable_abstained": [r["id"] for r in ans if r["abstained"]],
        "ooc_answered": [r["id"] for r in ooc if not r["abstained"]],
        "ooc_abstained": sum(r["abstained"] for r in ooc),
        "cited_sentence_rate": sum(r["cited"] for r in rows) / sentences if sentences else 1.0,
        "sentences": sentences,
        "verbatim_quote_rate": sum(r["verbatim"] for r in rows) / quotes if quotes else 1.0,
        "quotes": quotes,
        "ask_ms_first_median": 1000 * statistics.median(first),
        "ask_ms_warm_median": 1000 * statistics.median(warm),
        "by_kind": _by_kind(ans),
        "confidence": _confidence_summary(ans, ooc),
        "rows": rows,
    }


def _confidence_summary(ans: list[dict], ooc: list[dict]) -> dict:
    """Where the abstention threshold sits between answerable and out-of-corpus confidences."""
    lowest = min(ans, key=lambda r: r["confidence"], default=None)
    scored = [r for r in ooc if r["confidence"] > 0]
    return {"answerable_min": lowest["confidence"] if lowest else None, "answerable_min_id": lowest and lowest["id"],
            "ooc_zero": len(ooc) - len(scored),
            "ooc_scored": sorted((round(r["confidence"], 3), r["id"]) for r in scored)}


def _by_kind(ans: list[dict]) -> dict[str, str]:
    kinds: dict[str, list[bool]] = {}
    for r in ans:
        kinds.setdefault(r["kind"], []).append(r["correct"])
    return {k: f"{sum(v)}/{len(v)}" for k, v in sorted(kinds.items())}


def _ids(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "none"


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"Run {m['date']} on {m['cpus']} CPUs, Python {m['python']} (1-minute load average at the start: "
             f"{m['load_avg_1m']}). Extractive backend, `python benchmarks/answer_bench.py`. Holdout was not "
             "used for tuning.", "",
             "| metric | dev | holdout | target |", "|---|---:|---:|---|"]
    d, h = result["dev"], result["holdout"]

    def row(label, fmt, key, target=""):
        lines.append(f"| {label} | {fmt(d[key])} | {fmt(h[key])} | {target} |")

    lines.append(f"| answer contains the gold fact (answerable) | {d['correct']}/{d['answerable']} = "
                 f"{d['gold_rate']:.3f} | {h['correct']}/{h['answerable']} = {h['gold_rate']:.3f} | ≥ 0.90 |")
    lines.append(f"| out-of-corpus questions that abstained | {d['ooc_abstained']}/{d['out_of_corpus']} | "
                 f"{h['ooc_abstained']}/{h['out_of_corpus']} | all |")
    lines.append(f"| answerable questions that abstained | {len(d['answerable_abstained'])} | "
                 f"{len(h['answerable_abstained'])} | 0 |")
    row("answer sentences with a citation marker", lambda v: f"{v:.3f}", "cited_sentence_rate", "1.000")
    row("quotes equal to document text[start:end]", lambda v: f"{v:.3f}", "verbatim_quote_rate", "1.000")
    row(f"warm ask, median ms ({result.get('repeat', 1)} passes)", lambda v: f"{v:.1f}", "ask_ms_warm_median", "≤ 30")
    row("first ask of each question, median ms", lambda v: f"{v:.1f}", "ask_ms_first_median")
    lines += ["", "Correct by question kind: dev " + ", ".join(f"{k} {v}" for k, v in d["by_kind"].items())
              + "; holdout " + ", ".join(f"{k} {v}" for k, v in h["by_kind"].items()) + ".", ""]
    c = d["confidence"]
    lines += [f"Abstention threshold {result['threshold']}: on dev the lowest confidence of an answerable question is "
              f"{c['answerable_min']:.3f} ({c['answerable_min_id']}); {c['ooc_zero']} of {d['out_of_corpus']} "
              "out-of-corpus questions are stopped by the name / number / answer-type / phrase / pointer checks "
              "(confidence 0), the others score " + ", ".join(f"{v:.2f} ({i})" for v, i in c["ooc_scored"]) + ".", ""]
    for name, s in (("dev", d), ("holdout", h)):
        lines.append(f"- {name}: wrong sentence picked: {_ids(s['wrong_ids'])}; answerable but abstained: "
                     f"{_ids(s['answerable_abstained'])}; out of corpus but answered: {_ids(s['ooc_answered'])}.")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index-dir", type=Path, help="reuse (or build once into) this index folder")
    p.add_argument("--no-write", action="store_true", help="print only; do not write results or docs")
    p.add_argument("--show", action="store_true", help="print every failing question with its answer")
    p.add_argument("--repeat", type=int, default=3, help="warm passes over the questions for the latency median")
    p.add_argument("--dev-only", action="store_true",
                   help="tune on dev without looking at holdout (implies --no-write)")
    args = p.parse_args()
    splits = ("dev",) if args.dev_only else ("dev", "holdout")
    with tempfile.TemporaryDirectory(prefix="answers-") as tmp:
        result = run(args.index_dir or Path(tmp), splits, args.repeat)
    if args.dev_only:
        s = result["dev"]
        print(f"dev gold {s['correct']}/{s['answerable']}; wrong {s['wrong_ids']}; answerable abstained "
              f"{s['answerable_abstained']}; ooc answered {s['ooc_answered']}; warm ms {s['ask_ms_warm_median']:.1f}")
    if args.show:
        for split in splits:
            for r in result[split]["rows"]:
                if r["correct"] or (not r["answerable"] and r["abstained"]):
                    continue
                print(f"--- {r['id']} ({r['kind']}) abstained={r['abstained']} searched={r['searched']!r}\n"
                      f"    {r['answer'][:400]}")
    if args.dev_only:
        return 0
    md = markdown(result)
    if not args.no_write:
        write_json("answers.json", result)
        replace_section(DOCS / "benchmarks.md", "answers", md)
    print(md)
    return 0


def run(index_dir: Path, splits: tuple[str, ...] = ("dev", "holdout"), repeat: int = 3) -> dict:
    from assistant.core import Assistant

    settings = our_settings(index_dir)
    assistant = Assistant(settings)
    assistant.ensure_index(progress=False)
    assistant.ask("warm up: what is a strengths-based approach?")
    return {"machine": machine(), "threshold": settings.abstain_threshold, "repeat": repeat,
            **{split: run_split(assistant, split, repeat) for split in splits}}


if __name__ == "__main__":
    sys.exit(main())
