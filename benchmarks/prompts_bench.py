"""Conversation-prompt quality on the dev and holdout situations, through `assistant prompts --batch`.

One CLI batch run per split (a fresh process, the real JSONL protocol), then every returned
prompt is checked independently of the generator: open question ending in '?', no deficit
terms, at least one citation whose quote sits verbatim at its offsets in the cleaned guidance,
8–12 prompts, >= 4 themes, opening -> reviewing order, the situation's own details used when no
safeguarding concern applies, and safeguarding recall / false-positive rate against the labels.

    python benchmarks/prompts_bench.py          # writes benchmarks/results/prompts.json + docs table
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    CORPUS,
    DOCS,
    REPO,
    bench_env,
    machine,
    replace_section,
    run_cli,
    write_json,
)

from assistant.ingest.loaders import load_path  # noqa: E402
from assistant.safety.language import find_deficits, is_open_question  # noqa: E402

SPLITS = {"dev": REPO / "eval" / "dev" / "scenarios.jsonl", "holdout": REPO / "eval" / "holdout" / "scenarios.jsonl"}
SHARED = REPO.parent / "shared" / "eval" / "scenarios.jsonl"
STAGES = ("opening", "exploring", "planning", "reviewing")
# Independent of the generator's own checker: a yes/no opener is never an open question.
CLOSED = re.compile(r"^(?:is|are|am|was|were|do|does|did|can|could|will|would|shall|should|may|might|must|have|has"
                    r"|had)\b", re.I)
# Questions that investigate the harm rather than let the person lead (Making Safeguarding Personal).
INVESTIGATIVE = re.compile(r"\b(?:what did (?:he|she|they) do|who (?:hurt|hit|did)|why didn't you|when did it"
                           r"|how often does (?:he|she|they)|tell me exactly|what happened (?:to|when))\b", re.I)


def load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def run_split(rows: list[dict], env: dict[str, str]) -> tuple[float, list[dict]]:
    stdin = "\n".join(json.dumps({"id": r["id"], "situation": r["situation"], "setting": r["setting"]})
                      for r in rows) + "\n"
    took, out = run_cli(["prompts", "--batch", "-"], env, stdin=stdin)
    return took, [json.loads(x) for x in out.splitlines() if x.strip()]


def is_open(text: str) -> bool:
    first = re.sub(r"^you mentioned [^—–-]+[—–-]\s*", "", text, flags=re.I)  # "You mentioned X — what…?"
    return text.endswith("?") and not CLOSED.match(first) and is_open_question(text)


def cited_verbatim(prompt: dict, docs: dict) -> bool:
    cites = prompt.get("citations") or []
    return bool(cites) and all(c["doc_id"] in docs and c["quote"]
                               and docs[c["doc_id"]].text[c["start"]:c["end"]] == c["quote"] for c in cites)


def score_situation(row: dict, out: dict, docs: dict) -> dict:
    prompts = out.get("prompts") or []
    texts = [p["text"] for p in prompts]
    joined = " ".join(texts).lower()
    order = [STAGES.index(p["stage"]) for p in prompts]
    flagged = bool(out.get("safeguarding", {}).get("flag"))
    return {
        "id": row["id"], "setting": row["setting"], "expected": bool(row["safeguarding"]), "flagged": flagged,
        "n": len(prompts), "open": sum(is_open(t) for t in texts),
        "deficits": [h.phrase for t in texts for h in find_deficits(t)],
        "cited": sum(cited_verbatim(p, docs) for p in prompts),
        "themes": len({p["theme"] for p in prompts}), "ordered": order == sorted(order),
        "details_used": [d for d in row.get("details") or [] if d.lower() in joined],
        "personalised": sum(bool(p.get("personalised")) for p in prompts),
        "investigative": [t for t in texts if INVESTIGATIVE.search(t)] if flagged else [],
        "person_led_first": bool(prompts) and prompts[0].get("prompt_id", "").startswith("safeguarding"),
        "error": out.get("error", ""),
    }


def summarise(scored: list[dict], shared_ids: set[str], took: float) -> dict:
    prompts = sum(s["n"] for s in scored)
    ordinary = [s for s in scored if not s["expected"] and not s["flagged"]]
    pos = [s for s in scored if s["expected"]]
    neg = [s for s in scored if not s["expected"]]
    flagged = [s for s in scored if s["flagged"]]
    tp = sum(s["flagged"] for s in pos)
    fp = sum(s["flagged"] for s in neg)
    return {
        "situations": len(scored), "shared": sum(s["id"] in shared_ids for s in scored),
        "own": sum(s["id"] not in shared_ids for s in scored), "safeguarding_labelled": len(pos),
        "prompts": prompts, "errors": [s["id"] for s in scored if s["error"]],
        "open_share": round(sum(s["open"] for s in scored) / prompts, 4) if prompts else 0.0,
        "deficit_terms": sum(len(s["deficits"]) for s in scored),
        "cited_verbatim_share": round(sum(s["cited"] for s in scored) / prompts, 4) if prompts else 0.0,
        "count_8_12_share": round(sum(8 <= s["n"] <= 12 for s in scored) / len(scored), 4),
        "themes_ge4_share": round(sum(s["themes"] >= 4 for s in scored) / len(scored), 4),
        "min_themes": min(s["themes"] for s in scored),
        "ordered_share": round(sum(s["ordered"] for s in scored) / len(scored), 4),
        "details_used_share": round(sum(bool(s["details_used"]) for s in ordinary) / len(ordinary), 4)
        if ordinary else 0.0,
        "details_missing": [s["id"] for s in ordinary if not s["details_used"]],
        "mean_personalised_prompts": round(sum(s["personalised"] for s in ordinary) / len(ordinary), 2)
        if ordinary else 0.0,
        "safeguarding_tp": tp, "safeguarding_fn": len(pos) - tp, "safeguarding_fp": fp,
        "safeguarding_tn": len(neg) - fp,
        "safeguarding_recall": round(tp / len(pos), 4) if pos else 1.0,
        "safeguarding_fp_rate": round(fp / len(neg), 4) if neg else 0.0,
        "safeguarding_missed": [s["id"] for s in pos if not s["flagged"]],
        "safeguarding_false_alarms": [s["id"] for s in neg if s["flagged"]],
        "flagged_sets_person_led_first": sum(s["person_led_first"] for s in flagged),
        "flagged_sets": len(flagged),
        "investigative_prompts": sum(len(s["investigative"]) for s in scored),
        "batch_seconds": round(took, 2),
    }


def table(results: dict) -> str:
    rows = [
        ("situations (own / shared)", lambda r: f"{r['situations']} ({r['own']} / {r['shared']})", ""),
        ("prompts returned", lambda r: str(r["prompts"]), ""),
        ("open questions ending in '?'", lambda r: f"{r['open_share']:.0%}", "100%"),
        ("deficit terms in prompts", lambda r: str(r["deficit_terms"]), "0"),
        ("prompts cited, quotes verbatim at offsets", lambda r: f"{r['cited_verbatim_share']:.0%}", "100%"),
        ("sets with 8–12 prompts", lambda r: f"{r['count_8_12_share']:.0%}", "100%"),
        ("sets with ≥ 4 themes (min)", lambda r: f"{r['themes_ge4_share']:.0%} ({r['min_themes']})", "100%"),
        ("sets ordered opening → reviewing", lambda r: f"{r['ordered_share']:.0%}", "100%"),
        ("non-safeguarding sets using the situation's details", lambda r: f"{r['details_used_share']:.0%}", "100%"),
        ("personalised prompts per non-safeguarding set (mean)", lambda r: str(r["mean_personalised_prompts"]), ""),
        ("safeguarding recall", lambda r: f"{r['safeguarding_tp']}/{r['safeguarding_tp'] + r['safeguarding_fn']} "
                                          f"({r['safeguarding_recall']:.0%})", "100%"),
        ("safeguarding false positives", lambda r: f"{r['safeguarding_fp']}/{r['safeguarding_fp'] + r['safeguarding_tn']}"
                                                   f" ({r['safeguarding_fp_rate']:.0%})", "≤ 10%"),
        ("flagged sets led by person-led questions", lambda r: f"{r['flagged_sets_person_led_first']}/"
                                                              f"{r['flagged_sets']}", "all"),
        ("investigative questions in flagged sets", lambda r: str(r["investigative_prompts"]), "0"),
    ]
    lines = ["| measure | dev | holdout | target |", "|---|---:|---:|---|"]
    lines += [f"| {name} | {fn(results['dev'])} | {fn(results['holdout'])} | {target} |" for name, fn, target in rows]
    return "\n".join(lines)


def main() -> int:
    docs = {d.doc_id: d for d in (load_path(f) for f in sorted((CORPUS / "guidance").glob("*.md")))}
    shared_ids = {r["id"] for r in load(SHARED)} if SHARED.exists() else set()
    results: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory() as tmp:
        env = bench_env(Path(tmp) / "index", HOME=str(Path(tmp) / "home"))
        for split, path in SPLITS.items():
            rows = load(path)
            took, outs = run_split(rows, env)
            by_id = {o["id"]: o for o in outs}
            scored = [score_situation(r, by_id.get(r["id"], {"error": "no output"}), docs) for r in rows]
            results[split] = summarise(scored, shared_ids, took)
            results[split + "_situations"] = scored
    out = write_json("prompts.json", results)
    m = results["machine"]
    body = (f"Run {m['date']} on {m['cpus']} CPUs. One `assistant prompts --batch` run per split over "
            f"eval/*/scenarios.jsonl; each returned prompt re-checked by `benchmarks/prompts_bench.py` "
            f"(results: `benchmarks/results/prompts.json`).\n\n" + table(results))
    replace_section(DOCS / "benchmarks.md", "prompts", body)
    for split in SPLITS:
        r = results[split]
        print(f"{split}: open {r['open_share']:.0%}, deficits {r['deficit_terms']}, cited {r['cited_verbatim_share']:.0%},"
              f" details {r['details_used_share']:.0%}, themes>=4 {r['themes_ge4_share']:.0%}, "
              f"8-12 {r['count_8_12_share']:.0%}, recall {r['safeguarding_tp']}/"
              f"{r['safeguarding_tp'] + r['safeguarding_fn']}, FP {r['safeguarding_fp']}/"
              f"{r['safeguarding_fp'] + r['safeguarding_tn']}", file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
