"""A query as the search understands it: greetings and thanks taken off, spelling corrected, abbreviations read
as their long forms, and in a long question the sentence that asks leading the case context around it.

search.query folds follow-ups with the conversation first; this module takes the result from there. Both
`assistant search` and `ask` use it, so the passages a search shows are the ones an answer is drawn from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answer.cues import TYPED_CUES, fits_cue, question_cue
from assistant.search.abbreviations import expand_abbreviations, spell_out
from assistant.search.chatter import strip_chatter
from assistant.search.query import QUESTION_WORDS, expand_acronyms
from assistant.search.retrieve import Retriever
from assistant.search.spelling import correct_spelling
from assistant.search.rarity import everyday
from assistant.textutil import STOPWORDS, sentence_spans, tokens
from assistant.types import Passage

FOCUS_WEIGHT = 0.7  # share of the query vector taken from the sentence that asks, in a question with context
ANSWER_TYPE_BONUS = 0.5  # fused-score lift of a passage holding what a how-long / when / how-many question asks for
ANSWER_TYPE_POOL = 10  # among this many best passages
CONTEXT_WEIGHT = 0.5  # weight of a context word beside an asking-sentence word in the keyword score
LONG_QUESTION = 12  # content words: below this a question is read whole
_TYPED_END = re.compile(r"(?<=[.?!])\s+(?=\S)")
_ASKS = re.compile(r"^(?:what|which|who|whom|whose|when|where|why|how|is|are|does|do|did|can|could|should|would|"
                   r"will|may|must|tell|explain|describe|define|any|anything|where)\b", re.I)


# A lead-in, then a dash or a colon, then the question: "quick one before my supervision - is it meant to…?"
# …unless the question refers back to it: "co-production with SBAs - how does the page describe it?", "ICS colleagues -
# is the paper meant for us?"
_REFERS_BACK = re.compile(r"\b(?:it|its|this|that|these|those|they|them|their|each|both|either|we|us|our|me|my)\b", re.I)
_LEAD_IN = re.compile(r"^(.{3,}?)(?:\s+[-–—]+\s+|:\s+)(\S.*)$", re.S)


@dataclass(frozen=True)
class Understood:
    """One query, read for searching."""

    query: str  # as given (follow-ups already folded)
    corrected: str  # chatter taken off, misspelt words replaced by the library's words: what "Searched for" shows
    focus: str  # the sentence that asks (corrected); the whole query when it is one question
    context: str  # the rest of a long question (corrected); '' when there is none
    search_text: str  # corrected, with the long forms of its abbreviations and acronyms beside them
    meaning: str  # corrected with abbreviations spelt out: what deciding whether the guidance answers reads
    meaning_focus: str  # the same for the sentence that asks


def telling_words(sentence: str) -> list[str]:
    """The words of a sentence that say what it is about: not function words, not the words that only say it is
    a question ("guidance", "say", "explain"), not everyday English ("thing", "help", "future")."""
    return [w for w in re.findall(r"[A-Za-z]+", sentence) if w.lower() not in STOPWORDS
            and not set(tokens(w)) <= QUESTION_WORDS and not everyday(w)]


def vague_ask(sentence: str) -> bool:
    """An asking sentence that needs the case notes before it to say what it asks about: "what does the guidance
    say?", "what do I need to check first?", or one telling word alone ("is that a common thing?", "what does the
    toolkit let us do?": the notes say which toolkit)."""
    return len(telling_words(sentence)) <= 1


def asking_sentence(text: str) -> tuple[str, str]:
    """(the sentence that asks, the rest) for a question of several sentences with case context, or one asked after
    a lead-in ("quick one before my supervision - is it…?", "for my team meeting: what does…?"); else (text, '')."""
    lead = _LEAD_IN.match(text.strip())
    if lead and "?" not in lead.group(1) and not _ASKS.match(lead.group(1)) and _ASKS.match(lead.group(2)) \
            and not vague_ask(lead.group(2)) and not _REFERS_BACK.search(lead.group(2)):
        return lead.group(2), lead.group(1)
    if len(tokens(text)) < LONG_QUESTION:
        return text, ""
    sentences = [text[s:e].strip() for s, e in sentence_spans(text)]
    typed = [t for t in _TYPED_END.split(text.strip()) if t]  # "…nearby. what year was it": typed in lower case
    sentences = typed if len(typed) > len(sentences) else sentences
    if len(sentences) < 2:
        return text, ""
    asks = [i for i, t in enumerate(sentences) if t.endswith("?")] or \
        [i for i, t in enumerate(sentences) if _ASKS.match(t)]
    # Case notes first, then what to look up in a search box ("…lives alone. NICE guide strengths"): the last
    # sentence is the one that asks.
    i = asks[-1] if asks else len(sentences) - 1
    if vague_ask(sentences[i]):
        return text, ""  # "what do I need to check first?": a vague ask; the case notes say what it is about
    return sentences[i], " ".join(sentences[:i] + sentences[i + 1:])


def understand(retriever: Retriever, query: str) -> Understood:
    corrected = correct_spelling(retriever, strip_chatter(query))
    focus, context = asking_sentence(corrected)
    search_text = expand_abbreviations(retriever, expand_acronyms(retriever, corrected))
    return Understood(query, corrected, focus, context, search_text, spell_out(retriever, corrected),
                      spell_out(retriever, focus))


def query_vector(retriever: Retriever, u: Understood) -> np.ndarray:
    """The query's vector; in a long question mostly the asking sentence's, the context's words counting less."""
    qvec = retriever.query_vector(u.search_text)
    if not u.context:
        return qvec
    focus = retriever.query_vector(expand_abbreviations(retriever, expand_acronyms(retriever, u.focus)))
    v = FOCUS_WEIGHT * focus + (1 - FOCUS_WEIGHT) * qvec
    return (v / (np.linalg.norm(v) or 1.0)).astype(np.float32)


def keyword_weights(retriever: Retriever, u: Understood) -> dict[str, float] | None:
    """Keyword weights with a long question's context words at CONTEXT_WEIGHT; None for a plain question."""
    if not u.context:
        return None
    idx = retriever.index
    out = {t: CONTEXT_WEIGHT * w for t, w in retriever.keyword_terms(
        expand_abbreviations(retriever, u.context), idx).items()}
    for t, w in retriever.keyword_terms(expand_abbreviations(retriever, expand_acronyms(retriever, u.focus)),
                                        idx).items():
        out[t] = max(out.get(t, 0.0), w)
    return out


def search_understood(retriever: Retriever, u: Understood, k: int, qvec: np.ndarray | None = None) -> list[Passage]:
    """The best k passages; for a question that wants a length of time, a date, an age or a number, those among the
    best ANSWER_TYPE_POOL that hold one move up by ANSWER_TYPE_BONUS (fused scores are z-sums, ~1 apart at the top):
    "how long has interest been growing" is answered by "over the last five years", not by a passage on interest."""
    cue = question_cue(u.focus)
    typed = cue in TYPED_CUES and ANSWER_TYPE_BONUS > 0
    hits = retriever.search(u.search_text, k=max(k, ANSWER_TYPE_POOL) if typed else k,
                            qvec=query_vector(retriever, u) if qvec is None else qvec,
                            terms=keyword_weights(retriever, u))
    if not typed:
        return hits
    score = {p.chunk_id: p.score + (ANSWER_TYPE_BONUS if fits_cue(cue, p.text) else 0.0) for p in hits}
    ranked = sorted(hits, key=lambda p: -score[p.chunk_id])[:k]
    return [p.model_copy(update={"rank": i + 1, "score": round(score[p.chunk_id], 6)}) for i, p in enumerate(ranked)]


def search(retriever: Retriever, query: str, k: int | None = None) -> list[Passage]:
    """`assistant search`: the query understood, then hybrid search."""
    return search_understood(retriever, understand(retriever, query), k or retriever.settings.search_k)
