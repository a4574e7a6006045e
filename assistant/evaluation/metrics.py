"""Evaluation metrics as plain functions over plain values, so `assistant eval` and the benchmarks share them.

Nothing here runs the assistant: callers pass gold labels and what the assistant returned.
Every rate is a fraction in [0, 1]; a rate over nothing is None (not measured), never 0 or 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.textutil import normalise

VERDICTS = ("supported", "misattributed", "unsupported", "contradicted")
QUOTE_STATUSES = ("verbatim", "altered", "not_found")
# Worst first: a line whose claims disagree takes the most serious verdict any of them got.
_SEVERITY = ("contradicted", "unsupported", "misattributed", "supported")
_MARKER = re.compile(r"\[(\d+)\]")


def rate(hits: int, n: int) -> float | None:
    return hits / n if n else None


# ---------------------------------------------------------------- retrieval


def hit_rank(texts: Sequence[str], gold: Iterable[str]) -> int | None:
    """1-based rank of the first text containing any gold string (both normalised), else None."""
    wanted = [normalise(g) for g in gold if g and g.strip()]
    for rank, text in enumerate(texts, 1):
        t = normalise(text)
        if any(g in t for g in wanted):
            return rank
    return None


def doc_hit_rank(doc_ids: Sequence[str], gold_docs: Iterable[str]) -> int | None:
    """1-based rank of the first passage from any gold document, else None."""
    wanted = set(gold_docs)
    return next((rank for rank, d in enumerate(doc_ids, 1) if d in wanted), None)


def retrieval_metrics(ranks: Mapping[str, int | None], k: int) -> dict:
    """recall@k and MRR@k from each question's first-hit rank (None or beyond k: a miss)."""
    n = len(ranks)
    inside = {qid: r for qid, r in ranks.items() if r is not None and 1 <= r <= k}
    return {"n": n, "k": k, "recall": rate(len(inside), n),
            "mrr": sum(1 / r for r in inside.values()) / n if n else None,
            "misses": sorted(qid for qid in ranks if qid not in inside)}


# ---------------------------------------------------------------- answers


def strip_markers(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text)


def gold_present(answer: str, gold: Iterable[str]) -> bool:
    """True when the answer (markers removed) contains any gold string, both normalised."""
    t = normalise(strip_markers(answer))
    return any(normalise(g) in t for g in gold if g and g.strip())


def uncited_sentences(sentences: Iterable[str], markers: Iterable[str]) -> list[str]:
    """Sentences with no marker that resolves to one of the answer's citations."""
    known = {m.strip() for m in markers}
    return [s for s in sentences if not any(f"[{n}]" in known for n in _MARKER.findall(s))]


def quote_verbatim(quote: str, doc_text: str | None, start: int, end: int) -> bool:
    """A citation is verbatim when its quote is exactly the document's text at its offsets."""
    return bool(quote) and doc_text is not None and 0 <= start < end <= len(doc_text) \
        and doc_text[start:end] == quote


def citation_verbatim(c, documents: Mapping) -> bool:
    """A citation's quote is the document's text at its offsets, or (a detail such as the publisher) exactly
    that detail of the document."""
    doc = documents.get(c.doc_id)
    field_ = getattr(c, "source_field", "")
    if field_:
        return doc is not None and bool(c.quote) and str(getattr(doc, field_, "")).strip() == c.quote
    return quote_verbatim(c.quote, doc.text if doc else None, c.start, c.end)


@dataclass
class AnswerCase:
    """One question's outcome, as judged by the helpers above."""

    id: str
    answerable: bool
    abstained: bool
    gold_found: bool = False
    uncited: int = 0  # sentences without a resolving marker
    quotes: int = 0
    bad_quotes: int = 0
    opens_unresolved: bool = False  # the first quoted sentence leans on something not shown (evaluation.reading)
    fragments: int = 0  # quotes that are headings, lead-ins, pointers or list items quoted as prose


def answer_metrics(cases: Sequence[AnswerCase]) -> dict:
    """Gold fact present, every sentence cited, quotes verbatim, abstention correct; failing ids for each."""
    answerable = [c for c in cases if c.answerable]
    ooc = [c for c in cases if not c.answerable]
    answered = [c for c in cases if not c.abstained]
    quotes = sum(c.quotes for c in answered)
    fail = {
        "gold_missing": [c.id for c in answerable if c.abstained or not c.gold_found],
        "uncited": [c.id for c in answered if c.uncited],
        "quote_not_verbatim": [c.id for c in answered if c.bad_quotes],
        "abstained_wrongly": [c.id for c in answerable if c.abstained],
        "answered_out_of_corpus": [c.id for c in ooc if not c.abstained],
        "opens_unresolved": [c.id for c in answered if c.opens_unresolved],
        "fragments": [c.id for c in answered if c.fragments],
    }
    return {
        "n": len(cases), "answerable": len(answerable), "out_of_corpus": len(ooc), "answered": len(answered),
        "gold_fact": rate(len(answerable) - len(fail["gold_missing"]), len(answerable)),
        "cited": rate(len(answered) - len(fail["uncited"]), len(answered)),
        "verbatim": rate(quotes - sum(c.bad_quotes for c in answered), quotes),
        "abstention": rate(sum(c.abstained != c.answerable for c in cases), len(cases)),
        "ooc_abstained": rate(sum(c.abstained for c in ooc), len(ooc)),
        "answerable_answered": rate(sum(not c.abstained for c in answerable), len(answerable)),
        "opens_unresolved": rate(len(fail["opens_unresolved"]), len(answered)),
        "fragments": rate(sum(c.fragments for c in answered), quotes),
        "quotes": quotes,
        "failures": fail,
    }


# ---------------------------------------------------------------- citation checker


def line_verdict(verdicts: Sequence[str]) -> str:
    """One verdict for a text that the checker split into several claims: the most serious one."""
    for v in _SEVERITY:
        if v in verdicts:
            return v
    return verdicts[0] if verdicts else "no_claims"


def line_quote_status(statuses: Sequence[str | None]) -> str | None:
    """The worst quotation status among a text's claims (not_found > altered > verbatim), None if no quote."""
    present = [s for s in statuses if s]
    for s in ("not_found", "altered", "verbatim"):
        if s in present:
            return s
    return None


def _prf(tp: int, fp: int, fn: int) -> dict:
    p, r = rate(tp, tp + fp), rate(tp, tp + fn)
    if p is None and r is None:
        f1 = None  # the class never occurs, in gold or in predictions
    elif p and r:
        f1 = 2 * p * r / (p + r)
    else:
        f1 = 0.0
    return {"precision": p, "recall": r, "f1": f1, "support": tp + fn}


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, dict[str, int]]:
    """confusion[gold][pred] counts."""
    m = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred):
        m[g][p] += 1
    return m


def claim_metrics(gold: Sequence[str], pred: Sequence[str], gold_quotes: Sequence[str | None] | None = None,
                  ids: Sequence[str] | None = None) -> dict:
    """Confusion matrix, per-class precision/recall/F1, accuracy and false-accept rate of verdicts.

    False accept: a claim whose gold verdict is unsupported or contradicted, or whose quotation is
    altered or not found, called supported.
    """
    if len(gold) != len(pred):
        raise ValueError("gold and pred must be the same length")
    gold_quotes = list(gold_quotes) if gold_quotes is not None else [None] * len(gold)
    ids = list(ids) if ids is not None else [str(i) for i in range(len(gold))]
    labels = list(VERDICTS) + sorted({*gold, *pred} - set(VERDICTS))
    m = confusion(gold, pred, labels)
    per_class = {}
    for lab in labels:
        tp = m[lab][lab]
        per_class[lab] = _prf(tp, sum(m[g][lab] for g in labels) - tp, sum(m[lab].values()) - tp)
    risky = [i for i, (g, q) in enumerate(zip(gold, gold_quotes))
             if g in ("unsupported", "contradicted") or q in ("altered", "not_found")]
    accepted = [ids[i] for i in risky if pred[i] == "supported"]
    return {"n": len(gold), "labels": labels, "confusion": m, "per_class": per_class,
            "accuracy": rate(sum(g == p for g, p in zip(gold, pred)), len(gold)),
            "false_accept": rate(len(accepted), len(risky)), "false_accepted": accepted,
            "wrong": [f"{i}: {g} → {p}" for i, g, p in zip(ids, gold, pred) if g != p]}


def quote_metrics(gold: Sequence[str | None], pred: Sequence[str | None], ids: Sequence[str] | None = None) -> dict:
    """How often the checker gave a quotation the gold status, over lines with a gold quote status."""
    ids = list(ids) if ids is not None else [str(i) for i in range(len(gold))]
    pairs = [(i, g, p) for i, g, p in zip(ids, gold, pred) if g]
    verbatim = [(i, g, p) for i, g, p in pairs if g == "verbatim"]
    return {"n": len(pairs), "accuracy": rate(sum(g == p for _, g, p in pairs), len(pairs)),
            "verbatim_recognised": rate(sum(p == "verbatim" for _, _, p in verbatim), len(verbatim)),
            "wrong": [f"{i}: {g} → {p}" for i, g, p in pairs if g != p]}


# ---------------------------------------------------------------- prompts and safeguarding


@dataclass
class PromptCase:
    """One situation's prompt set, as judged by the caller."""

    id: str
    gold_flag: bool
    flag: bool
    prompts: int = 0
    open: int = 0
    deficit_terms: list[str] = field(default_factory=list)
    cited: int = 0  # prompts with at least one citation, every one verbatim at its offsets
    themes: int = 0
    details_used: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    level: str = ""  # red | amber | ''
    types: list[str] = field(default_factory=list)  # gold safeguarding types
    concern_named: bool = False  # a prompt names the person the concern is about
    not_details_reused: list[str] = field(default_factory=list)  # an injury's explanation, the concern's words...
    own_details_used: list[str] = field(default_factory=list)


def details_used(prompt_texts: Iterable[str], details: Iterable[str]) -> list[str]:
    """The gold details (lower-case words or stems) that appear in the prompts."""
    text = " ".join(t.lower() for t in prompt_texts)
    return [d for d in details if d and d.lower() in text]


def mentions(prompt_texts: Iterable[str], phrase: str) -> bool:
    """Whether any prompt holds the phrase as whole words (case-insensitive)."""
    rx = re.compile(r"(?<![\w'’])" + re.escape(phrase.lower()) + r"(?![\w'’])")
    return any(rx.search(t.lower()) for t in prompt_texts)


def details_used_loose(prompt_texts: Iterable[str], details: Iterable[str]) -> list[str]:
    """Gold details one of whose distinctive words (as a stem) a prompt uses.

    Words are letters of any script ("café"); a word of three letters ("art", "son") or an acronym ("WI") must
    appear whole, and a longer word counts when a prompt word starts with its stem ("swim" in "swimming",
    "danc" in "dancing", "garden" in "gardening").
    """
    have = {w for t in prompt_texts for w in _WORD.findall(t.lower())}
    return [d for d in details if any(_used(w, have) for w in _distinctive(d))]


_WORD = re.compile(r"[^\W\d_]+")


def _distinctive(detail: str) -> list[str]:
    words = _WORD.findall(detail)
    return [w.lower() for w in words
            if w.lower() not in _COMMON and (len(w) >= 3 or (len(w) == 2 and w.isupper()))]


def _used(word: str, have: set[str]) -> bool:
    if len(word) <= 3:
        return word in have or word + "s" in have
    stem = word[:5] if len(word) >= 6 else word.rstrip("e")
    return any(h.startswith(stem) for h in have)


_COMMON = frozenset("with from that this they them their about have been when what your does very really "
                    "some likes loves enjoys goes going like love enjoy the and her his for she you our its "
                    "him who all are was has had not but new own one two mrs miss".split())


def per_type_recall(cases: Sequence[PromptCase]) -> dict[str, dict]:
    """For each gold type: situations that called for a reminder, and the share that got one."""
    out: dict[str, list[int]] = {}
    for c in cases:
        if c.gold_flag:
            for t in c.types or ["(untyped)"]:
                n = out.setdefault(t, [0, 0])
                n[0] += c.flag
                n[1] += 1
    return {t: {"n": n, "recall": rate(k, n)} for t, (k, n) in sorted(out.items())}


def safeguarding_metrics(gold: Sequence[bool], pred: Sequence[bool], ids: Sequence[str] | None = None) -> dict:
    ids = list(ids) if ids is not None else [str(i) for i in range(len(gold))]
    pos = [i for i, g in enumerate(gold) if g]
    neg = [i for i, g in enumerate(gold) if not g]
    return {"positives": len(pos), "negatives": len(neg),
            "recall": rate(sum(pred[i] for i in pos), len(pos)),
            "false_positive_rate": rate(sum(pred[i] for i in neg), len(neg)),
            "missed": [ids[i] for i in pos if not pred[i]], "false_flags": [ids[i] for i in neg if pred[i]]}


def prompt_metrics(cases: Sequence[PromptCase], min_themes: int = 4) -> dict:
    """Open questions, deficit terms, verbatim citations, personalisation, themes and safeguarding."""
    total = sum(c.prompts for c in cases)
    ordinary = [c for c in cases if not c.gold_flag and c.details]
    sg = safeguarding_metrics([c.gold_flag for c in cases], [c.flag for c in cases], [c.id for c in cases])
    red = [c for c in cases if c.level == "red"]
    amber = [c for c in cases if c.level == "amber"]
    sg.update({"red": len(red), "amber": len(amber), "red_precision": rate(sum(c.gold_flag for c in red), len(red)),
               "amber_precision": rate(sum(c.gold_flag for c in amber), len(amber)),
               "per_type": per_type_recall(cases)})
    calm = [c for c in cases if not c.gold_flag and not c.flag and c.details]
    concerns = [c for c in cases if c.gold_flag]
    return {
        "situations": len(cases), "prompts_total": total,
        "open": rate(sum(c.open for c in cases), total),
        "deficit_terms": sum(len(c.deficit_terms) for c in cases),
        "cited": rate(sum(c.cited for c in cases), total),
        "personalised": rate(sum(bool(c.details_used) for c in ordinary), len(ordinary)),
        "detail_coverage": rate(sum(len(c.details_used) for c in ordinary), sum(len(c.details) for c in ordinary)),
        "themes": rate(sum(c.themes >= min_themes for c in cases), len(cases)),
        "themes_mean": sum(c.themes for c in cases) / len(cases) if cases else None,
        "safeguarding": sg,
        "own_details": rate(sum(bool(c.own_details_used) for c in calm), len(calm)),
        "concern_named": rate(sum(c.concern_named for c in concerns), len(concerns)),
        "not_details_reused": sum(bool(c.not_details_reused) for c in cases),
        "failures": {
            "not_open": [c.id for c in cases if c.open < c.prompts],
            "deficit_terms": [f"{c.id}: {', '.join(c.deficit_terms)}" for c in cases if c.deficit_terms],
            "uncited": [c.id for c in cases if c.cited < c.prompts],
            "not_personalised": [c.id for c in ordinary if not c.details_used],
            "few_themes": [c.id for c in cases if c.themes < min_themes],
            "safeguarding_missed": sg["missed"], "safeguarding_false_flags": sg["false_flags"],
            "concern_named": [c.id for c in concerns if c.concern_named],
            "not_details_reused": [f"{c.id}: {', '.join(c.not_details_reused)}" for c in cases if c.not_details_reused],
            "own_details_unused": [c.id for c in calm if not c.own_details_used],
        },
    }
