"""Grounded answers. The default is extractive: verbatim sentences from the guidance, each cited.

With an LLM configured (see llm.py) the model writes the answer from the same
numbered passages, and every sentence it writes is verified before it is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .retrieve import Retriever
from .settings import Settings
from .textutil import sentence_spans, stem, tokens
from .types import Answer, Citation, Passage, Turn

ABSTAIN_TEXT = ("The guidance in the library does not cover this question, so there is no grounded answer to give. "
                "The closest passages found are listed below; they may help you decide where to look next.")
# Words that say what kind of question it is, not what it is about.
_QUESTION_WORDS = frozenset(tokens("what which who whom whose when where why how does do did is are can could "
                                   "should would tell explain describe mean meaning guidance say says according "
                                   "about please give list example examples", keep_stopwords=True))
_FOLLOW_UP = re.compile(r"^(and|but|also|so|what about|how about|and for|for|then|why|who wrote|when was)\b"
                        r"|\b(it|its|they|them|their|this|that|these|those|he|she|him|her|there)\b", re.I)


@dataclass
class _Sentence:
    passage: Passage
    start: int  # offsets into the document's cleaned text
    end: int
    text: str
    score: float
    toks: set[str]


def rewrite_query(question: str, history: list[Turn]) -> str:
    """Fold the conversation into a follow-up question so retrieval knows what 'it' refers to."""
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous:
        return question
    content = [t for t in tokens(question) if t not in _QUESTION_WORDS]
    if len(content) >= 4 and not _FOLLOW_UP.search(question):
        return question
    return f"{question} {previous[-1]}"


def answer_question(retriever: Retriever, question: str, history: list[Turn], settings: Settings,
                    chat_model=None) -> Answer:
    """Answer from the guidance: extractive by default, through the LLM when one is configured or given."""
    query = rewrite_query(question, history)
    qvec = retriever.embedder.encode_query(query)
    passages = retriever.search(query, k=max(8, settings.search_k), qvec=qvec)
    if settings.llm_provider or chat_model is not None:
        from .llm import llm_answer

        return llm_answer(retriever, question, query, passages, settings, model=chat_model)
    if _should_abstain(retriever, question, query, passages, settings):
        return Answer(question=question, answer=ABSTAIN_TEXT, abstained=True, searched_query=query,
                      closest=passages[:3])
    chosen = select_sentences(retriever, query, qvec, passages, settings.answer_max_sentences)
    return compose(question, query, chosen)


def question_terms(retriever: Retriever, query: str) -> dict[str, float]:
    """The query's content terms with their BM25 idf (unknown terms get the highest idf)."""
    idf = retriever.index.bm25.idf
    top = max(idf.values(), default=1.0)
    return {t: idf.get(t, top) for t in dict.fromkeys(tokens(query)) if t not in _QUESTION_WORDS}


_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty hundred".split())
_ENTITY = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][A-Za-z]+|[A-Z]{2,}s?)\b|\b(\d+(?:\.\d+)*)\b")


def key_terms(question: str) -> set[str]:
    """Names, acronyms and numbers in the question: an answer passage must mention every one."""
    found = set()
    for m in _ENTITY.finditer(question.strip()):
        word = m.group(0)
        if word.lower() in _QUESTION_WORDS or word in ("I", "OK"):
            continue
        found.update(tokens(word))
    found.update(stem(w) for w in re.findall(r"[a-z]+", question.lower()) if w in _NUMBER_WORDS)
    return found


def passage_support(retriever: Retriever, query: str, p: Passage) -> tuple[float, set[str]]:
    """(idf-weighted share of the query's content terms in the passage, the tokens it has)."""
    doc = retriever.index.documents.get(p.doc_id)
    meta = f"{p.title} {p.section} {doc.author if doc else ''} {' '.join(doc.aliases) if doc else ''}"
    have = set(tokens(p.text + " " + meta))
    terms = question_terms(retriever, query)
    total = sum(terms.values())
    return (sum(w for t, w in terms.items() if t in have) / total if total else 1.0), have


def confidence(retriever: Retriever, question: str, query: str, passages: list[Passage],
               settings: Settings) -> float:
    """How sure the guidance answers the question: 0 when a name or number it asks about is missing."""
    keys = key_terms(question)
    keyword_style = "?" not in question and len(question_terms(retriever, question)) <= 4
    best = 0.0
    for p in passages[:5]:
        cov, have = passage_support(retriever, query, p)
        if not keys <= have:
            continue
        if keyword_style:
            best = max(best, 1.0 if cov >= 0.99 else p.dense)
        else:
            best = max(best, p.dense + settings.abstain_coverage_weight * cov)
    return best


def _should_abstain(retriever: Retriever, question: str, query: str, passages: list[Passage],
                    settings: Settings) -> bool:
    return not passages or confidence(retriever, question, query, passages, settings) < settings.abstain_threshold


def select_sentences(retriever: Retriever, query: str, qvec, passages: list[Passage],
                     limit: int) -> list[_Sentence]:
    """The sentences that best answer the query: a direct lead, then non-redundant supporting points."""
    terms = question_terms(retriever, query)
    total = sum(terms.values()) or 1.0
    spans = []
    for rank, p in enumerate(passages[:6]):
        doc = retriever.index.documents[p.doc_id]
        spans.extend((rank, p, s, e, doc.text[s:e]) for s, e in sentence_spans(doc.text, p.start, p.end))
    sims = retriever.embed_cached([sp[4] for sp in spans]) @ qvec if spans else []
    cands: list[_Sentence] = []
    idf = retriever.index.bm25.idf
    for (rank, p, s, e, text), sim in zip(spans, sims):
        toks = set(tokens(text))
        overlap = sum(w for t, w in terms.items() if t in toks) / total
        short = 0.1 if len(text) < 30 else 0.0
        score = 0.35 * overlap + 0.45 * float(sim) + 0.2 * max(p.dense, 0.0) + 0.04 / (rank + 1) - short
        # Redundancy is judged on distinctive words only: every passage shares "strengths-based".
        cands.append(_Sentence(p, s, e, text, score, {t for t in toks if idf.get(t, 9.0) >= 1.0}))
    cands.sort(key=lambda c: -c.score)
    chosen: list[_Sentence] = []
    for c in cands:
        if len(chosen) >= limit or (chosen and c.score < 0.7 * chosen[0].score):
            break
        if any(_similar(c, o) for o in chosen):
            continue
        chosen.append(c)
    return chosen


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
