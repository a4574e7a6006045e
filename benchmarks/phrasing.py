"""New phrasing of questions the assistant already answers: does it still answer them?

    python benchmarks/phrasing.py [--code DIR] [--sets dev holdout blind blind3] [--name NAME]

Each answerable single question of the sets is asked as written and re-typed seven ways, the way practitioners
type (a fixed seed, so every run types the same): lower case without end punctuation, a greeting before it, thanks
after it, a sentence of case notes before it, two letters swapped in two of its long words, a hedge before it, a
sentence naming the people of the case before it. For each way it reports the share answered (not abstained), the
share whose answer holds the gold fact, and recall@5 (a gold string in the top five passages searched). --code
measures another checkout (e.g. an export of main) for before/after.
Writes benchmarks/results/phrasing[-NAME].json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CASE = ("I'm a social worker in an adult team and I've got a review coming up with a lady who lives alone and has a "
        "daughter nearby. ")


NAMED = "Mrs Okafor is 82 and her son Dave visits most days. "


def swap_letters(question: str, rng: random.Random) -> str:
    """Two adjacent letters swapped inside two of the question's words of seven letters or more."""
    words = question.split()
    long_ = [i for i, w in enumerate(words) if len(w) > 6]
    for i in rng.sample(long_, min(2, len(long_))):
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


def retypings(question: str, rng: random.Random) -> dict[str, str]:
    low = question[0].lower() + question[1:]
    return {"as written": question, "lower case, no end mark": re.sub(r"[?!]+$|\.$", "", question.lower()).strip(),
            "greeting before": f"hi all, quick q - {low}",
            "thanks after": f"{question} thanks in advance!",
            "case notes before": CASE + question,
            "letters swapped": swap_letters(question, rng),
            "hedge before": f"not sure if this is the right place to ask but {low}",
            "named case before": f"{NAMED}{question}"}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--code", type=Path, help="another checkout of the assistant to measure instead of this one")
    p.add_argument("--sets", nargs="+", default=["dev", "holdout", "blind", "blind3"])
    p.add_argument("--name", default="")
    args = p.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve() if args.code else REPO))
    from assistant.core import Assistant
    from assistant.evaluation.metrics import gold_present, hit_rank
    from assistant.settings import load_settings

    a = Assistant(load_settings())
    rng = random.Random(18)
    base = []
    for s in args.sets:
        for line in (REPO / "eval" / s / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line) if line.strip() else None
            if q and q.get("gold") and not q.get("history"):
                base.append(q)
    counts: dict[str, list[int]] = {}
    for q in base:
        for way, text in retypings(q["question"], rng).items():
            ans = a.ask(text)
            hits = [h.text for h in a.search(text, 5)]
            c = counts.setdefault(way, [0, 0, 0])
            c[0] += not ans.abstained
            c[1] += (not ans.abstained) and gold_present(ans.answer, q["gold"])
            c[2] += hit_rank(hits, q["gold"]) is not None
    out = {"sets": args.sets, "questions": len(base),
           "ways": {w: {"answered": round(c[0] / len(base), 3), "gold_fact": round(c[1] / len(base), 3),
                        "recall@5": round(c[2] / len(base), 3)}
                    for w, c in counts.items()}}
    res = HERE / "results" / f"phrasing{'-' + args.name if args.name else ''}.json"
    res.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
