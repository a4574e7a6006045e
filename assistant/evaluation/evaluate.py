"""`assistant eval`: run evaluation sets through the public Assistant API, print a metrics table, gate on thresholds.

A set is a folder with any of questions.jsonl, claims.jsonl and scenarios.jsonl (formats in eval/README.md).
Malformed lines are reported as file:line and skipped. The arithmetic lives in eval_metrics.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import InputError
from assistant.evaluation import conversations as ec
from assistant.evaluation import metrics as em
from assistant.settings import REPO_DIR
from assistant.types import SETTINGS

FILES = {"questions": "questions.jsonl", "claims": "claims.jsonl", "scenarios": "scenarios.jsonl",
         "conversations": "conversations.jsonl"}
DEFAULT_SETS = ("dev", "holdout", "fresh", "safeguarding-dev", "safeguarding-blind", "safeguarding-blind2",
                "safeguarding-blind3", "safeguarding-blind4", "safeguarding-blind5")
UNLABELLED = "unlabelled"  # kind of exported feedback questions still waiting for gold strings
LOWER_IS_BETTER = {"answers.opens_unresolved", "answers.fragments", "conversations.folded", "check.false_accept",
                   "prompts.deficit_terms", "safeguarding.false_positive_rate", "prompts.concern_named"}


# ---------------------------------------------------------------- loading sets


@dataclass
class EvalSet:
    name: str
    path: Path
    questions: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    scenarios: list[dict] = field(default_factory=list)
    conversations: list[dict] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "file:line: reason" for each skipped line
    unlabelled: list[str] = field(default_factory=list)


def _text(line: dict, name: str, required: bool = True) -> str | None:
    v = line.get(name)
    if v is None and not required:
        return None
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"'{name}' must be non-empty text")
    return v


def _strings(line: dict, name: str) -> list[str]:
    v = line.get(name, [])
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ValueError(f"'{name}' must be a list of strings")
    return v


def _question(line: dict) -> dict:
    history = line.get("history") or []
    if not isinstance(history, list) or not all(
            isinstance(t, dict) and t.get("role") in ("user", "assistant") and isinstance(t.get("content"), str)
            for t in history):
        raise ValueError("'history' must be a list of {\"role\": \"user\"|\"assistant\", \"content\": text}")
    gold_docs = [d for d in [_text(line, "doc_id", required=False)] if d] + _strings(line, "also_doc_ids")
    gold = [g for g in _strings(line, "gold") if g.strip()]
    return {"id": line["id"], "question": _text(line, "question"), "gold": gold, "gold_docs": gold_docs,
            "history": history, "kind": line.get("kind") or ("factual" if gold else "out-of-corpus")}


def _claim(line: dict) -> dict:
    expect, quote = line.get("expect"), line.get("quote")
    if expect not in em.VERDICTS:
        raise ValueError(f"'expect' must be one of {', '.join(em.VERDICTS)}")
    if quote is not None and quote not in em.QUOTE_STATUSES:
        raise ValueError(f"'quote' must be one of {', '.join(em.QUOTE_STATUSES)} (or left out)")
    return {"id": line["id"], "text": _text(line, "text"), "expect": expect, "quote": quote}


def _scenario(line: dict) -> dict:
    setting = line.get("setting") or "adults"
    if setting not in SETTINGS:
        raise ValueError(f"'setting' must be one of {', '.join(SETTINGS)}")
    if not isinstance(line.get("safeguarding"), bool):
        raise ValueError("'safeguarding' must be true or false")
    concern = line.get("concern_person")
    if concern is not None and not isinstance(concern, str):
        raise ValueError("'concern_person' must be text or null")
    return {"id": line["id"], "situation": _text(line, "situation"), "setting": setting,
            "details": [d.lower() for d in _strings(line, "details") if d.strip()],
            "safeguarding": line["safeguarding"], "types": _strings(line, "types"),
            "concern": (concern or "").strip(), "not_details": [d for d in _strings(line, "not_details") if d.strip()]}


PARSERS: dict[str, Callable[[dict], dict]] = {"questions": _question, "claims": _claim, "scenarios": _scenario,
                                              "conversations": ec.parse_conversation}


def _read_jsonl(path: Path, parse: Callable[[dict], dict], seen: set[str], problems: list[str]) -> list[dict]:
    out = []
    for n, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path}:{n}"
        try:
            line = json.loads(raw)
            if not isinstance(line, dict):
                raise ValueError("each line must be a JSON object")
            line.setdefault("id", f"{path.stem}:{n}")
            if not isinstance(line["id"], str) or line["id"] in seen:
                raise ValueError(f"id {line['id']!r} is not a unique string")
            item = parse(line)
        except json.JSONDecodeError as e:
            problems.append(f"{where}: not valid JSON ({e.msg})")
            continue
        except ValueError as e:
            problems.append(f"{where}: {e}")
            continue
        seen.add(item["id"])
        out.append(item)
    return out


def load_set(path: Path, name: str | None = None) -> EvalSet:
    """Read a set folder; a missing folder or one with none of the three files is an InputError."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"No eval set folder at {path}: give a folder holding questions.jsonl, claims.jsonl "
                         "and/or scenarios.jsonl.")
    es = EvalSet(name or path.name, path)
    seen: set[str] = set()
    for part, fname in FILES.items():
        f = path / fname
        if f.is_file():
            es.found.append(part)
            setattr(es, part, _read_jsonl(f, PARSERS[part], seen, es.problems))
    if not es.found:
        raise InputError(f"{path} holds none of {', '.join(FILES.values())}: nothing to evaluate.")
    es.unlabelled = [q["id"] for q in es.questions if q["kind"] == UNLABELLED and not q["gold"]]
    es.questions = [q for q in es.questions if q["id"] not in es.unlabelled]
    return es


def default_sets() -> list[Path]:
    for root in (REPO_DIR / "eval", Path.cwd() / "eval"):
        found = [root / s for s in DEFAULT_SETS if (root / s).is_dir()]
        if found:
            return found
    raise InputError("No eval sets found (looked for eval/dev, eval/holdout and eval/fresh): pass --set DIR.")


# ---------------------------------------------------------------- running


def _verbatim(c, documents: dict) -> bool:
    return em.citation_verbatim(c, documents)


def _record_error(errors: list[str], case_id: str, e: Exception) -> None:
    """A user's bad case (too long, empty) is reported by id; anything else also names the exception."""
    from assistant.errors import AssistantError

    errors.append(f"{case_id}: {e}" if isinstance(e, AssistantError) else f"{case_id}: {type(e).__name__}: {e}")


def run_questions(a, questions: list[dict], k: int, errors: list[str]) -> dict:
    """Retrieval (text and document hits in the top k) and answer quality for each question."""
    from assistant.answer.compose import split_answer_sentences
    from assistant.evaluation.reading import fragment_count, opens_unresolved
    from assistant.search.query import rewrite_query
    from assistant.types import Turn

    docs = a.index.documents
    text_ranks, doc_ranks, cases = {}, {}, []
    for q in questions:
        try:
            turns = [Turn.model_validate(t) for t in q["history"]]
            ans = a.ask(q["question"], turns)
            hits = a.search(rewrite_query(q["question"], turns), k) if q["gold"] else []
        except Exception as e:  # one bad case must not stop an organisation's whole run
            _record_error(errors, q["id"], e)
            continue
        if q["gold"]:
            text_ranks[q["id"]] = em.hit_rank([h.text for h in hits], q["gold"])
        if q["gold_docs"]:
            doc_ranks[q["id"]] = em.doc_hit_rank([h.doc_id for h in hits], q["gold_docs"])
        sentences = split_answer_sentences(ans.answer) if not ans.abstained else []
        cases.append(em.AnswerCase(
            q["id"], answerable=bool(q["gold"]), abstained=ans.abstained,
            gold_found=em.gold_present(ans.answer, q["gold"]) if q["gold"] and not ans.abstained else False,
            uncited=len(em.uncited_sentences(sentences, [c.marker for c in ans.citations])),
            quotes=len(ans.citations), bad_quotes=sum(not _verbatim(c, docs) for c in ans.citations),
            opens_unresolved=not ans.abstained and opens_unresolved(ans.answer),
            fragments=0 if ans.abstained else fragment_count(ans.answer, ans.citations, docs)))
    return {"retrieval": {"text": em.retrieval_metrics(text_ranks, k), "doc": em.retrieval_metrics(doc_ranks, k)},
            "answers": em.answer_metrics(cases)}


def run_claims(a, claims: list[dict], errors: list[str]) -> dict:
    """The checker's verdict (most serious over the claims it found) and quotation status for each line."""
    kept, pred, pred_q = [], [], []
    for c in claims:
        try:
            rep = a.check(c["text"])
        except Exception as e:
            _record_error(errors, c["id"], e)
            continue
        kept.append(c)
        pred.append(em.line_verdict([r.verdict for r in rep.claims]))
        pred_q.append(em.line_quote_status([r.quote.status if r.quote else None for r in rep.claims]))
    ids = [c["id"] for c in kept]
    out = em.claim_metrics([c["expect"] for c in kept], pred, [c["quote"] for c in kept], ids)
    out["quotes"] = em.quote_metrics([c["quote"] for c in kept], pred_q, ids)
    return out


def run_scenarios(a, scenarios: list[dict], errors: list[str]) -> dict:
    from assistant.safety.language import find_deficits, is_open_question

    docs = a.index.documents
    cases = []
    for s in scenarios:
        try:
            ps = a.prompts(s["situation"], setting=s["setting"])
        except Exception as e:
            _record_error(errors, s["id"], e)
            continue
        texts = [p.text for p in ps.prompts]
        cases.append(em.PromptCase(
            s["id"], gold_flag=s["safeguarding"], flag=ps.safeguarding.flag, prompts=len(texts),
            open=sum(is_open_question(t) for t in texts),
            deficit_terms=[h.phrase for t in texts for h in find_deficits(t)],
            cited=sum(bool(p.citations) and all(_verbatim(c, docs) for c in p.citations) for p in ps.prompts),
            themes=len({p.theme for p in ps.prompts}), details=s["details"],
            details_used=em.details_used(texts, s["details"]), level=ps.safeguarding.level, types=s["types"],
            concern_named=bool(s["concern"]) and em.mentions(texts, s["concern"]),
            not_details_reused=[d for d in s["not_details"] if em.mentions(texts, d)],
            own_details_used=em.details_used_loose(texts, s["details"])))
    return em.prompt_metrics(cases)


def evaluate_set(a, es: EvalSet, k: int = 5, only: str | None = None, progress: Callable[[str], None] | None = None
                 ) -> dict:
    """Every metric for one set, as one JSON-ready dict."""
    say = progress or (lambda msg: None)
    errors: list[str] = []
    rep: dict = {"name": es.name, "path": str(es.path), "files": es.found, "problems": es.problems,
                 "unlabelled": es.unlabelled, "errors": errors}
    if es.questions and only in (None, "questions"):
        say(f"{es.name}: {len(es.questions)} questions")
        rep.update(run_questions(a, es.questions, k, errors))
    if es.claims and only in (None, "claims"):
        say(f"{es.name}: {len(es.claims)} claims")
        rep["check"] = run_claims(a, es.claims, errors)
    if es.scenarios and only in (None, "scenarios"):
        say(f"{es.name}: {len(es.scenarios)} situations")
        rep["prompts"] = run_scenarios(a, es.scenarios, errors)
    if es.conversations and only in (None, "conversations"):
        say(f"{es.name}: {len(es.conversations)} conversations")
        rep["conversations"] = ec.run_conversations(a, es.conversations, errors)
    rep["metrics"] = flat_metrics(rep, k)
    return rep


# ---------------------------------------------------------------- metric names and gates


def metric_catalogue(k: int = 5) -> dict[str, tuple[str, ...]]:
    """Gate-able metric name -> path into a set report."""
    cat = {f"recall@{k}": ("retrieval", "text", "recall"), f"mrr@{k}": ("retrieval", "text", "mrr"),
           f"doc_recall@{k}": ("retrieval", "doc", "recall"), f"doc_mrr@{k}": ("retrieval", "doc", "mrr")}
    for m in ("gold_fact", "cited", "verbatim", "abstention", "ooc_abstained", "answerable_answered",
              "opens_unresolved", "fragments"):
        cat[f"answers.{m}"] = ("answers", m)
    cat.update({"check.accuracy": ("check", "accuracy"), "check.false_accept": ("check", "false_accept"),
                "check.quote_accuracy": ("check", "quotes", "accuracy"),
                "check.verbatim_recognised": ("check", "quotes", "verbatim_recognised")})
    for v in em.VERDICTS:
        for m in ("precision", "recall", "f1"):
            cat[f"check.{v}.{m}"] = ("check", "per_class", v, m)
    for m in ("open", "deficit_terms", "cited", "personalised", "detail_coverage", "themes"):
        cat[f"prompts.{m}"] = ("prompts", m)
    cat.update({f"conversations.{m}": ("conversations", m) for m in ec.METRICS})
    cat["safeguarding.recall"] = ("prompts", "safeguarding", "recall")
    cat["safeguarding.false_positive_rate"] = ("prompts", "safeguarding", "false_positive_rate")
    cat["safeguarding.red_precision"] = ("prompts", "safeguarding", "red_precision")
    cat["prompts.concern_named"] = ("prompts", "concern_named")
    cat["prompts.own_details"] = ("prompts", "own_details")
    return cat


def flat_metrics(rep: dict, k: int) -> dict[str, float | None]:
    out = {}
    for name, path in metric_catalogue(k).items():
        v = rep
        for key in path:
            v = v.get(key) if isinstance(v, dict) else None
        if path[0] in rep:
            out[name] = v
    return out


@dataclass
class Gate:
    metric: str
    op: str  # "min" or "max"
    value: float


def parse_gates(mins: list[str], maxes: list[str], k: int) -> list[Gate]:
    """`--min NAME=VALUE` / `--max NAME=VALUE`; an unknown name or a backwards direction is an InputError."""
    cat = metric_catalogue(k)
    gates = []
    for op, specs in (("min", mins), ("max", maxes)):
        for spec in specs:
            name, sep, raw = spec.partition("=")
            name = name.strip()
            if name not in cat:
                raise InputError(f"Unknown metric '{name}' in --{op} {spec}: valid names are {', '.join(cat)}.")
            try:
                if not sep:
                    raise ValueError
                value = float(raw[:-1]) / 100 if raw.strip().endswith("%") else float(raw)
            except ValueError:
                raise InputError(f"--{op} {spec}: give METRIC=NUMBER, e.g. --{op} {name}=0.9.") from None
            if (op == "min") == (name in LOWER_IS_BETTER):
                better = "lower" if name in LOWER_IS_BETTER else "higher"
                other = "max" if op == "min" else "min"
                raise InputError(f"{name}: {better} is better, so gate it with --{other} {name}={raw}.")
            gates.append(Gate(name, op, value))
    return gates


def check_gates(reports: list[dict], gates: list[Gate]) -> list[str]:
    """One message per failed gate per set; a gated metric a set did not measure fails too, as do errors."""
    failed = []
    for rep in reports:
        if gates and rep["errors"]:
            failed.append(f"{rep['name']}: {len(rep['errors'])} case(s) raised errors")
        for g in gates:
            v = rep["metrics"].get(g.metric)
            if v is None:
                failed.append(f"{rep['name']}: {g.metric} not measured (no cases for it in {rep['path']}, "
                              "or left out by --only)")
            elif (v < g.value) if g.op == "min" else (v > g.value):
                word = "below" if g.op == "min" else "above"
                failed.append(f"{rep['name']}: {g.metric} = {_fmt(g.metric, v)} is {word} "
                              f"{_fmt(g.metric, g.value)}")
    return failed


# ---------------------------------------------------------------- the command


def main(a, args) -> int:
    k = getattr(args, "k", None) or 5
    if not 1 <= k <= 100:
        raise InputError("--k must be a whole number from 1 to 100.")
    gates = parse_gates(args.min or [], getattr(args, "max", None) or [], k)  # fail fast, before loading models
    paths = _set_paths(args)
    sets = _named_sets(paths)
    a.ensure_index(progress=True)
    reports = [evaluate_set(a, es, k, getattr(args, "only", None), progress=_stderr) for es in sets]
    failed = check_gates(reports, gates)
    if args.json:
        print(json.dumps({"k": k, "sets": reports, "gates": [g.__dict__ for g in gates], "failed": failed,
                          "ok": not failed}, indent=1, ensure_ascii=False))
    else:
        print(render(reports, k))
    for rep in reports:
        for p in rep["problems"]:
            print(f"skipped {p}", file=sys.stderr)
    if failed:
        print("FAILED gates:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    if gates:
        print(f"All {len(gates)} gate(s) passed.", file=sys.stderr)
    return 0


def _set_paths(args) -> list[Path]:
    given = getattr(args, "set_dir", None)
    if given is None:
        return default_sets()
    return [Path(p) for p in (given if isinstance(given, list) else [given])]


def _named_sets(paths: list[Path]) -> list[EvalSet]:
    names = [p.resolve().name for p in paths]
    return [load_set(p, p.resolve().name if names.count(p.resolve().name) == 1 else str(p)) for p in paths]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _fmt(name: str, v: float) -> str:
    return str(int(v)) if name == "prompts.deficit_terms" else f"{v:.3f}"


# ---------------------------------------------------------------- the table


def _rows(k: int) -> list[tuple[str, str, str]]:
    """(section or "", label, metric name or "#" + count path) in display order."""
    return [
        ("Retrieval", "questions with gold text", "#retrieval.text.n"), ("", f"recall@{k}", f"recall@{k}"),
        ("", f"MRR@{k}", f"mrr@{k}"), ("", f"gold document in top {k}", f"doc_recall@{k}"),
        ("", f"MRR@{k} by document", f"doc_mrr@{k}"),
        ("Answers", "questions (answerable / out of corpus)", "#answers"),
        ("", "gold fact present", "answers.gold_fact"), ("", "every sentence cited", "answers.cited"),
        ("", "quotes verbatim", "answers.verbatim"), ("", "abstention correct", "answers.abstention"),
        ("", "out-of-corpus abstained", "answers.ooc_abstained"),
        ("", "answerable answered", "answers.answerable_answered"),
        ("", "opens on an unresolved reference", "answers.opens_unresolved"),
        ("", "quotes that are fragments", "answers.fragments"),
        *ec.ROWS,
        ("Citation checker", "claims", "#check.n"), ("", "accuracy", "check.accuracy"),
        ("", "false accept (lower is better)", "check.false_accept"),
        *[("", f"{v} P / R / F1", f"%{v}") for v in em.VERDICTS],
        ("", "quotation status correct", "check.quote_accuracy"),
        ("", "verbatim quotations recognised", "check.verbatim_recognised"),
        ("Prompts", "situations / prompts", "#prompts"), ("", "open questions", "prompts.open"),
        ("", "deficit terms (count)", "prompts.deficit_terms"),
        ("", "cited with verbatim quotes", "prompts.cited"),
        ("", "personalised (non-safeguarding)", "prompts.personalised"),
        ("", "gold details used", "prompts.detail_coverage"), ("", "≥ 4 themes", "prompts.themes"),
        ("", "themes per situation (mean)", "#prompts.themes_mean"),
        ("", "safeguarding recall", "safeguarding.recall"),
        ("", "safeguarding false positives", "safeguarding.false_positive_rate"),
        ("", "red reminders right (precision)", "safeguarding.red_precision"),
        ("", "person of concern named in a prompt", "prompts.concern_named"),
        ("", "own interests or people used (no reminder)", "prompts.own_details"),
    ]


def _pct(v) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def _cell(rep: dict, key: str) -> str:
    if key.startswith("%"):
        pc = rep.get("check", {}).get("per_class", {}).get(key[1:])
        if not pc:
            return "–"
        return " / ".join("–" if pc[m] is None else f"{pc[m]:.2f}" for m in ("precision", "recall", "f1"))
    if key == "#answers":
        ans = rep.get("answers")
        return f"{ans['answerable']} / {ans['out_of_corpus']}" if ans else "–"
    if key == "#conv":
        cv = rep.get("conversations")
        return f"{cv['turns']} ({cv['conversations']})" if cv else "–"
    if key == "#prompts":
        pr = rep.get("prompts")
        return f"{pr['situations']} / {pr['prompts_total']}" if pr else "–"
    if key.startswith("#"):
        v = rep
        for part in key[1:].split("."):
            v = v.get(part) if isinstance(v, dict) else None
        return "–" if v is None else f"{v:.1f}" if isinstance(v, float) else str(v)
    v = rep["metrics"].get(key)
    if v is None:
        return "–"
    if key.startswith("mrr") or key.startswith("doc_mrr"):
        return f"{v:.3f}"
    return str(v) if key == "prompts.deficit_terms" else _pct(v)


def render(reports: list[dict], k: int = 5) -> str:
    """The metrics table (one column per set), then each set's confusion matrix, failures and problems."""
    w = max(22, *(len(r["name"]) + 2 for r in reports))
    lines = [f"{'':42}" + "".join(f"{r['name']:>{w}}" for r in reports)]
    for section, label, key in _rows(k):
        if section:
            lines.append(section)
        lines.append(f"  {label:40}" + "".join(f"{_cell(r, key):>{w}}" for r in reports))
    for rep in reports:
        lines += _details(rep)
    return "\n".join(lines)


def _details(rep: dict) -> list[str]:
    out = []
    if "check" in rep:
        labels = rep["check"]["labels"]
        out += ["", f"{rep['name']}: citation checker confusion (rows: expected, columns: predicted)",
                f"  {'':15}" + "".join(f"{lab[:13]:>14}" for lab in labels)]
        out += [f"  {g:15}" + "".join(f"{rep['check']['confusion'][g][p]:>14}" for p in labels) for g in labels]
    per_type = rep.get("prompts", {}).get("safeguarding", {}).get("per_type", {})
    if any(t != "(untyped)" for t in per_type):
        sg = rep["prompts"]["safeguarding"]
        out += ["", f"{rep['name']}: safeguarding by type (reminder shown / situations that call for one); "
                    f"red {sg['red']}, amber {sg['amber']}, false alarms {len(sg['false_flags'])} of {sg['negatives']}"]
        out += ["  " + ", ".join(f"{t} {round((v['recall'] or 0) * v['n'])}/{v['n']}" for t, v in per_type.items())]
    fails = {f"answers.{n}": ids for n, ids in rep.get("answers", {}).get("failures", {}).items()}
    fails["retrieval.misses"] = rep.get("retrieval", {}).get("text", {}).get("misses", [])
    if "check" in rep:
        fails.update({"check.wrong": rep["check"]["wrong"], "check.false_accepted": rep["check"]["false_accepted"],
                      "check.quote_wrong": rep["check"]["quotes"]["wrong"]})
    fails.update({f"prompts.{n}": ids for n, ids in rep.get("prompts", {}).get("failures", {}).items()})
    fails.update({f"conversations.{n}": ids for n, ids in rep.get("conversations", {}).get("failures", {}).items()})
    fails.update({"errors": rep["errors"], "unlabelled (fill in gold)": rep["unlabelled"]})
    shown = [f"  {name} ({len(ids)}): {', '.join(ids)}" for name, ids in fails.items() if ids]
    if shown:
        out += ["", f"{rep['name']}: failures by id"] + shown
    if rep["problems"]:
        out += ["", f"{rep['name']}: {len(rep['problems'])} malformed line(s) skipped (see stderr)"]
    return out


# ---------------------------------------------------------------- feedback -> eval set


def export_feedback(settings, out_dir: Path) -> tuple[Path, int, int]:
    """Add the app's 👎 / wrong-citation questions to OUT_DIR/questions.jsonl for labelling.

    Lines already there (perhaps labelled since) are kept; returns (file, added, total).
    """
    from assistant.evaluation.feedback import export_eval_cases

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file: give a folder for the eval set.")
    path = out_dir / FILES["questions"]
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    known = set()
    for raw in lines:
        try:
            known.add(json.loads(raw).get("id"))
        except (ValueError, AttributeError):
            continue
    new = [dict(c, kind=UNLABELLED) for c in export_eval_cases(settings) if c["id"] not in known]
    if new:
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            if lines and not path.read_text(encoding="utf-8").endswith("\n"):
                f.write("\n")  # never glue a new case onto a hand-edited last line
            f.writelines(json.dumps(c, ensure_ascii=False) + "\n" for c in new)
    return path, len(new), len([l for l in lines if l.strip()]) + len(new)


def export_feedback_command(settings, out_dir: Path) -> int:
    path, added, total = export_feedback(settings, out_dir)
    if not added:
        print(f"No new 👎 or wrong-citation feedback to export ({total} case(s) already in {path}).")
        return 0
    print(f"Added {added} question(s) to {path} ({total} in all). Label each: put the right answer's words in "
          f"\"gold\" (lower-case text copied from the guidance) and set \"kind\" to factual, or leave \"gold\" "
          f"empty and set \"kind\" to out-of-corpus. Then run: assistant eval --set {path.parent}")
    return 0
