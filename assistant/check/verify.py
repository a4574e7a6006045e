"""Claim-by-claim verification of text against the guidance: support, attribution and quotations.

A claim is supported only when one sentence (or two adjacent sentences) of the guidance is close in
meaning AND in wording, with no figure, name, negation, modal or absolute changed. Topical similarity
alone never supports a claim. Verdicts: supported | misattributed | unsupported | contradicted.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from assistant.check import explain
from assistant.check.claims import Catalogue, ParsedClaim, number_words, parse_claim, split_claims
from assistant.check.mismatch import (
    FIGURE as _FIGURES,
    content_tokens,
    entity_present,
    find_entities,
    find_mismatches,
    lexical_coverage,
    negation_flip,
    order_swap,
    overlap,
)
from assistant.check.quotes import check_quote, find_quotes, locate, strip_quote_marks
from assistant.errors import InputError
from assistant.textutil import sentence_spans, words
from assistant.types import CheckReport, ClaimResult, Evidence, QuoteCheck

# Calibrated on eval/dev/claims.jsonl (benchmarks/check_bench.py). A window supports a claim when it holds
# most of the claim's content words AND is close in meaning; word overlap is the stronger guard against
# passages that are merely on the same topic, so the more words it shares the less similarity it needs.
PASS_LEXICAL, PASS_DENSE = 0.70, 0.60
PASS_LEXICAL_HIGH, PASS_DENSE_LOW = 0.80, 0.45
CONTRA_DENSE = 0.55
CONTRA_LEXICAL = 0.70
CONTRA_MARGIN = 0.1  # a flipped window this much closer than the best passing one wins
K_CANDIDATES = 8
ENTITY_SENTENCE_SHARE = 0.4


# ---------------------------------------------------------------- corpus context (one per index generation)


class _Context:
    """What the checker needs from one index generation, computed once."""

    def __init__(self, index):
        self.index = index
        self.documents = index.documents
        self.catalogue = Catalogue(index.documents, index.chunks)
        self.sentences = {d: _doc_sentences(doc.text) for d, doc in index.documents.items()}
        self.chunks: dict[str, list] = {}
        for c in index.chunks:
            self.chunks.setdefault(c.doc_id, []).append(c)
        for cs in self.chunks.values():
            cs.sort(key=lambda c: c.start)
        self.common = {w for doc in index.documents.values() for w in words(doc.text) if w.islower()}
        self.terms = _defined_terms(index.documents.values())

    def chunk_at(self, doc_id: str, pos: int):
        cs = self.chunks.get(doc_id, [])
        i = bisect.bisect_right([c.start for c in cs], pos) - 1
        return cs[max(0, i)] if cs else None

    def sentence_index(self, doc_id: str, start: int, end: int) -> list[int]:
        return [i for i, (s, e) in enumerate(self.sentences[doc_id]) if s < end and e > start]


def _doc_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences of a document, headings left out."""
    out = []
    for s, e in sentence_spans(text):
        line_start = text.rfind("\n", 0, s) + 1
        if not text[line_start:s].lstrip().startswith("#"):
            out.append((s, e))
    return out


def _defined_terms(docs) -> dict[str, str]:
    """Abbreviations the corpus defines, e.g. 'strength based approaches (SBAs)' -> {'sba': '…'}."""
    out: dict[str, str] = {}
    for doc in docs:
        for m in re.finditer(r"((?:[\w’'-]+\s+){1,6})\(([A-Z]{2,6})s?\)", doc.text):
            acro = m.group(2).lower()
            head = m.group(1).split()
            n = len(acro)
            out.setdefault(acro, " ".join(head[-n:]) if len(head) >= n else m.group(1).strip())
        if doc.publisher:
            pub = re.match(r"(.*?)\s*\(([A-Z]{2,6})\)\s*$", doc.publisher)
            if pub:
                out.setdefault(pub.group(2).lower(), pub.group(1))
    return out


_ctx_lock = threading.Lock()
_contexts: "OrderedDict[tuple[str, str], _Context]" = OrderedDict()


def _context(retriever) -> _Context:
    index = retriever.index
    key = (str(index.path), index.gen)
    with _ctx_lock:
        ctx = _contexts.get(key)
        if ctx is None or ctx.index is not index and ctx.index.gen != index.gen:
            ctx = _contexts[key] = _Context(index)
            while len(_contexts) > 4:
                _contexts.popitem(last=False)
        return ctx


# ---------------------------------------------------------------- embeddings, cached by text

_vec_lock = threading.Lock()
_vectors: "OrderedDict[tuple[str, str], np.ndarray]" = OrderedDict()
_VEC_CACHE_SIZE = 50_000


def _embed(retriever, texts: list[str]) -> np.ndarray:
    """Embed texts with the retriever's model, reusing vectors already computed in this process."""
    name = getattr(retriever.embedder, "name", "") or retriever.settings.model
    with _vec_lock:
        missing = list(dict.fromkeys(t for t in texts if (name, t) not in _vectors))
    if missing:
        vecs = retriever.embed(missing)
        with _vec_lock:
            for t, v in zip(missing, vecs):
                _vectors[(name, t)] = v
            while len(_vectors) > _VEC_CACHE_SIZE:
                _vectors.popitem(last=False)
    with _vec_lock:
        return np.stack([_vectors[(name, t)] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)


# ---------------------------------------------------------------- windows and scores


@dataclass
class _Scored:
    doc_id: str
    start: int
    end: int
    text: str
    sents: list[tuple[int, int]]
    dense: float = 0.0
    lexical: float = 0.0
    mismatches: list[str] = field(default_factory=list)
    lexical_words: float = 0.0  # coverage of the claim's words other than its figures (for figure conflicts)

    @property
    def score(self) -> float:
        return 0.5 * self.dense + 0.5 * self.lexical

    @property
    def passes(self) -> bool:
        close = (self.lexical >= PASS_LEXICAL and self.dense >= PASS_DENSE) or \
                (self.lexical >= PASS_LEXICAL_HIGH and self.dense >= PASS_DENSE_LOW)
        return close and not self.mismatches

    @property
    def flip(self) -> str | None:
        return next((m for m in self.mismatches if m.startswith(("negation", "order", "figure"))), None)


def _windows(ctx: _Context, chunks) -> list[_Scored]:
    """Sentences, adjacent pairs and clauses of long sentences around every candidate passage, without duplicates."""
    seen, out = set(), []
    for c in chunks:
        sents, text = ctx.sentences[c.doc_id], ctx.documents[c.doc_id].text
        for i in ctx.sentence_index(c.doc_id, c.start, c.end):
            for a, b in ((i, i), (i, i + 1), (i - 1, i)):
                if a < 0 or b >= len(sents) or (a != b and "\n#" in text[sents[a][1]:sents[b][0]]):
                    continue
                spans = [(sents[a][0], sents[b][1])] + (_clauses(text, *sents[a]) if a == b else [])
                for s, e in spans:
                    if (c.doc_id, s, e) not in seen:
                        seen.add((c.doc_id, s, e))
                        out.append(_Scored(c.doc_id, s, e, text[s:e], sents[a:b + 1]))
    return out


def _clauses(text: str, s: int, e: int, min_words: int = 5) -> list[tuple[int, int]]:
    """Runs of one to three clauses of a long sentence, so a claim about one part is not diluted by the rest."""
    if len(words(text[s:e])) < 20:
        return []
    sent = text[s:e]
    cuts = [s] + [s + m.end() for m in re.finditer(r"[,;:–—]\s+|\s+[–—]\s+", sent)
                  if sent[:m.start()].count("(") <= sent[:m.start()].count(")")] + [e]
    out = []
    for i in range(len(cuts) - 1):
        for j in range(i + 1, min(i + 4, len(cuts))):
            a, b = cuts[i], cuts[j]
            seg = text[a:b].rstrip(" ,;:–—")
            if (a, b) != (s, e) and len(words(seg)) >= min_words:
                out.append((a, a + len(seg)))
    return out


def _candidates(retriever, ctx: _Context, body: str, cited: list[str], qvec: np.ndarray) -> list:
    """Passages to look in: hybrid search on the claim, plus the best passages of each cited document."""
    hits = retriever.search(body[:1500], k=K_CANDIDATES, qvec=qvec)
    chunks = [ctx.index.by_id[p.chunk_id] for p in hits]
    for doc_id in cited:
        ids = [c.chunk_id for c in ctx.chunks.get(doc_id, [])]
        vecs = ctx.index.embeddings_for(ids) if ids else {}
        ranked = sorted(vecs, key=lambda cid: -float(vecs[cid] @ qvec))[:3]
        chunks += [ctx.index.by_id[cid] for cid in ranked if ctx.index.by_id[cid] not in chunks]
    return chunks


def _score(retriever, ctx: _Context, body: str, wins: list[_Scored], qvec: np.ndarray) -> list[_Scored]:
    if not wins:
        return []
    vecs = _embed(retriever, [w.text for w in wins])
    for w, v in zip(wins, vecs):
        w.dense = round(float(v @ qvec), 4)
        w.lexical = round(lexical_coverage(body, w.text), 4)
    wins.sort(key=lambda w: -w.score)
    for k, w in enumerate(wins):
        # Mismatches only matter for windows that could support or contradict the claim, or explain a refusal.
        if k >= 5 and w.lexical < min(PASS_LEXICAL, CONTRA_LEXICAL):
            continue
        w.mismatches = find_mismatches(body, w.text, ctx.common, ctx.terms, ctx.documents[w.doc_id].author)
        w.mismatches += _scattered_entities(ctx, body, w)
        if any(m.startswith("figure") for m in w.mismatches):
            w.lexical_words = lexical_coverage(_FIGURES.sub(" ", number_words(body)), w.text)
        if not w.flip and (len(w.sents) > 1 or (w.start, w.end) != w.sents[0]):
            w.mismatches += _sentence_flips(ctx, body, w)
    return wins


def _sentence_flips(ctx: _Context, body: str, w: _Scored) -> list[str]:
    """A flip hidden by the window's cut: a pair of sentences, or a clause cut from a sentence that negates the claim."""
    doc = ctx.documents[w.doc_id].text
    for s, e in w.sents:
        sent = doc[s:e]
        if lexical_coverage(body, sent) >= 0.5:
            flip = negation_flip(body, sent) or order_swap(body, sent)
            if flip:
                return [flip]
    return []


def _scattered_entities(ctx: _Context, body: str, w: _Scored) -> list[str]:
    """In a two-sentence window, a name must sit in the sentence that carries the claim, not the other one."""
    if len(w.sents) < 2:
        return []
    claim = set(content_tokens(body))
    doc = ctx.documents[w.doc_id].text
    out = []
    for ent in find_entities(body, ctx.common):
        holders = [doc[s:e] for s, e in w.sents if entity_present(ent, doc[s:e], ctx.terms)]
        if holders and all(len(overlap(claim, set(content_tokens(h)))) < ENTITY_SENTENCE_SHARE * len(claim)
                           for h in holders):
            out.append(f"entity: '{ent}' is mentioned, but not with what the claim says")
    return out


# ---------------------------------------------------------------- judging one claim


def check_text(retriever, text: str) -> CheckReport:
    """Check every claim in a text (a trailing Sources/References list is parsed, not checked)."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("The text to check is empty — paste the paragraph whose claims and citations you want checked.")
    ctx = _context(retriever)
    claims, _ = split_claims(text, ctx.catalogue)
    return CheckReport(claims=[judge_claim(retriever, ctx, c) for c in claims])


def verify_answer_sentence(retriever, sentence: str, cited_chunk_ids: list[str]) -> ClaimResult:
    """Is this generated sentence supported by the passages it cites? (misattributed: only by other passages)."""
    ctx = _context(retriever)
    unknown = [c for c in cited_chunk_ids if c not in ctx.index.by_id]
    if unknown:
        raise InputError(f"Unknown passage id {unknown[0]!r}: cite passages from the current index "
                         "(search again if the index was rebuilt).")
    claim = parse_claim(sentence, ctx.catalogue)
    chunks = [ctx.index.by_id[c] for c in cited_chunk_ids]
    claim.cites = [c for c in claim.cites if c.kind != "marker"]
    own = judge_claim(retriever, ctx, claim, only=chunks)
    own.cited_doc_ids = list(dict.fromkeys(c.doc_id for c in chunks))
    own.cited = ", ".join(cited_chunk_ids) or None
    if own.verdict != "supported" and own.verdict != "contradicted":
        wider = judge_claim(retriever, ctx, claim)
        if wider.verdict in ("supported", "misattributed"):
            wider.verdict, wider.cited, wider.cited_doc_ids = "misattributed", own.cited, own.cited_doc_ids
            wider.reason = "The guidance supports this, but not in the passages the sentence cites."
            return wider
    return own


def judge_claim(retriever, ctx: _Context, claim: ParsedClaim, only: list | None = None) -> ClaimResult:
    """Verdict, evidence, reason and fix for one parsed claim (`only`: judge against these passages alone)."""
    base = dict(text=claim.text, cited=claim.cited, cited_doc_ids=claim.cited_doc_ids)
    plain = strip_quote_marks(claim.body)
    if len(content_tokens(plain)) == 0:
        return ClaimResult(**base, verdict="unsupported", reason="There is no statement here to check.",
                           fix="Write the claim as a full sentence.")
    quotes = [check_quote(q, ctx.documents, claim.cited_doc_ids) for q in find_quotes(claim.text)]
    quote = _worst(quotes)
    qvec = _embed(retriever, [plain])[0]
    chunks = only if only is not None else _candidates(retriever, ctx, plain, claim.cited_doc_ids, qvec)
    wins = _score(retriever, ctx, plain, _windows(ctx, chunks), qvec)
    passing = [w for w in wins if w.passes]
    supporting = _supporting(ctx, passing, quotes)
    best = passing[0] if passing else (wins[0] if wins else None)
    contra = _contradiction(wins)
    res = ClaimResult(**base, verdict="unsupported", quote=quote, supporting_doc_ids=supporting,
                      signals=_signals(best, wins, quotes, claim))
    if quote is not None and quote.status != "verbatim":
        _quote_problem(ctx, res, quote)
    elif passing and not (contra is not None and contra.score >= passing[0].score + CONTRA_MARGIN):
        _attribution(ctx, res, claim, passing[0])
    elif contra is not None:
        best = contra
        res.verdict = "contradicted"
        res.reason, res.fix = explain.contradiction(_named(ctx, contra.doc_id), contra.flip, _short(contra.text))
    else:
        _unsupported(ctx, res, best)
    res.evidence = _evidence(ctx, [best] + passing + wins if best else wins)
    return res


def _worst(quotes: list[QuoteCheck]) -> QuoteCheck | None:
    order = {"not_found": 0, "altered": 1, "verbatim": 2}
    return min(quotes, key=lambda q: order[q.status]) if quotes else None


def _supporting(ctx: _Context, passing: list[_Scored], quotes: list[QuoteCheck]) -> list[str]:
    """Documents with a passing window, plus any other document holding the same sentence or quote word for word."""
    if not passing:
        return []
    docs = list(dict.fromkeys(w.doc_id for w in passing))
    for w in passing[:3]:
        docs += [f.doc_id for f in locate(w.text, ctx.documents) if f.doc_id not in docs]
    for q in quotes:
        if q.status == "verbatim":
            docs += [f.doc_id for f in locate(q.text, ctx.documents) if f.doc_id not in docs]
    return docs


def _contradiction(wins: list[_Scored]) -> _Scored | None:
    """A close window whose only problem is a flipped negation, swapped roles or a different figure of the same kind."""
    for w in wins[:6]:
        other = [m for m in w.mismatches if not m.startswith(("negation", "order", "figure", "absolute", "modal"))]
        lexical = w.lexical_words if w.flip and w.flip.startswith("figure") else w.lexical
        if w.flip and not other and w.dense >= CONTRA_DENSE and lexical >= CONTRA_LEXICAL:
            return w
    return None


def _signals(best: _Scored | None, wins: list[_Scored], quotes: list[QuoteCheck], claim: ParsedClaim) -> dict:
    sig: dict = {"windows": float(len(wins)), "claim_checked": claim.body}
    if best is not None:
        sig.update(dense=best.dense, lexical=best.lexical, mismatches=best.mismatches, best_doc=best.doc_id,
                   best_window=best.text, top_dense=max(w.dense for w in wins))
    if quotes:
        sig["quotes"] = [f"{q.status}: {q.text}" for q in quotes]
    if claim.unresolved:
        sig["unknown_sources"] = [c.text for c in claim.unresolved]
    return sig


def _quote_problem(ctx: _Context, res: ClaimResult, q: QuoteCheck) -> None:
    if q.status == "altered":
        res.reason = explain.altered_quote(_named(ctx, q.doc_id), q.changed)
        res.fix = f"Use the exact words of {_named(ctx, q.doc_id)}: “{q.matched}”"
    else:
        res.reason = "The quotation is not in the guidance."
        res.fix = ("Quote the guidance word for word, or drop the quotation marks and paraphrase a passage "
                   "that does say this.")


def _attribution(ctx: _Context, res: ClaimResult, claim: ParsedClaim, w: _Scored) -> None:
    where = _named(ctx, w.doc_id)
    cited = claim.cited_doc_ids
    res.verdict = "supported"
    res.reason = f"Supported by {where}: “{_short(w.text)}”"
    if cited and not set(cited) & set(res.supporting_doc_ids):
        res.verdict = "misattributed"
        names = " and ".join(_named(ctx, d) for d in cited)
        res.reason = f"{where} says this; the source it cites ({names}) does not."
        res.fix = f"Cite {where} instead of {names}."
    elif claim.unresolved and not cited:
        res.verdict = "misattributed"
        res.reason = f"The cited source {claim.unresolved[0].text} is not in the library; {where} says this."
        res.fix = f"Cite {where} instead, or add the cited source to the library."
    elif any(c.kind == "marker" and not c.resolved for c in claim.cites):
        res.fix = "Add a Sources list so the numbered citation can be checked."


def _unsupported(ctx: _Context, res: ClaimResult, best: _Scored | None) -> None:
    if best is None:
        res.reason = "Nothing in the guidance comes close to this."
        res.fix = "Remove the claim, or cite a source outside this library that supports it."
        return
    where, quote = _named(ctx, best.doc_id), _short(best.text)
    close = best.dense >= CONTRA_DENSE and best.lexical >= CONTRA_LEXICAL
    if close and best.mismatches:
        res.reason, res.fix = explain.near_miss(where, best.mismatches[0], quote)
    else:
        res.reason, res.fix = explain.off_topic(where, quote)


def _evidence(ctx: _Context, ranked: list[_Scored]) -> list[Evidence]:
    out, seen = [], set()
    for w in ranked:
        if (w.doc_id, w.start, w.end) in seen:
            continue
        seen.add((w.doc_id, w.start, w.end))
        chunk = ctx.chunk_at(w.doc_id, w.start)
        out.append(Evidence(chunk_id=chunk.chunk_id if chunk else "", doc_id=w.doc_id, title=_title(ctx, w.doc_id),
                            quote=w.text, score=round(w.score, 4), start=w.start, end=w.end,
                            section=chunk.section if chunk else "", locator=chunk.locator if chunk else ""))
        if len(out) == 3:
            break
    return out


def _title(ctx: _Context, doc_id: str | None) -> str:
    return ctx.catalogue.title(doc_id) if doc_id else "the guidance"


def _named(ctx: _Context, doc_id: str | None) -> str:
    """A document's title as a reason names it: in quotation marks, so it reads apart from the sentence."""
    return f"‘{ctx.catalogue.title(doc_id)}’" if doc_id else "the guidance"

def _short(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


# ---------------------------------------------------------------- report

_LABEL = {"supported": "Supported", "misattributed": "Misattributed", "unsupported": "Unsupported",
          "contradicted": "Contradicted"}


def to_markdown(report: CheckReport) -> str:
    """A readable report: counts, then each claim with verdict, citation, evidence, reason and fix."""
    counts = report.counts()
    summary = ", ".join(f"{counts[v]} {v}" for v in _LABEL if counts.get(v))
    lines = [f"## Citation check: {len(report.claims)} claim{'s' if len(report.claims) != 1 else ''}",
             "", summary or "No claims found.", ""]
    for n, c in enumerate(report.claims, 1):
        lines += [f"### {n}. {_LABEL[c.verdict]}", "", f"> {c.text}", ""]
        if c.cited:
            lines.append(f"- **Cited:** {c.cited}")
        if c.quote:
            changed = f" ({'; '.join(c.quote.changed)})" if c.quote.changed else ""
            lines.append(f"- **Quotation:** {c.quote.status.replace('_', ' ')}{changed}")
        if c.reason:
            lines.append(f"- **Why:** {c.reason}")
        if c.fix:
            lines.append(f"- **What to do:** {c.fix}")
        if c.evidence:
            e = c.evidence[0]
            where = " › ".join(x for x in (e.title, e.section if e.section != e.title else "",
                                           f"para {e.locator}" if e.locator else "") if x)
            lines.append(f"- **Evidence** ({where}): “{_short(e.quote, 400)}”")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
