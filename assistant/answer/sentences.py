"""Answer sentences: every sentence of the top passages scored as an answer, then the ones to quote.

The score mixes query-sentence similarity, idf-weighted word overlap (a follow-up's own words count more
than the conversation's), the words of the sentence an "It / This / These…" sentence or a list item leans
on, and the answer type the question asks for; pointers, headings, captions and list lead-ins are left out
unless the query is a keyword search. A pointer that names what it points at ("See also NICE's quick guide on…")
is a candidate by that object alone, ranked a little lower unless the question asks where to look.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from assistant.answer.cues import fits_cue, is_navigation, key_terms, question_cue
from assistant.search.docnouns import alternation, load_document_nouns
from assistant.search.query import question_terms, term_set, with_acronyms
from assistant.search.retrieve import Retriever
from assistant.textutil import sentence_spans, tokens
from assistant.types import Passage

DEPTH = 12  # passages whose sentences compete for the answer
KEYWORD_HITS = 4  # plus the best keyword (BM25) passages among them
# Sentence score: word overlap, similarity to the question, its passage's similarity, passage rank, answer type.
WEIGHTS = (0.35, 0.45, 0.2, 0.04, 0.08)
_STRONG_CUES = frozenset(("quantity", "duration", "frequency", "age", "date", "time", "author"))  # their answer type counts double
LEAD_FIT_SHARE = 0.6  # a sentence with the asked-for answer type leads if it scores this share of the top one
SHORT_SENTENCE = 110  # characters: a chosen sentence this short brings its next sentence when it continues it
POINTER_DISCOUNT = 0.05  # taken off what a pointer points at, for a question that does not ask where to look
HISTORY_WEIGHT = 0.35  # a follow-up's own words outweigh the earlier turn's words when picking sentences
_ANAPHOR = re.compile(r"^(?:it|its|this|these|they|their|such|as such|hence|key to this|that)\b", re.I)


@dataclass
class Sentence:
    passage: Passage
    start: int  # offsets into the document's cleaned text
    end: int
    text: str
    score: float
    toks: set[str]
    rank: int = 0
    navigation: bool = False
    fits: bool = True  # has what the question type asks for (a number for "how many"…)
    overlap: float = 0.0  # idf-weighted share of the question's words it has
    kind: str = "sentence"  # sentence | item (of a list) | heading | lead-in | fragment | caption (sentence_kind) |
    # pointer (the object of a "See also…" sentence: pointed_at)


def candidate_sentences(retriever: Retriever, question: str, query: str, qvec, passages: list[Passage],
                        depth: int | None = None, typed: str = "") -> list[Sentence]:
    """Every sentence of the top passages, scored as an answer to the question (best first). `typed`: the
    question as written, whose names and abbreviations also count when a sentence uses them as written
    ("NICE's quick guide" answers "a NICE resource" although the question is searched spelt out)."""
    terms = _asked_first(retriever, question, _weighted_terms(retriever, question, query))
    about_document = asks_about_document(question)
    if about_document:  # "who is the report for?": "report" names the document, it is not a word to find in it
        terms = {t: w for t, w in terms.items() if t not in DOCUMENT_WORDS}
    total = sum(terms.values()) or 1.0
    terms.update(_as_typed(retriever, typed, terms))  # alternatives to their long forms: not in the total
    cue = question_cue(question)
    idf = retriever.index.bm25.idf
    spans = _spans(retriever, passages[:depth or DEPTH + KEYWORD_HITS])
    if not spans:
        return []
    sims = _similarities(retriever, question, query, qvec, [sp[4] for sp in spans])
    w_overlap, w_sim, w_passage, w_rank, w_cue = WEIGHTS
    cue_bonus = 0.0 if not cue else 2 * w_cue if cue in _STRONG_CUES else w_cue
    either = alternatives(question)  # "is it holistic or single-discipline?": a sentence with one answers it
    cands = []
    for (rank, p, s, e, text, context, author, kind), sim in zip(spans, sims):
        toks = with_acronyms(retriever, term_set(text))
        got = sum(w for t, w in terms.items() if t in toks)
        ctx = with_acronyms(retriever, term_set(context)) if context else set()
        if context:  # "It also requires…" or a list item: the sentence before says what it is about
            got += 0.5 * sum(w for t, w in terms.items() if t in ctx and t not in toks)
        overlap = min(1.0, got / total)
        fits = fits_cue(cue, text, author)
        score = (w_overlap * overlap + w_sim * float(sim) + w_passage * max(p.dense, 0.0) + w_rank / (rank + 1)
                 - (0.1 if len(text) < 30 else 0.0) + (cue_bonus if fits else 0.0)
                 + (2 * w_cue if about_document and self_describing(text, context) else 0.0)
                 + (2 * w_cue if either & toks else 0.0))
        # Redundancy is judged on distinctive words only: every passage shares "strengths-based".
        cands.append(Sentence(p, s, e, text, score, {t for t in toks if idf.get(t, 9.0) >= 1.0}, rank,
                               is_navigation(text) or kind == "pointer", fits, overlap, kind))
    cands.sort(key=lambda c: -c.score)
    return cands


# "Is it holistic or single-discipline?", "should we use X or Y": the two alternatives asked between.
_EITHER_OR = re.compile(r"\b(?:is|are|was|were|does|do|did|should|can|could|will|would|has|have)\s+(?:[\w’'-]+\s+){1,4}?"
                        r"([\w’'-]{3,})\s+or\s+(?:(?:the|a|an|their|our)\s+)?([\w’'-]{3,})\s*(?:[?.!]|$)", re.I)


def alternatives(question: str) -> set[str]:
    """The words of the alternatives an either-or question asks between (empty set for any other question)."""
    m = _EITHER_OR.search(question)
    return term_set(f"{m.group(1)} {m.group(2)}") - {"not", "else", "something"} if m else set()


# A question about the document itself rather than about what it says: what it is for, who it is for, whether it is
# updated, what to read it with ("who is the report for?", "can we use it for something?", "does that guide get
# updated ever?"). The document answers those where it describes itself ("This paper is both an update… and a
# toolkit", "This guide will be updated…", "It should be read in conjunction with…").
_DOCUMENT_ASKED = re.compile(r"\b(?:for\W*$|for (?:something|anything)\b|aimed at|intended for|meant for|relevant to|"
                             r"of interest to|audience|purpose|point of|updat\w*|revis\w*|describ\w*|what (?:kind|sort|type) of|(?:read|use|using) (?:\w+ ){0,2}"
                             r"(?:alongside|with|in conjunction|together))", re.I)
_DOCUMENT_REFERENCE = re.compile(r"\b(?:report|paper|guide|guidance|page|blog|document|doc|glossary|toolkit|publication|"
                                 r"briefing|it|this|that)\b", re.I)
DOCUMENT_WORDS = frozenset(tokens(" ".join(load_document_nouns()["nouns"]), keep_stopwords=True))
_SELF_DESCRIBING = re.compile(r"^(?:this|the) (?:(?:new|latest|recent|updated|short|quick|full|original|online) )?"
                              r"(?:" + alternation(load_document_nouns()["nouns"]) + r")\b", re.I)


def asks_about_document(question: str) -> bool:
    """The question asks what a document is for, who it is for, or whether it is updated (not what it says)."""
    return bool(_DOCUMENT_ASKED.search(question) and _DOCUMENT_REFERENCE.search(question))


def self_describing(text: str, context: str = "") -> bool:
    """A sentence in which the document describes itself ("This paper is…"), or an "It…" sentence after one."""
    return bool(_SELF_DESCRIBING.match(text) or context and _SELF_DESCRIBING.match(context)
                and re.match(r"it\b", text, re.I))


def _spans(retriever: Retriever, passages: list[Passage]) -> list[tuple]:
    """(rank, passage, start, end, text, context, author, kind) for each sentence of the passages."""
    out = []
    for rank, p in enumerate(passages):
        doc = retriever.index.documents[p.doc_id]
        for s, e, sentence, context in _sentences(doc.text, p.start, p.end):
            at = pointed_at(sentence)
            if at:  # "See also NICE's quick guide on…": what it points at is the statement, not the pointer
                s, sentence = s + at, sentence[at:]
            kind = "pointer" if at else sentence_kind(doc.text, s, e)
            out.append((rank, p, s, e, sentence, context, doc.author, kind))
    return out


# A pointer ("See also…", "Click on the image above to hear…") whose object names something: the object is what the
# sentence tells a reader, and is quoted as that (answer.compose says what pointed to it), never the instruction to
# click. The object must start with a capital ("NICE's quick guide…", "our Chief Social Worker… Lyn Romeo…": the
# determiner before a name is left with the pointer) and hold POINTED_WORDS words; "Read her latest blog here" has none.
_POINTER_LEAD = re.compile(r"^(?:see(?: also)?|(?:please )?click (?:on )?(?:the |this )?(?:image|video|link|picture|"
                           r"button|logo|icon|here)(?: (?:above|below))?(?: to (?:hear|see|watch|read|view|listen to|"
                           r"find out (?:about|more about)))?|(?:read|find out) more (?:about|on)|watch|listen to|"
                           r"for (?:more|further) (?:information|detail)(?: (?:on|about) [^,]+)?,? see)\s+"
                           r"(?:(?:our|the|a|an|their|his|her|its)\s+(?=[A-Z]))?", re.I)
POINTED_WORDS = 4


def pointed_at(sentence: str) -> int:
    """Where the object of a pointer sentence starts ("See also NICE's…": at "NICE's"), or 0: not a pointer, or it
    points at nothing it names ("…blog here")."""
    m = _POINTER_LEAD.match(sentence)
    rest = sentence[m.end():] if m else ""
    if not rest[:1].isupper() or len(rest.split()) < POINTED_WORDS or re.search(r"\bhere\W*$", rest, re.I):
        return 0
    return m.end()


_BULLET = re.compile(r"\s*(?:[-*•]|\d+[.)])\s+")


@functools.lru_cache(maxsize=50_000)
def sentence_kind(text: str, start: int, end: int) -> str:
    """What a span of a document is, read from the document's structure: a heading ('# …' line), a list
    item, a lead-in (ends with ':'), a fragment (under four words, or starting in lower case), a byline, a caption
    (a line with no stop in it), or a sentence."""
    sentence = text[start:end].strip()
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[line_start:start]
    if prefix.lstrip().startswith("#"):
        return "heading"
    if sentence.rstrip("'’\"”").endswith(":"):
        return "lead-in"
    if len(sentence.split()) < 4 or sentence[:1].islower():
        return "fragment"
    if prefix and _BULLET.fullmatch(prefix):
        return "item"
    whole_line = line_start == start or not text[line_start:start].strip()
    if _BYLINE.fullmatch(sentence) and whole_line:
        return "byline"
    if whole_line and not _STOPS.search(sentence) and _own_paragraph(text, end):
        return "caption"  # a line with no stop at all ("Lyn Romeo speaking to camera about…"): an image's caption
    return "sentence"


_STOPS = re.compile(r"[.!?;:]")


def _own_paragraph(text: str, end: int) -> bool:
    """Whether the line holding text[:end] ends there and no line of the same paragraph follows it (a sentence
    hard-wrapped across lines, "…within nine days of the assessment,\nso that…", is no caption)."""
    rest, _, after = text[end:].partition("\n")
    return not rest.strip() and (not after.strip() or not after.split("\n", 1)[0].strip())


# A line of names and titles only ("Alex Fox, Chief Executive, Mayday Trust"): it says who someone is, so it
# answers "who…?" questions and nothing else.
_BYLINE = re.compile(r"(?:[A-Z][\w'’.-]*|of|for|and|the|&)(?:[ ,]+(?:[A-Z][\w'’.-]*|of|for|and|the|&))*,"
                     r"(?:[ ,]+(?:[A-Z][\w'’.-]*|of|for|and|the|&))+")


# Kinds that never answer a question on their own (a keyword search may still show them).
NOT_ANSWERS = frozenset(("heading", "lead-in", "fragment", "caption"))


@functools.lru_cache(maxsize=20_000)
def _sentences(text: str, start: int, end: int) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, sentence, context) in text[start:end]; context is the sentence an anaphoric sentence
    leans on, or the lead-in ('An SBA essentially:') of a list item. Remembered: passages recur."""
    out = []
    prev = lead = ""
    for s, e in sentence_spans(text, start, end):
        sentence = text[s:e]
        bullet = text[max(0, s - 2):s] in ("- ", "* ", "• ")
        context = lead if bullet and lead else prev if _ANAPHOR.match(sentence) else ""
        out.append((s, e, sentence, context))
        prev = sentence
        lead = sentence if sentence.endswith(":") else lead if bullet else ""
    return tuple(out)


def _as_typed(retriever: Retriever, typed: str, terms: dict[str, float]) -> dict[str, float]:
    """The names and abbreviations of the question as written that the spelt-out question lost, idf-weighted."""
    if not typed:
        return {}
    idf = retriever.index.bm25.idf
    return {t: idf[t] for t in key_terms(typed) if t not in terms and t in idf}


def _weighted_terms(retriever: Retriever, question: str, query: str) -> dict[str, float]:
    """Content terms with idf weights; in a follow-up, the earlier turn's words count less."""
    terms = question_terms(retriever, query)
    if query != question:
        own = set(question_terms(retriever, question))
        terms = {t: (w if t in own else HISTORY_WEIGHT * w) for t, w in terms.items()}
    return terms


NOTES_WEIGHT = 0.5  # in case notes read whole with their question, a word of the notes beside a word of the question


def _asked_first(retriever: Retriever, question: str, terms: dict[str, float]) -> dict[str, float]:
    """In case notes read whole with the question they end on ("…lots of telling families what to do. What does
    embedding it actually need?"), the question's own words outweigh the notes' words."""
    spans = sentence_spans(question)
    asks = [question[s:e].strip() for s, e in spans if question[s:e].strip().endswith("?")]
    if len(spans) < 2 or not asks:
        return terms
    mine = set(question_terms(retriever, asks[-1]))
    if not mine or not set(terms) - mine:
        return terms
    return {t: (w if t in mine else NOTES_WEIGHT * w) for t, w in terms.items()}


def _similarities(retriever: Retriever, question: str, query: str, qvec, texts: list[str]):
    vecs = retriever.embed_cached(texts)
    if qvec is None:
        qvec = retriever.query_vector(query)
    sims = vecs @ qvec
    if query != question:  # a follow-up: half the question alone, half the question with its context
        sims = 0.5 * sims + 0.5 * (vecs @ retriever.embedder.encode_query(question))
    return sims


def choose(cands: list[Sentence], limit: int, keyword: bool = False, pointers: bool = False,
           people: bool = False, question: str = "") -> list[Sentence]:
    """A direct lead, then non-redundant supporting points; headings only for searches, pointers ('See
    also…') for searches and for questions asking where to look, bylines for questions asking who or naming the
    person the byline names ("what organisation is Alex Fox chief executive of?"). The lead has what the question
    asks for (a name for "who", a number for "how many") when a close second has it."""
    skip = NOT_ANSWERS if people else NOT_ANSWERS | {"byline"}
    if not people and question:
        cands = [replace(c, kind="sentence") if c.kind == "byline" and names_byline_person(question, c.text) else c
                 for c in cands]
    if not pointers:  # what a "See also…" points at answers only when the document says nothing closer itself
        cands = sorted((replace(c, score=c.score - POINTER_DISCOUNT) if c.kind == "pointer" else c for c in cands),
                       key=lambda c: -c.score)
    # a search-box query may be answered by a heading, never by a list's lead-in or a fragment without its items
    if keyword:
        usable = [c for c in cands if c.kind not in ("lead-in", "fragment")] or cands
    else:
        usable = [c for c in cands if (pointers or not c.navigation or c.kind == "pointer") and c.kind not in skip] \
            or [c for c in cands if c.kind not in skip] or cands
    usable = _answering_first(usable)
    chosen: list[Sentence] = []
    for c in usable:
        if len(chosen) >= limit or (chosen and c.score < 0.7 * chosen[0].score):
            break
        if any(_similar(c, o) for o in chosen):
            continue
        chosen.append(c)
        follow = _continuation(c, usable) if len(chosen) < limit else None
        if follow is not None and not any(_similar(follow, o) for o in chosen) and \
                (len(c.text) < SHORT_SENTENCE and c.toks & follow.toks or _carries_on(follow)
                 or _goes_on(c, follow)):
            chosen.append(follow)
    return chosen


def _answering_first(usable: list[Sentence]) -> list[Sentence]:
    """The best sentence that has what the question asks for moved to the front, when the top one lacks it and
    it scores at least LEAD_FIT_SHARE of the top one."""
    if not usable or usable[0].fits:
        return usable
    best = next((c for c in usable if c.fits), None)
    if best is None or best.score < LEAD_FIT_SHARE * usable[0].score:
        return usable
    return [best] + [c for c in usable if c is not best]


def _continuation(c: Sentence, cands: list[Sentence]) -> Sentence | None:
    """The next sentence of the chosen one's passage (brought when a short one carries on the same topic, sharing a
    distinctive word: "…follows previous studies into asset-based areas." → "The asset-based area, published in
    2017, …"; or when it turns or completes the point: _carries_on)."""
    # (or the sentence straight after it in the document, when that one came from the next passage)
    after = [o for o in cands if o.start >= c.end and (o.passage.chunk_id == c.passage.chunk_id or
                                                       o.passage.doc_id == c.passage.doc_id and o.start - c.end <= 2)]
    return min(after, key=lambda o: o.start, default=None)


# A next sentence that turns the point ("But these people always have strengths too") or says what the one before
# is for ("Its goal is to…") finishes what the chosen sentence starts, when it has some of the question's words.
_CARRIES_ON = re.compile(r"^(?:but|however|yet|its (?:aim|goal|purpose|objective)|the (?:aim|goal|purpose) of this)\b",
                         re.I)


def _carries_on(follow: Sentence) -> bool:
    return bool(_CARRIES_ON.match(follow.text)) and follow.overlap > 0


GOES_ON_SHARE = 0.8  # an "It / This…" next sentence that scores this share of the chosen one goes on with its point


def _goes_on(c: Sentence, follow: Sentence) -> bool:
    """The next sentence leans on the chosen one ("Supporting the person's strengths can help address needs…" →
    "It may also help delay the development of further needs.") and answers nearly as well itself: the two make
    one point, quoted together."""
    return bool(_ANAPHOR.match(follow.text)) and follow.overlap > 0 and follow.kind not in NOT_ANSWERS and \
        follow.score >= GOES_ON_SHARE * c.score


def names_byline_person(question: str, byline: str) -> bool:
    """The question names the person a byline line is about ("Alex Fox, OBE, Chief Executive, …": "Alex Fox")."""
    name = byline.split(",", 1)[0].strip().lower()
    return len(name.split()) >= 2 and name in " ".join(question.lower().split())


def _similar(a: Sentence, b: Sentence) -> bool:
    if a.passage.doc_id == b.passage.doc_id and a.start < b.end and b.start < a.end:
        return True
    inter = len(a.toks & b.toks)
    return inter / max(1, min(len(a.toks), len(b.toks))) > 0.7
