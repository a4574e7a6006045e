"""Train and calibrate the safeguarding meaning matcher on the development situations.

    python scripts/calibrate_safeguarding.py [--set DIR ...] [--recall 0.98]
                                             [--red-precision 0.93]

Writes two files under corpus/safety/:
- indicators-dev.yaml: the development situations as bank sentences. Every sentence and clause of a
  situation that does not call for a reminder is a contrast sentence; for one that does, the clause the
  hand-written bank finds most concerning becomes an indicator of its gold type (multiple-instance
  learning: the situation is labelled, its sentences are not).
- calibration.yaml: the amber threshold (the highest at which the signal table plus the matcher still
  find `--recall` of the situations that call for a reminder) and the red one (the lowest at which the red
  reminder is right `--red-precision` of the time), both read off out-of-fold scores (5-fold
  cross-validation over situations), so no situation scores itself.
Only development sets: the blind sets measure the result and must never set it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.index.embeddings import get_embedder  # noqa: E402
from assistant.safety.indicators import (  # noqa: E402
    DATA_DIR,
    C,
    PairEncoder,
    bank_files,
    fit_logistic,
    in_context,
    load_bank,
    people,
    reading,
    unit_scores,
    unit_weights,
    units,
)
from assistant.safety.safeguarding import CONTEXT_SHARE, detect  # noqa: E402
from assistant.settings import get_settings  # noqa: E402

DERIVED = DATA_DIR / "indicators-dev.yaml"
# Development sets only. safeguarding-blind7 and -blind8 stay out: the unseen sets results are reported on
# (blind5 and blind6 were the unseen sets of earlier rounds; they have been read since, so they now calibrate).
DEV_SETS = ["eval/safeguarding-dev", "eval/dev", "eval/holdout", "eval/safeguarding-blind", "eval/safeguarding-blind2",
            "eval/safeguarding-blind3", "eval/safeguarding-blind4", "eval/safeguarding-blind5", "eval/details-dev",
            "eval/safeguarding-blind6"]


def situations(sets: list[str]) -> list[dict]:
    rows = []
    for s in sets:
        with open(REPO / s / "scenarios.jsonl", encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", action="append", dest="sets")
    ap.add_argument("--recall", type=float, default=0.98)  # recall first: a missed reminder reads as reassurance
    # 0.93: with blind4 in the calibration the signal table alone is about 92% precise, so 0.95 is out of reach
    ap.add_argument("--red-precision", type=float, default=0.93)
    args = ap.parse_args(argv)
    sets = args.sets or DEV_SETS
    settings = get_settings()
    emb = PairEncoder(get_embedder(settings))  # the same two models the matcher reads with
    bank = load_bank([f for f in bank_files() if f != DERIVED])
    bank_vecs = emb.encode([reading(t) or t for t in bank.texts + bank.contrast]).astype(np.float64)
    base_y = np.r_[np.ones(len(bank.texts)), np.zeros(len(bank.contrast))]
    rows = situations(sets)
    us = [units(r["situation"]) for r in rows]
    known = [people(r["situation"]) for r in rows]
    vecs = [emb.encode([reading(u.text, k) for u in x]).astype(np.float64) for x, k in zip(us, known)]
    weights = [unit_weights(x) for x in us]
    notes = emb.encode([reading(r["situation"], k) or r["situation"] for r, k in zip(rows, known)]).astype(np.float64)
    gold = np.array([bool(r["safeguarding"]) for r in rows])

    def train(idx: list[int]):
        """Bank + these situations; the most concerning unit of each concern situation as its indicator."""
        negs = [vecs[i] for i in idx if not gold[i]]
        w, b = fit_logistic(np.vstack([bank_vecs] + negs), np.r_[base_y, np.zeros(sum(len(v) for v in negs))], C)
        picks = {i: int(np.argmax(vecs[i] @ w)) for i in idx if gold[i] and len(vecs[i])}
        pos = [vecs[i][j:j + 1] for i, j in picks.items()]
        x = np.vstack([bank_vecs] + pos + negs)
        y = np.r_[base_y, np.ones(len(pos)), np.zeros(sum(len(v) for v in negs))]
        return (*fit_logistic(x, y, C), x, y), picks

    rng = np.random.default_rng(0)
    order = rng.permutation(len(rows))
    oof = np.zeros(len(rows))
    for fold in np.array_split(order, 5):
        held = set(fold.tolist())
        (w, b, x, y), _ = train([i for i in range(len(rows)) if i not in held])
        for i in fold:
            if len(vecs[i]):  # each unit read in its note, as the matcher reads it
                note = float(unit_scores(notes[i:i + 1], w, b, x, y)[0])
                oof[i] = float(in_context(unit_scores(vecs[i], w, b, x, y, weights[i]), note).max())
    table_only = settings.model_copy(update={"safeguarding_meaning": False})
    table = np.array([detect(r["situation"], table_only).flag for r in rows])
    amber = _amber(gold, table, oof, args.recall)
    table &= oof >= CONTEXT_SHARE * amber  # listed words in a note read as ordinary throughout do not count
    red = max(_red(gold, table, oof, args.red_precision), amber)
    _, picks = train(list(range(len(rows))))
    _write_derived(rows, us, gold, picks, sets)
    found, reds = table | (oof >= amber), table | (oof >= red)
    report = {
        "amber": round(float(amber), 4), "red": round(float(red), 4), "model": emb.name,
        "calibrated_on": sets, "situations": len(rows),
        "cross_validated": {"recall": round(float(found[gold].mean()), 3),
                            "false_alarms": round(float(found[~gold].mean()), 3),
                            "red_precision": round(float(gold[reds].mean()), 3) if reds.any() else None},
    }
    (DATA_DIR / "calibration.yaml").write_text(
        "# Written by scripts/calibrate_safeguarding.py from development situations only (figures: 5-fold\n"
        "# cross-validation over those situations).\n" + yaml.safe_dump(report, sort_keys=False), encoding="utf-8")
    print(json.dumps(report, indent=1))
    return 0


def _write_derived(rows, us, gold, picks, sets) -> None:
    contrast = sorted({u.text for i, r in enumerate(rows) if not gold[i] for u in us[i]})
    indicators = [{"text": us[i][j].text, "type": (rows[i].get("types") or ["unstated"])[0]}
                  for i, j in sorted(picks.items())]
    head = ("# Generated by scripts/calibrate_safeguarding.py from " + ", ".join(sets) + ": do not edit by hand\n"
            "# (edit the situations, or add sentences to the other indicators*.yaml files, then run it again).\n")
    DERIVED.write_text(head + yaml.safe_dump({"indicators": indicators, "contrast": contrast}, sort_keys=False,
                                             allow_unicode=True, width=120), encoding="utf-8")


def _amber(gold, table, best, recall: float) -> float:
    """A listed phrase counts only where the note reads at least CONTEXT_SHARE of the threshold (as in detect)."""
    for th in sorted(set(best.tolist()), reverse=True):
        if ((table & (best >= CONTEXT_SHARE * th)) | (best >= th))[gold].mean() >= recall:
            return th
    return float(best.min())


def _red(gold, table, best, precision: float) -> float:
    for th in sorted(set(best.tolist())):
        flagged = table | (best >= th)
        if flagged.any() and gold[flagged].mean() >= precision:
            return th
    return 1.0


if __name__ == "__main__":
    raise SystemExit(main())
