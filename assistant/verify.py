"""Claim-by-claim verification of text against the guidance: support, attribution and quotations.

A claim is supported only when one sentence (or two adjacent sentences) of the guidance is close in
meaning AND in wording, with no figure, name, negation, modal or absolute changed. Topical similarity
alone never supports a claim. Verdicts: supported | misattributed | unsupported | contradicted.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from .claims import Catalogue, ParsedClaim, number_words, parse_claim, split_claims
from .errors import InputError
from .quotes import check_quote, find_quotes, locate, strip_quote_marks
from .textutil import STOPWORDS, normalise, sentence_spans, tokens, words
from .types import CheckReport, ClaimResult, Evidence, QuoteCheck

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

# ---------------------------------------------------------------- mismatch detectors (plain strings)

_NEG = re.compile(r"\b(?:not|no|never|cannot|without|nor|none|neither)\b|n['’]t\b|\brather than\b|\binstead of\b"
                  r"|\baway from\b", re.I)
_ADDITIVE = re.compile(r"\bnot (?:only|just|merely|simply|solely)\b(?=[^.;]*\bbut\b)", re.I)
_CLAUSE_PUNCT = re.compile(r"[,;:()\[\]–—]|\s-\s|[.!?](?:\s|$)")
_CLAUSE_WORD = re.compile(r"\b(?:that|which|who|whose|what|how|whether|where|when|while|but|and|or|because|"
                          r"although|though|whereas|so that|rather than|instead of)\b", re.I)
_FROM_TO = re.compile(r"\b(?:change|changes|changing|shift|shifts|shifting|move|moves|moving|transition|"
                      r"transformation)\s+(?:away\s+)?from\s+(.{3,160}?)\s+to(?:wards)?\s+", re.I)
_NEG_WORDS = frozenset(tokens("not no never cannot without nor none neither rather instead away can't don't "
                              "doesn't isn't aren't won't", keep_stopwords=True)) | {"n't"}
_STRONG = {"must": "must", "will": "will", "shall": "shall", "always": "always", "have to": "have to",
           "has to": "has to", "required": "required", "is required": "required", "are required": "required"}
_WEAK = re.compile(r"\b(?:may|might|can|could|should|help|helps|often|sometimes|some)\b", re.I)
_ABSOLUTES = [("only", "solely", "exclusively", "alone"), ("all",), ("every", "each", "everyone", "everybody"),
              ("always",), ("never",), ("entirely", "completely", "wholly", "totally", "fully"),
              ("ensure", "ensures", "ensured", "guarantee", "guarantees", "guaranteed", "proves", "proven")]
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_CAPWORD = r"[A-Z][\w’'&.-]*"
_ENTITY = re.compile(rf"{_CAPWORD}(?:(?:\s+(?:of|for|and|the|on|&))*\s+{_CAPWORD})*")


_IRREGULAR = dict(pair.split(":") for pair in (
    "grown:grow grew:grow made:make given:give gave:give written:write wrote:write taken:take took:take "
    "shown:show known:know knew:know seen:see saw:see done:do found:find brought:bring thought:think "
    "began:begin begun:begin led:lead held:hold kept:keep left:leave meant:mean paid:pay ran:run sent:send "
    "spent:spend built:build became:become felt:feel told:tell understood:understand chosen:choose chose:choose "
    "children:child people:person").split())


@functools.lru_cache(maxsize=65536)
def _content_tokens(text: str) -> tuple[str, ...]:
    return tuple(_IRREGULAR.get(t, t) for t in tokens(number_words(strip_quote_marks(text))) if t not in _NEG_WORDS)


def content_tokens(text: str) -> list[str]:
    """Stemmed content words (numbers spelled out become digits), without quote marks or stopwords."""
    return list(_content_tokens(text))


def _match(t: str, pool: set[str]) -> bool:
    """Same stem, or a long shared prefix ('bureaucratic' ~ 'bureaucratised')."""
    if t in pool:
        return True
    if len(t) < 6:
        return False
    return any(len(w) >= 6 and _prefix(t, w) >= max(6, min(len(t), len(w)) - 3) for w in pool)


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _overlap(a: set[str], b: set[str]) -> set[str]:
    return {t for t in a if _match(t, b)}


def lexical_coverage(claim: str, window: str) -> float:
    """Share of the claim's distinct content words found in the window."""
    c = set(content_tokens(claim))
    return len(_overlap(c, set(content_tokens(window)) | _initials(window))) / len(c) if c else 0.0


def number_mismatches(claim: str, window: str) -> list[str]:
    """Figures and years in the claim that the window does not have ('ten' counts as 10)."""
    have = set(_NUMBER.findall(number_words(window)))
    nums = [n for n in dict.fromkeys(_NUMBER.findall(number_words(re.sub(r"\bone\b", "", claim, flags=re.I))))]
    return [f"number: {n} is not in the passage" for n in nums if n not in have]


def find_entities(text: str, common: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Capitalised names (people, organisations, places); a sentence's first word counts only if not a common word."""
    out = []
    for m in _ENTITY.finditer(text):
        ent = m.group().strip(".’'")
        first_word = not text[:m.start()].strip() or re.search(r"[.!?:;“\"(]\s*$", text[:m.start()])
        parts = ent.split()
        if first_word and (parts[0].lower() in STOPWORDS or parts[0].lower() in common):
            parts = parts[1:]
            while parts and parts[0].lower() in STOPWORDS:
                parts = parts[1:]
        if parts and not (len(parts) == 1 and parts[0].lower() in STOPWORDS):
            out.append(" ".join(parts))
    return list(dict.fromkeys(out))


def _initials(text: str) -> set[str]:
    """Acronyms the window spells out: 'Social Care Institute for Excellence' -> 'scie'."""
    out = set()
    for m in _ENTITY.finditer(text):
        caps = [w for w in m.group().split() if w[0].isupper()]
        for i in range(len(caps)):
            for j in range(i + 2, len(caps) + 1):
                out.add("".join(w[0] for w in caps[i:j]).lower())
    return out


def entity_present(entity: str, window: str, terms: dict[str, str] | None = None) -> bool:
    """The entity's words are in the window, or it is an acronym the window spells out or the corpus defines."""
    toks = set(tokens(entity))
    if toks and toks <= set(tokens(window)):
        return True
    if re.fullmatch(r"[A-Z]{2,6}s?(?:['’]s)?", entity):
        acro = re.sub(r"(?:['’]s|s)$", "", entity).lower() if not entity.isupper() else entity.lower()
        if acro in _initials(window) or entity.lower() in _initials(window):
            return True
        expansion = (terms or {}).get(acro)
        return bool(expansion) and set(tokens(expansion)) <= set(tokens(window))
    return False


def entity_mismatches(claim: str, window: str, common: set[str] | frozenset[str] = frozenset(),
                      terms: dict[str, str] | None = None) -> list[str]:
    """Names in the claim that the window never mentions."""
    out = []
    for ent in find_entities(claim, common):
        acro = re.sub(r"(?:['’]s|s)$", "", ent).lower()
        if terms and acro in terms and terms[acro].islower():
            continue  # an abbreviation of a common term ("SBA"), not a name
        if not entity_present(ent, window, terms):
            out.append(f"entity: '{ent}' is not in the passage")
    return out


def _polarity(text: str) -> tuple[set[str], set[str]]:
    """(asserted, negated) content tokens: a negation covers its clause; 'rather than X' and 'from X to Y' cover X."""
    text = _ADDITIVE.sub(" ", text)
    scopes: list[tuple[int, int]] = []
    for m in _NEG.finditer(text):
        cue = m.group().lower()
        if cue in ("rather than", "instead of", "away from"):
            end = _next_boundary(text, m.end(), words_too=False)
            scopes.append((m.end(), end))
        else:
            scopes.append((_prev_boundary(text, m.start()), _next_boundary(text, m.end())))
    for m in _FROM_TO.finditer(text):
        scopes.append(m.span(1))
    negated = "".join(text[a:b] + " " for a, b in scopes)
    kept, pos = [], 0
    for a, b in sorted(scopes):
        if a > pos:
            kept.append(text[pos:a])
        pos = max(pos, b)
    kept.append(text[pos:])
    return set(content_tokens(" ".join(kept))), set(content_tokens(negated))


def _prev_boundary(text: str, i: int) -> int:
    cuts = [m.end() for m in _CLAUSE_PUNCT.finditer(text, 0, i)] + [m.start() for m in _CLAUSE_WORD.finditer(text, 0, i)]
    return max(cuts, default=0)


def _next_boundary(text: str, i: int, words_too: bool = True) -> int:
    cuts = [m.start() for m in _CLAUSE_PUNCT.finditer(text, i)]
    if words_too:
        cuts += [m.start() for m in _CLAUSE_WORD.finditer(text, i)]
    return min(cuts, default=len(text))


def negation_flip(claim: str, window: str) -> str | None:
    """The claim asserts what the window negates (or negates what it asserts)."""
    c_pos, c_neg = _polarity(claim)
    w_pos, w_neg = _polarity(window)
    asserted = _overlap(c_pos - c_neg, w_neg - w_pos)
    denied = _overlap(c_neg - c_pos, w_pos - w_neg)
    if asserted:
        return f"negation: the passage says not/rather than '{', '.join(sorted(asserted))}'"
    if denied:
        return f"negation: the claim denies '{', '.join(sorted(denied))}', which the passage asserts"
    return None


def order_swap(claim: str, window: str) -> str | None:
    """The same words on either side of a shared verb, swapped ('A replaces B' vs 'B replaces A')."""
    c, w = content_tokens(claim), content_tokens(window)
    for pivot in dict.fromkeys(c):
        if c.count(pivot) != 1 or w.count(pivot) != 1:
            continue
        ci, wi = c.index(pivot), w.index(pivot)
        cb, ca, wb, wa = set(c[:ci]), set(c[ci + 1:]), set(w[:wi]), set(w[wi + 1:])
        forward, back = (cb & wa) - wb - ca, (ca & wb) - wa - cb
        if len(forward) >= 2 and len(back) >= 2:
            return f"order: the passage has '{' '.join(sorted(back))}' before '{pivot}', the claim after it"
    return None


def modal_strengthened(claim: str, window: str) -> str | None:
    """The claim says must/will/always/required where the window only says may/can/could/should."""
    low_w = window.lower()
    for phrase, word in _STRONG.items():
        if re.search(rf"\b{phrase}\b", claim, re.I) and not re.search(rf"\b{word}\b", low_w):
            weak = _WEAK.search(window)
            if weak:
                return f"modal: '{word}' where the passage says '{weak.group().lower()}'"
    return None


def absolute_added(claim: str, window: str) -> list[str]:
    """Absolutes (always, only, every, all, ensures …) the claim adds and the window does not have."""
    claim = re.sub(r"\bnot (?:only|just)\b", " ", claim, flags=re.I)
    have = set(words(window.lower()))
    out = []
    for group in _ABSOLUTES:
        used = [w for w in group if re.search(rf"\b{w}\b", claim, re.I)]
        if used and not have & set(group):
            out.append(f"absolute: '{used[0]}' is not in the passage")
    return out


def find_mismatches(claim: str, window: str, common: set[str] | frozenset[str] = frozenset(),
                    terms: dict[str, str] | None = None) -> list[str]:
    """Every explicit mismatch between a claim and one passage window ('kind: detail')."""
    out = number_mismatches(claim, window) + entity_mismatches(claim, window, common, terms)
    flip = negation_flip(claim, window) or order_swap(claim, window)
    modal = modal_strengthened(claim, window)
    return out + ([flip] if flip else []) + ([modal] if modal else []) + absolute_added(claim, window)


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
        return next((m for m in self.mismatches if m.startswith(("negation", "order"))), None)


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
        w.mismatches = find_mismatches(body, w.text, ctx.common, ctx.terms) + _scattered_entities(ctx, body, w)
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
        if holders and all(len(_overlap(claim, set(content_tokens(h)))) < ENTITY_SENTENCE_SHARE * len(claim)
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
        res.reason = f"The guidance says otherwise ({_title(ctx, contra.doc_id)}): {contra.flip.split(': ', 1)[1]}."
        res.fix = f"Reverse or remove the claim — the guidance says: “{_short(contra.text)}”"
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
    """A close window whose only problem is a flipped negation or swapped roles."""
    for w in wins[:6]:
        other = [m for m in w.mismatches if not m.startswith(("negation", "order", "absolute", "modal"))]
        if w.flip and not other and w.dense >= CONTRA_DENSE and w.lexical >= CONTRA_LEXICAL:
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
        res.reason = (f"The quotation is altered ({_title(ctx, q.doc_id)} has different words: "
                      f"{'; '.join(q.changed)}).")
        res.fix = f"Use the exact words: “{q.matched}”"
    else:
        res.reason = "The quotation is not in the guidance."
        res.fix = ("Quote the guidance word for word, or drop the quotation marks and paraphrase a passage "
                   "that does say this.")


def _attribution(ctx: _Context, res: ClaimResult, claim: ParsedClaim, w: _Scored) -> None:
    where = _title(ctx, w.doc_id)
    cited = claim.cited_doc_ids
    res.verdict = "supported"
    res.reason = f"Supported by {where}: “{_short(w.text)}”"
    if cited and not set(cited) & set(res.supporting_doc_ids):
        res.verdict = "misattributed"
        names = ", ".join(_title(ctx, d) for d in cited)
        res.reason = f"The guidance supports this in {where}, not in the cited source ({names})."
        res.fix = f"Cite {where} instead of {claim.cited}."
    elif claim.unresolved and not cited:
        res.verdict = "misattributed"
        res.reason = f"The cited source {claim.unresolved[0].text} is not in the library; {where} supports this."
        res.fix = f"Cite {where} instead (or add the cited source to the library)."
    elif any(c.kind == "marker" and not c.resolved for c in claim.cites):
        res.fix = "Add a Sources list so the numbered citation can be checked."


def _unsupported(ctx: _Context, res: ClaimResult, best: _Scored | None) -> None:
    if best is None:
        res.reason = "Nothing in the guidance comes close to this."
        res.fix = "Remove the claim, or cite a source outside this library that supports it."
        return
    where, quote = _title(ctx, best.doc_id), _short(best.text)
    close = best.dense >= CONTRA_DENSE and best.lexical >= CONTRA_LEXICAL
    if close and best.mismatches:
        kind, detail = best.mismatches[0].split(": ", 1)
        res.reason = f"The closest passage ({where}) differs: {detail}."
        word = re.search(r"'([^']+)'", detail)
        fixes = {"absolute": f"Remove '{word.group(1) if word else ''}' — the guidance says: “{quote}”",
                 "modal": f"Soften the claim to match the guidance: “{quote}”",
                 "number": f"Check the figure — the guidance says: “{quote}”",
                 "entity": f"Check the name — the guidance says: “{quote}”"}
        res.fix = fixes.get(kind, f"Reword to match the guidance: “{quote}”")
    else:
        res.reason = (f"No passage says this; the closest ({where}) is only about the same topic "
                      f"(similarity {best.dense:.2f}, {best.lexical:.0%} of the claim's words).")
        res.fix = "Remove the claim, or cite a source outside this library that supports it."


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
