"""Grounded answers. The default is extractive: verbatim sentences from the guidance, each cited.

With an LLM configured (see llm.py) the model writes the answer from the same
numbered passages, and every sentence it writes is verified before it is shown.

The extractive answerer works in three steps:
1. retrieve passages for the question (follow-ups folded with the conversation, acronyms the
   guidance defines expanded: "SCIE" also searches "Social Care Institute for Excellence"), and
   add the best keyword passages that fusion ranked lower as answer candidates;
2. decide whether the guidance answers it at all (`confidence`): every name, acronym and number
   the question asks about must be in a top passage; a "how much / how many / when was" question
   needs a sentence on its topic that holds a number or date; "What is X?" needs the phrase X
   itself, "How do I <verb> X?" a sentence about X; a pointer such as "See also X" is not an
   answer to "what does X say"; a search-box query with a word the library has never seen is not
   covered; a question with no words to search for is not either; then similarity plus word
   coverage must reach a threshold calibrated on the dev questions (settings.abstain_threshold);
3. pick sentences (`candidate_sentences`, `choose`): query-sentence similarity, idf-weighted word
   overlap (a follow-up's own words count more than the conversation's), the words of the sentence
   an "It / This / These…" sentence or a list item leans on, and the answer type the question asks
   for (a person for "who", an author for "who wrote", a number, a date); pointers, headings and
   list lead-ins are left out unless the query is a keyword search.
"""

from __future__ import annotations

import functools
import re
import weakref
from dataclasses import dataclass

from .retrieve import Retriever
from .settings import Settings
from .textutil import sentence_spans, stem, tokens
from .types import Answer, Citation, Passage, Turn

ABSTAIN_TEXT = ("The guidance in the library does not cover this question, so there is no grounded answer to give. "
                "The closest passages found are listed below; they may help you decide where to look next.")
VAGUE_NOTICE = "The question has no words to search for on its own: add what you want to know about."
# Words that say what kind of question it is, not what it is about.
_QUESTION_WORDS = frozenset(tokens("what which who whom whose when where why how does do did is are can could "
                                   "should would tell explain describe mean meaning guidance say says according "
                                   "about please give list example examples", keep_stopwords=True))
_FOLLOW_UP = re.compile(r"^(and|but|also|so|what about|how about|and for|for|then|why|who wrote|when was)\b"
                        r"|\b(it|its|they|them|their|this|that|these|those|he|she|him|her|there)\b", re.I)
TYPED_OVERLAP = 0.3  # share of the question's words a sentence with the asked-for number or date must have
DEPTH = 12  # passages whose sentences compete for the answer
KEYWORD_HITS = 4  # plus the best keyword (BM25) passages among them
# Sentence score: word overlap, similarity to the question, its passage's similarity, passage rank, answer type.
WEIGHTS = (0.35, 0.45, 0.2, 0.04, 0.08)
_STRONG_CUES = frozenset(("quantity", "age", "date", "time", "author"))  # their answer type counts double
SHORT_SENTENCE = 110  # characters: a chosen sentence this short brings its next sentence when it continues it
HISTORY_WEIGHT = 0.35  # a follow-up's own words outweigh the earlier turn's words when picking sentences

_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty hundred".split())
_ENTITY = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][A-Za-z]+|[A-Z]{2,}s?)\b|\b(\d+(?:\.\d+)*)\b")
_MONTHS = "january february march april may june july august september october november december"
_HAS_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b|[£%]|\b(?:" + "|".join(_NUMBER_WORDS)
                         + r"|thousand|million|half|dozen)\b", re.I)
_HAS_DATE = re.compile(r"\b(?:1[89]|20)\d\d\b|\b(?:" + _MONTHS.replace(" ", "|") + r")\b"
                       r"|\b(?:last|past|next|over the) (?:\w+ )?(?:years?|months?|decades?)\b", re.I)
_HAS_AGE = re.compile(r"\b(?:aged?|under|over|until|turns?|turning)\s+(?:\d{1,2}|sixteen|eighteen|twenty-five)\b"
                      r"|\b\d{1,2}(?:\s*years? old|-year-olds?|\+)", re.I)
_ROLE = re.compile(r"\b(?:chief|director|executive|manager|officer|head of|lead|colleague|chair|minister|"
                   r"secretary|professor|founder|obe|mbe)\b", re.I)
_AUTHORSHIP = re.compile(r"\b(?:written by|wrote|writes|author|says|said)\b", re.I)
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]+(?:\s+(?:of|for|and)?\s*[A-Z][a-z]+)+")
_DEFINITION = re.compile(r"\b(?:is|are) (?:a|an|the)\b|\bdefined as\b|\brefers? to\b|\binvolves?\b|\bfocus(?:es)? on\b"
                         r"|\bmeans\b|\bsometimes called\b", re.I)
# Sentences that point elsewhere ("See also…", "Click…", "Read her blog here") name a source without saying
# what it says: they answer a search for the name, never a question about its content.
_NAVIGATION = re.compile(r"^(?:see also|see |click|read (?:more|her|his|their|our|the)|watch|listen|"
                         r"for (?:more|further) information)|\bhere\W*$", re.I)
_ANAPHOR = re.compile(r"^(?:it|its|this|these|they|their|such|as such|hence|key to this|that)\b", re.I)

_CUES = (
    ("age", re.compile(r"\bhow old\b|\b(?:what|which) age\b|\bage (?:limit|range)\b", re.I)),
    ("quantity", re.compile(r"\bhow (?:much|many|long|often)\b|\b(?:what|which) (?:percentage|proportion|amount)\b|\b(?:what|which) (?:is|are|was|were) the [\w\s'-]*?"
                            r"\b(?:rates?|costs?|prices?|fees?|limits?|thresholds?|amounts?|percentages?|numbers?)\b",
                            re.I)),
    ("date", re.compile(r"^when (?:was|were|did)\b|\b(?:what|which) (?:year|date|month)\b|\bhow long ago\b", re.I)),
    ("time", re.compile(r"\brecent(?:ly)?\b|\blately\b|\bthese days\b|\bover time\b|\bnowadays\b", re.I)),
    ("author", re.compile(r"\b(?:who wrote|written by|who is the author|author of)\b", re.I)),
    ("who", re.compile(r"^who\b|\bwhose\b|\b(?:job|role|position|post)\b|\bwhere does [\w\s]+ work\b"
                       r"|\bwhich (?:organisations?|councils?|bodies|body|charit\w*|people)\b", re.I)),
    ("definition", re.compile(r"^(?:what|who) (?:is|are) (?:a |an |the )?[\w\s'-]{1,40}\??$|\bdefin\w*\b|"
                              r"\bmeaning of\b|\bwhat does [\w\s'-]+ mean\b", re.I)),
)


@dataclass
class _Sentence:
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


def rewrite_query(question: str, history: list[Turn]) -> str:
    """Fold the conversation into a follow-up question so retrieval knows what 'it' refers to."""
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous:
        return question
    content = [t for t in tokens(question) if t not in _QUESTION_WORDS]
    if len(content) >= 4 and not _FOLLOW_UP.search(question):
        return question
    return f"{question} {previous[-1]}"


def question_cue(question: str) -> str:
    """What kind of answer the question wants: quantity, date, time, author, who, definition, or ''."""
    q = question.strip()
    return next((name for name, pattern in _CUES if pattern.search(q)), "")


@functools.lru_cache(maxsize=50_000)
def fits_cue(cue: str, text: str, author: str = "") -> bool:
    """Whether a sentence has what the question type asks for."""
    if cue == "quantity":
        return bool(_HAS_NUMBER.search(text))
    if cue == "age":  # an age, not a year or a paragraph number
        return bool(_HAS_AGE.search(text))
    if cue in ("date", "time"):
        return bool(_HAS_DATE.search(text))
    if cue == "author":
        return bool(_AUTHORSHIP.search(text) or (author and author in text))
    if cue == "who":
        return bool(_ROLE.search(text) or _NAME.search(text))
    if cue == "definition":
        return bool(_DEFINITION.search(text))
    return True


_DEFINED = re.compile(r"^(?:what|who) (?:is|are) (?:a |an |the )?([\w\s'’-]{1,60}?)\s*\??$"
                      r"|^define\s+([\w\s'’-]+?)\s*\??$|\bmeaning of (?:a |an |the )?([\w\s'’-]+?)\s*\??$", re.I)


def defined_term(question: str) -> list[str]:
    """The tokens of the term a 'What is X?' question asks to define, when X is a phrase of 2–5 words."""
    m = _DEFINED.search(question.strip())
    found = tokens(next((g for g in m.groups() if g), "")) if m else []
    return found if 2 <= len(found) <= 5 else []


_HOW_TO = re.compile(r"^how (?:do|can|should|could|would|might|will) (?:i|we|you|practitioners?|staff|workers?|"
                     r"councils?|teams?) \w+ (.+?)\s*\??$", re.I)
_OBJECT_END = re.compile(r"\b(?:for|to|with|in|on|at|when|if|who|that|which|so|because|without|from|by|about|under|"
                         r"into|before|after|while|and|or|across|between|through|within|over|around|during)\b", re.I)
_GENERIC = frozenset(tokens("someone somebody anyone everyone people person individual one", keep_stopwords=True))


def how_to_object(question: str) -> set[str]:
    """The tokens of what a 'How do I <verb> X…?' question acts on ('respite care' in 'How do I arrange respite
    care for a parent?'); guidance that never mentions X together cannot say how to do it."""
    m = _HOW_TO.match(question.strip())
    if not m:
        return set()
    words_ = re.findall(r"[\w'’-]+", _OBJECT_END.split(m.group(1), 1)[0])
    return {t for w in words_ if not w.lower().endswith("ly") for t in tokens(w) if t not in _GENERIC}


# Advice about a particular situation: "How should I support someone who is hoarding?", "What should I do if
# the person refuses personal care?". The situation is what the guidance must speak to.
_SITUATION = re.compile(
    r"^(?:how (?:do|can|should|could|would|might) (?:i|we|you) (?:best )?(?:support|help|work with|approach|talk to|"
    r"engage(?: with)?|respond to) (?:someone|somebody|a person|people|a \w+|an \w+|the \w+)\s*(?:who|whose|with|that)"
    r"|^what (?:should|can|must|do) (?:i|we|you) do (?:if|when|where))\s+(.+?)\s*\??$", re.I)
NEAR_SYNONYM = 0.6  # a word the library lacks still counts as covered when a library word is this close in meaning


def situation_words(question: str) -> list[str]:
    """The words describing the situation an advice question is about ('hoarding'), else []."""
    m = _SITUATION.match(question.strip())
    return [w.lower() for w in re.findall(r"[A-Za-z][\w'’-]*", m.group(1))] if m else []


def unfamiliar_situation(retriever: Retriever, question: str) -> list[str]:
    """Words of the question's situation that the library never uses, nor any word close to them in meaning:
    guidance that never mentions hoarding cannot say how to support someone who is hoarding."""
    # Short words are mostly everyday verbs ("stay", "live", "feel") that guidance need not use to cover the case.
    words_ = [w for w in situation_words(question) if len(w) > 4 and tokens(w) and not set(tokens(w)) & _GENERIC]
    idf = retriever.index.bm25.idf
    unknown = [w for w in words_ if any(t not in idf for t in tokens(w))]
    if not unknown:
        return []
    terms = retriever.term_vectors(retriever.index)
    if terms is None:
        return unknown
    close = terms.closest(retriever.embed_cached(unknown))
    return [w for w, sim in zip(unknown, close) if sim < NEAR_SYNONYM]


def _has_run(text: str, run: list[str]) -> bool:
    """Whether the tokens of text hold run as consecutive tokens ('community-led support' as a phrase)."""
    seq = tokens(text)
    return any(seq[i:i + len(run)] == run for i in range(len(seq) - len(run) + 1))


@functools.lru_cache(maxsize=20_000)
def is_navigation(text: str) -> bool:
    """A pointer, heading or list lead-in rather than a statement: 'See also…', 'Why a strengths-based approach?'."""
    t = text.strip()
    return bool(_NAVIGATION.search(t)) or t.rstrip("'’\"”").endswith(("?", ":"))


_ASKING = re.compile(r"^(?:what|which|who|whom|whose|when|where|why|how|is|are|does|do|did|can|could|should|would|"
                     r"will|tell|explain|describe|define|and|but)\b", re.I)


def keyword_style(retriever: Retriever, question: str) -> bool:
    """A search-box query ('munro 2011', 'NICE quick guide asset-based outcomes') rather than a question."""
    q = question.strip()
    return "?" not in q and not _ASKING.match(q) and len(question_terms(retriever, q)) <= 8


# ---------------------------------------------------------------- acronyms the guidance defines

_ACRONYM_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ACRONYM_DEF = re.compile(r"\(([A-Z]{2,6})s?\)")
_LINKING = frozenset("for of and the to in".split())


def acronyms(retriever: Retriever) -> dict[str, str]:
    """{'scie': 'Social Care Institute for Excellence', …} from 'Long Name (ACRONYM)' in the indexed documents."""
    return _acronym_table(retriever)[0]


def _acronym_table(retriever: Retriever) -> tuple[dict[str, str], list[tuple[str, frozenset[str]]]]:
    """The acronyms of the live index and their long forms' tokens, worked out once per index generation."""
    idx = retriever.index
    if idx not in _ACRONYM_CACHE:
        found: dict[str, str] = {}
        for doc in idx.documents.values():
            for m in _ACRONYM_DEF.finditer(doc.text):
                expansion = _expansion(doc.text[max(0, m.start() - 120):m.start()], m.group(1))
                if expansion:
                    found.setdefault(m.group(1).lower(), expansion)
        _ACRONYM_CACHE[idx] = (found, [(short, frozenset(tokens(long))) for short, long in found.items()])
    return _ACRONYM_CACHE[idx]


def _expansion(before: str, acronym: str) -> str:
    """The words just before '(ACRONYM)' whose initials spell it, or ''."""
    words = re.findall(r"[A-Za-z’']+(?:-[A-Za-z]+)*", before)
    for n in range(len(acronym), min(len(words), len(acronym) + 4) + 1):
        cand = words[-n:]
        initials = "".join(p[0] for w in cand if w.lower() not in _LINKING for p in w.split("-"))
        if initials.lower() == acronym.lower():
            return " ".join(cand)
    return ""


def expand_acronyms(retriever: Retriever, query: str) -> str:
    """The query plus the long form of each acronym in it that the guidance defines."""
    known = acronyms(retriever)
    extra = [known[w.lower()] for w in dict.fromkeys(re.findall(r"\b[A-Z]{2,6}s?\b", query))
             if w.lower() in known and known[w.lower()].lower() not in query.lower()]
    return f"{query} ({'; '.join(extra)})" if extra else query


def _with_acronyms(retriever: Retriever, have: set[str] | frozenset[str]) -> set[str]:
    """Tokens plus each defined acronym whose long form is there, and the long form of each acronym there."""
    out = set(have)
    for short, long_toks in _acronym_table(retriever)[1]:
        if short in have:
            out |= long_toks
        elif long_toks and long_toks <= have:
            out.add(short)
    return out


@functools.lru_cache(maxsize=20_000)
def _toks(text: str) -> frozenset[str]:
    """Content tokens of a sentence or passage (remembered: warm answers re-read the same sentences)."""
    return frozenset(tokens(text))


class _Pinned:
    """The retriever with its index looked up once per answer (the live index is checked on every access)."""

    def __init__(self, retriever: Retriever):
        self._retriever = retriever
        self.index = retriever.index
        self.embedder = retriever.embedder
        self.settings = retriever.settings

    def embed_cached(self, texts: list[str]):
        return self._retriever.embed_cached(texts)

    def term_vectors(self, idx):
        return self._retriever.term_vectors(idx)

    def query_vector(self, query: str):
        return self._retriever.query_vector(query)

    def search(self, *args, **kwargs):
        return self._retriever.search(*args, **kwargs)

    def keyword_hits(self, *args, **kwargs):
        return self._retriever.keyword_hits(*args, **kwargs)


# ---------------------------------------------------------------- answering


def answer_question(retriever: Retriever, question: str, history: list[Turn], settings: Settings,
                    chat_model=None) -> Answer:
    """Answer from the guidance: extractive by default, through the LLM when one is configured or given."""
    if settings.llm_provider or chat_model is not None:
        from .llm import llm_answer

        query = rewrite_query(question, history)
        passages = retriever.search(expand_acronyms(retriever, query), k=max(DEPTH, settings.search_k))
        return llm_answer(retriever, question, query, passages, settings, model=chat_model)
    retriever = _Pinned(retriever) if isinstance(retriever, Retriever) else retriever
    a = assess(retriever, question, history, settings)
    if a.confidence < settings.abstain_threshold:
        vague = not question_terms(retriever, a.query)
        return Answer(question=question, answer=ABSTAIN_TEXT, abstained=True, searched_query=a.query,
                      closest=a.passages[:3], notices=[VAGUE_NOTICE] if vague else [])
    chosen = choose(a.candidates, settings.answer_max_sentences, keyword_style(retriever, question))
    return compose(question, a.query, chosen)


@dataclass
class Assessment:
    """What the extractive answerer found for a question, before deciding to answer or abstain."""

    query: str  # the question as searched (follow-ups folded with the conversation)
    passages: list[Passage]
    candidates: list[_Sentence]
    confidence: float  # compared with settings.abstain_threshold


def assess(retriever: Retriever, question: str, history: list[Turn], settings: Settings) -> Assessment:
    """Retrieve, score the candidate sentences and work out the confidence that the guidance answers it."""
    retriever = _Pinned(retriever) if isinstance(retriever, Retriever) else retriever
    query = rewrite_query(question, history)
    search_query = expand_acronyms(retriever, query)
    qvec = retriever.query_vector(search_query)
    passages = retriever.search(search_query, k=max(DEPTH, settings.search_k), qvec=qvec)
    cands = candidate_sentences(retriever, question, query, qvec,
                                with_keyword_hits(retriever, search_query, qvec, passages))
    conf = confidence(retriever, question, query, passages, settings, cands) if passages else 0.0
    return Assessment(query, passages, cands, conf)


def with_keyword_hits(retriever: Retriever, query: str, qvec, passages: list[Passage]) -> list[Passage]:
    """The top fused passages, then the best keyword passages that fusion ranked lower (answer candidates)."""
    top = passages[:DEPTH]
    have = {p.chunk_id for p in top}
    extra = [p for p in retriever.keyword_hits(query, KEYWORD_HITS, qvec) if p.chunk_id not in have]
    return top + [p.model_copy(update={"rank": len(top) + i + 1}) for i, p in enumerate(extra)]


def question_terms(retriever: Retriever, query: str) -> dict[str, float]:
    """The query's content terms with their BM25 idf (unknown terms get the highest idf)."""
    idf = retriever.index.bm25.idf
    top = max(idf.values(), default=1.0)
    return {t: idf.get(t, top) for t in dict.fromkeys(tokens(query)) if t not in _QUESTION_WORDS}


def key_terms(question: str) -> set[str]:
    """Names, acronyms and numbers in the question: an answer passage must mention every one."""
    found = set()
    for m in _ENTITY.finditer(question.strip()):
        word = m.group(0)
        if word.lower() in _QUESTION_WORDS or word in ("I", "OK") or re.fullmatch(r"[A-Z]{2,}s", word):
            continue  # a plural acronym names a kind of person or thing ("OTs", "GPs"), not one named source
        found.update(tokens(word))
    # "one" is far more often a determiner or pronoun ("one London council", "no one") than a count
    found.update(stem(w) for w in re.findall(r"[a-z]+", question.lower()) if w in _NUMBER_WORDS and w != "one")
    return found


def _meta(retriever: Retriever, p: Passage) -> str:
    doc = retriever.index.documents.get(p.doc_id)
    return f"{p.title} {p.section} {doc.author if doc else ''} {' '.join(doc.aliases) if doc else ''}"


def passage_support(retriever: Retriever, query: str, p: Passage, text: str | None = None) -> tuple[float, set[str]]:
    """(idf-weighted share of the query's content terms in the passage, the tokens it has)."""
    have = _with_acronyms(retriever, _toks(p.text if text is None else text) | _toks(_meta(retriever, p)))
    terms = question_terms(retriever, query)
    total = sum(terms.values())
    return (sum(w for t, w in terms.items() if t in have) / total if total else 1.0), have


def confidence(retriever: Retriever, question: str, query: str, passages: list[Passage],
               settings: Settings, cands: list[_Sentence] | None = None) -> float:
    """How sure the guidance answers the question: 0 when a name, number or answer type it asks for is missing."""
    if not question_terms(retriever, query):
        return 0.0  # "What is it?" with nothing before it: there is nothing to look for
    keys = key_terms(question)
    cue = question_cue(question)
    term = defined_term(question) if cue == "definition" else []
    target = how_to_object(question)
    keyword = keyword_style(retriever, question)
    if keyword and any(t not in retriever.index.bm25.idf for t in question_terms(retriever, question)):
        return 0.0  # a search-box word the library has never seen: that topic is not covered
    if unfamiliar_situation(retriever, question):
        return 0.0  # advice about a situation the library never mentions
    if cands is None:
        cands = candidate_sentences(retriever, question, query, None, passages)
    best = 0.0
    for p in passages[:5]:
        usable = [c for c in cands if c.passage.chunk_id == p.chunk_id and (keyword or not c.navigation)]
        if not usable:
            continue
        cov, have = passage_support(retriever, query, p, " ".join(c.text for c in usable))
        # A number or date only answers "how many" / "when" if the sentence holding it is about the question.
        typed = any(c.fits and c.overlap >= TYPED_OVERLAP for c in usable)
        if not keys <= have or (cue in ("quantity", "age", "date") and not typed):
            continue
        if term and not any(_has_run(c.text, term) for c in usable):
            continue  # "What is community-led support?": the phrase itself must be there, not its words apart
        if target and not any(target <= _with_acronyms(retriever, _toks(c.text)) for c in usable):
            continue  # "How do I arrange respite care…?": one sentence must be about respite care
        if keyword:
            best = max(best, 1.0 if cov >= 0.99 else p.dense)
        else:
            best = max(best, p.dense + settings.abstain_coverage_weight * cov)
    return best


def candidate_sentences(retriever: Retriever, question: str, query: str, qvec, passages: list[Passage],
                        depth: int | None = None) -> list[_Sentence]:
    """Every sentence of the top passages, scored as an answer to the question (best first)."""
    terms = _weighted_terms(retriever, question, query)
    total = sum(terms.values()) or 1.0
    cue = question_cue(question)
    idf = retriever.index.bm25.idf
    spans = _spans(retriever, passages[:depth or DEPTH + KEYWORD_HITS])
    if not spans:
        return []
    sims = _similarities(retriever, question, query, qvec, [sp[4] for sp in spans])
    w_overlap, w_sim, w_passage, w_rank, w_cue = WEIGHTS
    cue_bonus = 0.0 if not cue else 2 * w_cue if cue in _STRONG_CUES else w_cue
    cands = []
    for (rank, p, s, e, text, context, author), sim in zip(spans, sims):
        toks = _with_acronyms(retriever, _toks(text))
        got = sum(w for t, w in terms.items() if t in toks)
        if context:  # "It also requires…" or a list item: the sentence before says what it is about
            ctx = _toks(context)
            got += 0.5 * sum(w for t, w in terms.items() if t in ctx and t not in toks)
        overlap = min(1.0, got / total)
        fits = fits_cue(cue, text, author)
        score = (w_overlap * overlap + w_sim * float(sim) + w_passage * max(p.dense, 0.0) + w_rank / (rank + 1)
                 - (0.1 if len(text) < 30 else 0.0) + (cue_bonus if fits else 0.0))
        # Redundancy is judged on distinctive words only: every passage shares "strengths-based".
        cands.append(_Sentence(p, s, e, text, score, {t for t in toks if idf.get(t, 9.0) >= 1.0}, rank,
                               is_navigation(text), fits, overlap))
    cands.sort(key=lambda c: -c.score)
    return cands


def _spans(retriever: Retriever, passages: list[Passage]) -> list[tuple]:
    """(rank, passage, start, end, text, context, author) for each sentence of the passages."""
    out = []
    for rank, p in enumerate(passages):
        doc = retriever.index.documents[p.doc_id]
        out.extend((rank, p, *sent, doc.author) for sent in _sentences(doc.text, p.start, p.end))
    return out


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


def _weighted_terms(retriever: Retriever, question: str, query: str) -> dict[str, float]:
    """Content terms with idf weights; in a follow-up, the earlier turn's words count less."""
    terms = question_terms(retriever, query)
    if query != question:
        own = set(question_terms(retriever, question))
        terms = {t: (w if t in own else HISTORY_WEIGHT * w) for t, w in terms.items()}
    return terms


def _similarities(retriever: Retriever, question: str, query: str, qvec, texts: list[str]):
    vecs = retriever.embed_cached(texts)
    if qvec is None:
        qvec = retriever.query_vector(query)
    sims = vecs @ qvec
    if query != question:  # a follow-up: half the question alone, half the question with its context
        sims = 0.5 * sims + 0.5 * (vecs @ retriever.embedder.encode_query(question))
    return sims


def choose(cands: list[_Sentence], limit: int, keyword: bool = False) -> list[_Sentence]:
    """A direct lead, then non-redundant supporting points; pointers and headings only for searches."""
    usable = cands if keyword else [c for c in cands if not c.navigation] or cands
    chosen: list[_Sentence] = []
    for c in usable:
        if len(chosen) >= limit or (chosen and c.score < 0.7 * chosen[0].score):
            break
        if any(_similar(c, o) for o in chosen):
            continue
        chosen.append(c)
        follow = _continuation(c, usable) if len(c.text) < SHORT_SENTENCE and len(chosen) < limit else None
        if follow is not None and not any(_similar(follow, o) for o in chosen):
            chosen.append(follow)
    return chosen


def _continuation(c: _Sentence, cands: list[_Sentence]) -> _Sentence | None:
    """The next sentence of a short one's passage when it carries on the same topic (shares a distinctive word):
    "…follows previous studies into asset-based areas." → "The asset-based area, published in 2017, …"."""
    after = [o for o in cands if o.passage.chunk_id == c.passage.chunk_id and o.start >= c.end]
    nxt = min(after, key=lambda o: o.start, default=None)
    return nxt if nxt is not None and c.toks & nxt.toks else None


def _similar(a: _Sentence, b: _Sentence) -> bool:
    if a.passage.doc_id == b.passage.doc_id and a.start < b.end and b.start < a.end:
        return True
    inter = len(a.toks & b.toks)
    return inter / max(1, min(len(a.toks), len(b.toks))) > 0.7


def compose(question: str, query: str, chosen: list[_Sentence]) -> Answer:
    """Join the chosen sentences, each followed by its marker, with one citation per quote."""
    parts, cites = [], []
    for n, s in enumerate(chosen, 1):
        marker = f"[{n}]"
        text = s.text.rstrip()
        parts.append(f"{text} {marker}")
        p = s.passage
        cites.append(Citation(marker=marker, chunk_id=p.chunk_id, doc_id=p.doc_id, title=p.title,
                              publisher=p.publisher, url=p.url, quote=text, start=s.start, end=s.start + len(text),
                              section=p.section, locator=p.locator))
    return Answer(question=question, answer=" ".join(parts), abstained=False, citations=cites,
                  searched_query=query)


def split_answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, each keeping its trailing citation markers."""
    out = []
    for s, e in sentence_spans(text):
        piece = text[s:e]
        m = re.match(r"^(\s*(?:\[\d+\]\s*)+)", piece)
        if m and out:  # markers that sentence splitting pushed to the next sentence
            out[-1] += " " + m.group(1).strip()
            piece = piece[m.end():]
        if piece.strip():
            out.append(piece.strip())
    return out
