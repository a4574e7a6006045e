"""Reading a query before it is searched: follow-ups folded with the conversation (search.followup), the
question's own content terms, search-box queries told from questions, and acronyms the guidance defines
("SCIE" also searches "Social Care Institute for Excellence")."""

from __future__ import annotations

import functools
import re
import weakref

from assistant.search.followup import read_followup
from assistant.search.rarity import QUESTION_WORDS
from assistant.search.retrieve import Retriever
from assistant.textutil import tokens
from assistant.types import Turn


def rewrite_query(question: str, history: list[Turn]) -> str:
    """The question as searched: folded with the conversation only when it continues it (search.followup)."""
    return read_followup(question, history).query


_ASKING = re.compile(r"^(?:what|whats|wots?|which|who|whom|whose|whos|when|where|why|hows|how|is|are|does|do|did|can|could|should|would|"
                     r"will|tell|explain|describe|define|and|but|give me|show me|list|summari[sz]e|outline|"
                     r"anything|any|is there|are there)\b"
                     # a sentence with its own subject and verb ("… i should be mapping for someone") asks too
                     r"|.*\b(?:i|we|you)\s+(?:should|must|need|have to|can|could|would|am|are|do|want)\b"
                     # so does a question after a case note's statement ("the blog said… - does it say that's changing")
                     r"|.*\b(?:does|do|did|is|are|can|could|should|will)\s+(?:it|they|this|that|he|she|the\s+\w+)\s+"
                     r"(?:say|mention|cover|talk|suggest|recommend|mean|apply|work|help|need|have|include|still)\b", re.I)


def keyword_style(retriever: Retriever, question: str) -> bool:
    """A search-box query ('munro 2011', 'NICE quick guide asset-based outcomes') rather than a question or a request
    ('give me a list of…', '… the assets i should be mapping')."""
    q = question.strip()
    return "?" not in q and not _ASKING.match(q) and len(question_terms(retriever, q)) <= 8


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


def with_acronyms(retriever: Retriever, have: set[str] | frozenset[str]) -> set[str]:
    """Tokens plus each defined acronym whose long form is there, and the long form of each acronym there."""
    out = set(have)
    for short, long_toks in _acronym_table(retriever)[1]:
        if short in have:
            out |= long_toks
        elif long_toks and long_toks <= have:
            out.add(short)
    return out


@functools.lru_cache(maxsize=20_000)
def term_set(text: str) -> frozenset[str]:
    """Content tokens of a sentence or passage (remembered: warm answers re-read the same sentences)."""
    return frozenset(tokens(text))


def question_terms(retriever: Retriever, query: str) -> dict[str, float]:
    """The query's content terms with their BM25 idf (unknown terms get the highest idf)."""
    idf = retriever.index.bm25.idf
    top = max(idf.values(), default=1.0)
    return {t: idf.get(t, top) for t in dict.fromkeys(tokens(query)) if t not in QUESTION_WORDS}
