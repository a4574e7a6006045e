"""The extractive answerer: verbatim sentences from the guidance, each cited, and no LLM.

It works in three steps:
1. retrieve passages for the question (search.query folds follow-ups with the conversation and expands
   acronyms the guidance defines), and add the best keyword passages that fusion ranked lower as answer
   candidates;
2. decide whether the guidance answers it at all (answer.abstain);
3. pick sentences (answer.sentences) and join them with their citations (answer.compose).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from assistant.answer.abstain import asked_names, confidence
from assistant.answer.compose import (
    ABSTAIN_TEXT,
    VAGUE_NOTICE,
    Quote,
    compose,
    compose_quotes,
    with_antecedents,
    detail_answer,
    document_detail,
)
from assistant.answer.cues import asks_for_pointer, question_cue
from assistant.answer.lists import best_list, echoed_list
from assistant.answer.sentences import (
    DEPTH,
    DOCUMENT_WORDS,
    KEYWORD_HITS,
    NOT_ANSWERS,
    Sentence,
    candidate_sentences,
    choose,
)
from assistant.search.followup import (
    FollowUp,
    asks_for_more,
    asks_what_person_says,
    previous_documents,
    elliptical,
    inner_pronoun,
    names_document_only,
    names_own_topic,
    opens_elliptically,
    own_terms,
    read_followup,
    wants_person,
)
from assistant.search.query import (
    keyword_style,
    question_terms,
    term_set,
    with_acronyms,
)
from assistant.search.naming import named_document
from assistant.search.rarity import rarity, term_weights
from assistant.search.request import comparison, list_request
from assistant.search.offtopic import everyday
from assistant.search.retrieve import Retriever
from assistant.search.spelling import correct_spelling
from assistant.search.understand import query_vector, search_understood, understand
from assistant.settings import Settings
from assistant.textutil import normalise, tokens
from assistant.types import Answer, Passage, Turn


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

    def sentence_vectors(self, idx):
        return self._retriever.sentence_vectors(idx)

    def keyword_terms(self, query: str, idx):
        return self._retriever.keyword_terms(query, idx)

    def query_vector(self, query: str):
        return self._retriever.query_vector(query)

    def search(self, *args, **kwargs):
        return self._retriever.search(*args, **kwargs)

    def keyword_hits(self, *args, **kwargs):
        return self._retriever.keyword_hits(*args, **kwargs)

    def off_topic_penalty(self, idx, chunk_ids: list[str]):
        return self._retriever.off_topic_penalty(idx, chunk_ids)


def extractive_answer(retriever: Retriever, question: str, history: list[Turn], settings: Settings) -> Answer:
    """Answer with the guidance's own sentences, or abstain with the closest passages."""
    retriever = _Pinned(retriever) if isinstance(retriever, Retriever) else retriever
    docs = retriever.index.documents
    asked, count, wants_list = list_request(question)  # "in 3 bullet points" says how, not what
    # "n for a neighbourhood?", "wot yr": read as the search will read it ("and for…", "what year"), so shorthand
    # is not taken for words of its own or for a name
    asked = correct_spelling(retriever, asked)
    fu = settle(retriever, read_followup(asked, history, docs, similar=word_similarity(retriever)), settings)
    fu = unfolded(fu)
    # "what does the author say about…" asks what is in the document, not who wrote it
    detail = document_detail(fu.question) if fu.refers_to_document and fu.doc_ids and \
        not asks_what_person_says(fu.question) else ""
    doc = retriever.index.documents.get(fu.doc_ids[0]) if detail else None
    if doc is not None and getattr(doc, detail) and not other_year(fu.question, doc):
        # "who published that guidance?": the document's own details (not "when was the 2021 one published?", a
        # report the document tells of)
        return detail_answer(question, fu.query, doc, detail)
    sides = comparison(fu.question) if not fu.continues else None
    if sides and (side_by_side := compare(retriever, question, fu, settings, *sides)) is not None:
        return side_by_side
    a = assess(retriever, question, history, settings, fu)
    if not fu.continues and not fu.named and history and (shared := in_hand_copy(retriever, fu, a, history, settings)):
        fu, a = shared  # a sentence the document in hand also has word for word: quoted from the document in hand
    if fu.continues and asks_for_more(fu.question):  # "what else does it say…": not what the last answer quoted
        a = replace(a, candidates=not_said_before(a.candidates, history))
    if a.confidence < settings.abstain_threshold:
        vague = not question_terms(retriever, a.query)
        return Answer(question=question, answer=ABSTAIN_TEXT, abstained=True, searched_query=a.query,
                      closest=a.passages[:3], notices=[VAGUE_NOTICE] if vague else [])
    if wants_list and (items := best_list(a.candidates, docs, count)):
        return compose_quotes(question, a.query, items)
    # the question's words the library uses, but those that name where to look ("in the kids guidance")
    own = set(question_terms(retriever, fu.own)) - DOCUMENT_WORDS
    if (items := echoed_list(a.candidates, docs, {t for t in own if t in retriever.index.bm25.idf}, count)):
        return compose_quotes(question, a.query, items)
    # "in the CYP guide, who says…": the clause that asks may follow one that says where to look
    people = any(question_cue(part) in ("who", "author") for part in [fu.question, *re.split(r"\s*[,;:–—]\s*|\s+-\s+",
                                                                                           fu.question)[1:]])
    chosen = choose(a.candidates, count or settings.answer_max_sentences, keyword_style(retriever, question),
                    asks_for_pointer(fu.question), people=people, question=fu.question)
    # "what title does he have there?": who the person is, said by the byline under their quote
    chosen = with_byline(chosen, a.candidates) if people or wants_person(fu.question) and \
        not asks_what_person_says(fu.question) else chosen
    return compose(question, a.query, chosen, docs, bullets=wants_list and len(chosen) > 1)


def in_hand_copy(retriever, fu: FollowUp, a: "Assessment", history: list[Turn], settings: Settings
                 ) -> "tuple[FollowUp, Assessment] | None":
    """For a new-topic message, when the document the last answer cited has the lead sentence word for word too
    ("who said let's look first at what people can do", quoted by two documents): the message asked of that
    document, if it leads with the same sentence there. None otherwise."""
    docs = retriever.index.documents
    in_hand = next(iter(previous_documents(history, docs)), "")
    lead = a.candidates[0] if a.candidates else None
    if not in_hand or lead is None or lead.passage.doc_id == in_hand or not _holds_words(docs[in_hand].text, lead.text):
        return None
    mine = replace(fu, named=in_hand)
    there = assess(retriever, fu.question, [], settings, mine)
    if there.candidates and _same_words(there.candidates[0].text, lead.text):
        return mine, there
    return None


@functools.lru_cache(maxsize=256)
def _words(text: str) -> str:
    """A text's tokens, spaced (remembered: a new topic in a conversation asks this of the whole document in hand)."""
    return f" {' '.join(tokens(text, keep_stopwords=True))} "


def _holds_words(text: str, sentence: str) -> bool:
    return _words(sentence) in _words(text)


def _same_words(a: str, b: str) -> bool:
    return _words(a) == _words(b)


def other_year(question: str, doc) -> bool:
    """The message names a year that is not the document's own ("the 2021 one" of a report the document mentions)."""
    years = re.findall(r"\b(?:19|20)\d{2}\b", question)
    return bool(years) and not any(y in (doc.date or "") for y in years)


BYLINE_REACH = 400  # characters between a quote and the byline that says whose it is, at most


def with_byline(chosen: list[Sentence], candidates: list[Sentence]) -> list[Sentence]:
    """For a question asking who ("who says people should be experts…?"), the lead quote followed by the byline
    under it in its passage ("Alex Fox, OBE, Chief Executive, …"), when no byline is chosen already."""
    if not chosen or any(c.kind == "byline" for c in chosen):
        return chosen
    lead = chosen[0]
    under = [c for c in candidates if c.kind == "byline" and c.passage.chunk_id == lead.passage.chunk_id
             and 0 <= c.start - lead.end <= BYLINE_REACH]
    return [lead, min(under, key=lambda c: c.start), *chosen[1:]] if under else chosen


def not_said_before(candidates: list[Sentence], history: list[Turn]) -> list[Sentence]:
    """The candidates but those the previous answer quoted (unchanged when nothing else is left)."""
    said = normalise(next((t.content for t in reversed(history) if t.role == "assistant"), ""))
    rest = [c for c in candidates if not (len(c.text) > 20 and normalise(c.text) in said)]
    return rest or candidates


def compare(retriever, question: str, fu: FollowUp, settings: Settings, topic: str, sides: list[str]
            ) -> Answer | None:
    """A comparison answered side by side: the best sentence about each side, each under its label; a side
    the guidance says nothing on is named in a notice. None when it covers neither side."""
    docs = retriever.index.documents
    whole = assess(retriever, question, [], settings, fu)
    both = [set(tokens(side)) for side in sides]
    top = whole.candidates[0].score if whole.candidates else 0.0
    if any(c.score >= 0.95 * top and all(w <= term_set(c.text) for w in both) for c in whole.candidates[:3]):
        return None  # the guidance compares them itself: answer as usual
    quotes: list[Quote] = []
    missing = []
    for side in sides:
        q = f"{side} {topic}".strip()
        a = assess(retriever, q, [], settings, FollowUp(q, q))
        want = set(tokens(side))
        best = next((c for c in a.candidates[:12] if c.kind not in NOT_ANSWERS and not c.navigation
                     and want <= with_acronyms(retriever, term_set(c.text))), None)
        if best is None:
            missing.append(side)
            continue
        if any(o.passage.doc_id == best.passage.doc_id and o.start == best.start for o in quotes):
            continue  # one sentence speaks to both sides
        for quote in with_antecedents([best], docs)[-2:]:
            quote.label = re.sub(r"[’']s$", "", side)
            quotes.append(quote)
    if not quotes or (missing and whole.confidence < settings.abstain_threshold):
        return None  # nothing on either side, or one side only and the question not covered: as usual
    ans = compose_quotes(question, fu.query, quotes, bullets=True)
    if missing:
        ans.notices.append(f"The guidance does not compare {sides[0]} with {sides[1]}: it has nothing found on "
                           f"{' or '.join(missing)}, so only what it says about the other is shown.")
    elif len({q.passage.doc_id for q in quotes}) > 1:
        ans.notices.append("The guidance does not compare these side by side itself: each point is quoted from "
                           "the source that speaks to it.")
    return ans


STANDS_ALONE = 0.3  # a bare "it / that" message stands alone when searched alone it beats the folded reading by this
FORCED_MARGIN = 0.1  # a message that points at nothing is a continuation when only folded it is answered, by this much
FOLD_ADDS = 0.0  # how much more confident than the message alone its folded reading must be, or it stands alone
FOLD_ELSEWHERE = 0.3  # the same, when alone it leads with another document (0.1 cost back-references on dev sets)
STAYS = 0.6  # a continuation stays in the document in hand when that document has this share of its own words


def word_similarity(retriever):
    """How close in meaning a word is to the nearest of some words, by the bundled model ("kids": "children")."""
    def similar(word: str, words: list[str]) -> float:
        vecs = retriever.embed_cached([word, *words])
        return float((vecs[1:] @ vecs[0]).max())
    return similar


def settle(retriever, fu: FollowUp, settings: Settings) -> FollowUp:
    """What only retrieval can tell about a continuation: whether a message that refers back by a bare pronoun
    stands on its own after all ("what do families bring *that* is key to…": answered confidently from another
    document when searched alone, far better than folded with the conversation), and whether a continuation
    that does not point at the document ("and why?", "so what does it need before…") stays in it (the document
    in hand has the words the message adds; "and for children?" after a blog about adults does not). A bare-pronoun
    message the guidance answers neither alone nor folded ("is it meant to be sunny…?") is searched as typed; one
    that refers back only by naming the document in hand is searched in it by its own words when they are answered."""
    if fu.maybe is not None:
        return _inner_pronoun(retriever, fu, settings)
    if not fu.continues or not fu.doc_ids or fu.named:
        return fu
    prev = fu.doc_ids[0]

    @functools.cache
    def searched_alone() -> tuple[Assessment, str]:  # the message searched as typed, and the document it leads with
        got = assess(retriever, fu.question, [], settings, FollowUp(fu.question, fu.question))
        return got, got.candidates[0].passage.doc_id if got.candidates else ""

    @functools.cache
    def folded() -> float:  # how confidently the message is answered folded with the conversation
        return assess(retriever, fu.question, [], settings, fu).confidence

    if fu.weak:
        alone, lead = searched_alone()
        together = folded()
        if alone.confidence >= settings.abstain_threshold and lead != prev and \
                alone.confidence > together + STANDS_ALONE:
            return FollowUp(fu.question, fu.question)
        if max(alone.confidence, together) < settings.abstain_threshold:
            # answered neither way ("is it meant to be sunny in Brighton?"): the message is searched as typed, and
            # its closest passages are its own
            return FollowUp(fu.question, fu.question)
    if fu.short and names_own_topic(fu.question, retriever.index.documents, rarity):
        return FollowUp(fu.question, fu.question)  # "who is carmen colomina?": a name of its own, a topic of its own
    if fu.short:
        # A continuation only for being short ("what's SCIE been doing with Bexley?"): a new topic when searched
        # alone it leads with another document that has more of its words, and answers it confidently or the
        # document in hand has none of them. ("does the adult need to agree?" stays: its document has them.)
        alone, lead = searched_alone()
        mine = _share(retriever, prev, fu.question) or 0.0
        if lead and lead != prev and (_share(retriever, lead, fu.question) or 0.0) > mine and \
                (alone.confidence >= settings.abstain_threshold or not mine):
            return FollowUp(fu.question, fu.question)
    if not fu.refers_to_document and (alone := elsewhere_only(retriever, fu, settings)) is not None:
        return alone  # "what about bexley", "what about the 2021 report": words only another document has
    if set(own_terms(fu.own)) - DOCUMENT_WORDS:
        # Folding must add something: a message with words of its own that the guidance answers alone at least as
        # confidently as folded with the earlier questions ("what about the webinar, when is it?") is a new topic,
        # whatever its opening word ("also", "what about", "does it say"); by a clear margin when alone it leads
        # with another document than the one in hand
        alone, lead = searched_alone()
        margin = FOLD_ADDS if lead == prev else FOLD_ELSEWHERE
        if alone.confidence >= settings.abstain_threshold and alone.confidence >= folded() + margin:
            return FollowUp(fu.question, fu.question)
    if not fu.refers_to_document and _covers(retriever, prev, fu.own):
        return replace(fu, refers_to_document=True)
    if fu.refers_to_document and names_document_only(fu.question) and len(own_terms(fu.own)) >= SELF_SUFFICIENT:
        # "does that guide get updated ever?": the guide is settled and the rest is asked, so the rest is searched in
        # it without the earlier question's words, when the guidance answers that
        own = replace(fu, query=fu.own)
        if assess(retriever, fu.question, [], settings, own).confidence >= settings.abstain_threshold:
            return own
    return fu


def _stems(doc) -> frozenset[str]:
    """A document's word stems (title and text), as tokens() makes them."""
    return frozenset(_words(f"{doc.title} {doc.text}").split())


TELLING = 13.0  # rarity (search.rarity) of a word that tells a topic ("threshold" 13.0, "Surrey" 15.9; "culture" 11.4)


def elsewhere_only(retriever, fu: FollowUp, settings: Settings) -> FollowUp | None:
    """A continuation that points at nothing but adds a word of its own that no document in hand has and the
    document the message leads with when searched alone does ("what about bexley" after the Care Act guide; "also
    when did the munro review come out"): a new topic, searched as typed, when searched alone it is answered
    confidently from that other document. None otherwise ("n surrey" after Bexley: the blog has both)."""
    docs = retriever.index.documents
    in_hand = [docs[d] for d in fu.doc_ids if d in docs]
    # its telling words (English rarely uses them: a name, an acronym, a year, a term of art), as stems
    words = {t for w in re.findall(r"[\w’'-]+", fu.own) if rarity(w) >= TELLING
             for t in own_terms(w) if t not in DOCUMENT_WORDS}
    if not in_hand or not words:
        return None
    missing = {t for t in words if not any(t in _stems(d) for d in in_hand)}
    if not missing:
        return None
    got = assess(retriever, fu.question, [], settings, FollowUp(fu.question, fu.question))
    lead = got.candidates[0].passage.doc_id if got.candidates else ""
    if got.confidence < settings.abstain_threshold or not lead or lead in fu.doc_ids or \
            not missing & _stems(docs[lead]):
        return None
    return FollowUp(fu.question, fu.question)


def _inner_pronoun(retriever, fu: FollowUp, settings: Settings) -> FollowUp:
    """A message whose pronoun may point inside it or back ("anything I'm meant to read it alongside?"), or that
    points at nothing ("straight away tho?"), is a new topic unless the guidance does not answer it alone and
    answers it confidently as a continuation (a message pointing at nothing must also not be small talk)."""
    alone, together = replace(fu, maybe=None), settle(retriever, fu.maybe, settings)
    if not together.continues or not together.doc_ids:
        return alone
    got = assess(retriever, fu.question, [], settings, alone)
    if got.confidence >= settings.abstain_threshold:
        return alone
    pronoun = inner_pronoun(fu.question)
    if not pronoun and everyday(retriever, query_vector(retriever, understand(retriever, fu.question)), got.passages[:5]):
        return alone  # "is there parking at the venue?": small talk, whatever the conversation was about
    margin = STANDS_ALONE if pronoun else FORCED_MARGIN
    if assess(retriever, fu.question, [], settings, together).confidence >= settings.abstain_threshold + margin:
        return together
    return alone


SELF_SUFFICIENT = 3  # own words a message about the document in hand needs to be searched without the earlier turns
SAYS_SUFFICIENT = 2  # the same, for a message asking what the person says or thinks


def unfolded(fu: FollowUp) -> FollowUp:
    """A message about the person of the document in hand ("does he reckon it'll save money quickly?") that has
    words enough of its own is searched by them (and the person's name) alone, within that document: the earlier
    questions' words ("who wrote…", "his role") only said who, and that is settled. ("What was it trying to move
    away from?" keeps them: its "it" is the earlier topic, the Munro review, not only the document.)"""
    if not (fu.continues and fu.refers_to_document and fu.doc_ids and not fu.named and wants_person(fu.own)):
        return fu
    if len(own_terms(fu.own)) >= SELF_SUFFICIENT and not elliptical(fu.own):
        return replace(fu, query=fu.own)
    if asks_what_person_says(fu.own) and len(own_terms(fu.own)) >= SAYS_SUFFICIENT and not opens_elliptically(fu.own):
        return replace(fu, query=fu.own)  # "what does he say staff are missing": what, in his document, is the rest
    return fu


# Words that say how to set what the document says beside something else, not what to find in it ("and what's
# happening in adult social care by comparison?", "is that different for carers?")
_RELATING = frozenset(tokens("comparison compare compared comparing different difference differences differ "
                             "same similar similarly versus unlike contrast", keep_stopwords=True))


def _covers(retriever, doc_id: str, message: str) -> bool:
    """The document has most of the message's own words (weighted by their rarity in English)."""
    # "what else matters apart from…" is about what follows "apart from"
    share = _share(retriever, doc_id, message, skip=_RELATING, longer=False)
    return share >= STAYS if share is not None else doc_id in retriever.index.documents


def _share(retriever, doc_id: str, message: str, skip: frozenset = frozenset(), longer: bool = True) -> float | None:
    """The share of the message's own words (but `skip`; weighted by their rarity in English) that the document has,
    with `longer` a word also when the document has a longer form of it ("agre": "agreement"). None: no such
    document, or the message has no words of its own."""
    doc = retriever.index.documents.get(doc_id)
    own = set(own_terms(message)) - skip
    weights = {t: w for t, w in term_weights(message).items() if t in own}
    total = sum(weights.values())
    if doc is None or not total:
        return None
    have = with_acronyms(retriever, term_set(f"{doc.title} {doc.text}"))
    return sum(w for t, w in weights.items()
               if t in have or longer and len(t) >= 4 and any(h.startswith(t) for h in have)) / total


@dataclass
class Assessment:
    """What the extractive answerer found for a question, before deciding to answer or abstain."""

    query: str  # the question as searched (a continuation folded with the conversation)
    passages: list[Passage]
    candidates: list[Sentence]
    confidence: float  # compared with settings.abstain_threshold


def assess(retriever: Retriever, question: str, history: list[Turn], settings: Settings,
           fu: FollowUp | None = None) -> Assessment:
    """Retrieve, score the candidate sentences and work out the confidence that the guidance answers it."""
    retriever = _Pinned(retriever) if isinstance(retriever, Retriever) else retriever
    fu = fu or read_followup(question, history, retriever.index.documents)
    question, query = fu.own, fu.query
    u = understand(retriever, _with_person(retriever, fu))  # abbreviations, spelling, the sentence that asks
    asked = u if query == question else understand(retriever, question)
    qvec = query_vector(retriever, u)
    passages = search_understood(retriever, u, max(DEPTH, settings.search_k), qvec)
    pool = with_keyword_hits(retriever, u.search_text, qvec, passages)
    target = fu.doc_ids[0] if fu.continues and fu.doc_ids and (fu.refers_to_document or fu.named) else fu.named
    if not fu.continues:
        target = asked_document(fu.own, retriever.index.documents) or target
    if target:
        # "does it say…", "who is X in that doc?", "in the GOV.UK blog…": that document answers it
        wider = search_understood(retriever, u, max(settings.candidate_k, DEPTH), qvec)
        passages = within(passages, wider, target)
        pool = within(pool, wider, target)
    # What the question asks is read from the sentence that asks, abbreviations spelt out; names and numbers it
    # must find from the words as typed, less the abbreviations the glossary or the library knows.
    meaning = u.meaning_focus if u.context else u.meaning
    if (author := _own_author(retriever, fu, target)) and author.lower() in u.corrected.lower():
        # "does he think it saves money?" in his own document: every sentence is his. His name found the document
        # (and counts for confidence); the sentences are chosen without it, which would only favour the one that
        # introduces him.
        plain = understand(retriever, re.sub(r"\s+", " ", re.sub(re.escape(author), " ", u.corrected, flags=re.I)))
        pvec = query_vector(retriever, plain)
        wider = search_understood(retriever, plain, max(settings.candidate_k, DEPTH), pvec)
        mine = within(with_keyword_hits(retriever, plain.search_text, pvec,
                                        search_understood(retriever, plain, max(DEPTH, settings.search_k), pvec)),
                      wider, target)
        cands = candidate_sentences(retriever, asked.meaning_focus, plain.meaning_focus if plain.context else
                                    plain.meaning, pvec, mine, typed=asked.focus)
    else:
        cands = candidate_sentences(retriever, asked.meaning_focus, meaning, qvec, pool, typed=asked.focus)
    names = asked_names(retriever, asked.focus)
    # A message about a document of the library ("is it going to be updated?" about the one in hand, "what does
    # Ewan King say about Bexley?") is not small talk, however it sounds: the everyday-question check (it reads
    # the query vector) is for questions that name no document.
    everyday = None if target else qvec
    conf = confidence(retriever, asked.focus, u.focus if u.context else u.corrected, passages, settings, cands,
                      names=names, qvec=everyday) if passages else 0.0
    if target and fu.continues and passages and conf < settings.abstain_threshold:
        # "is it going to be updated?" about the document in hand: its own words, in that document, decide
        conf = confidence(retriever, asked.focus, asked.focus, passages, settings, cands, names=names, qvec=None)
    return Assessment(u.corrected, passages, cands, conf)


_CLAUSE_END = re.compile(r"(?<=[.?!])\s+|\s+[-–—]+\s+")


def asked_document(question: str, documents) -> str:
    """The document the asking clause names when a question names two ("King's blog says… - does the children's
    guidance say the same?": the children's guidance): the last clause that names a document, when an earlier one
    names another. '' otherwise."""
    named = [d for c in _CLAUSE_END.split(question) if (d := named_document(c, documents))]
    return named[-1] if len(set(named)) > 1 else ""


def within(passages: list[Passage], wider: list[Passage], doc_id: str) -> list[Passage]:
    """The passages of one document, best first (from a wider search when the top ones hold too few);
    unchanged when the document has none among them."""
    have = {p.chunk_id for p in passages}
    mine = [p for p in passages if p.doc_id == doc_id]
    mine += [p for p in wider if p.doc_id == doc_id and p.chunk_id not in have]
    return [p.model_copy(update={"rank": i + 1}) for i, p in enumerate(mine)] if mine else passages


def _own_author(retriever, fu: FollowUp, target: str) -> str:
    """The author of the document a message about what "he / she" says is answered from, when that is who it asks
    about ('' otherwise)."""
    doc = retriever.index.documents.get(target) if target else None
    if doc is None or not doc.author or not fu.continues or not asks_what_person_says(fu.question):
        return ""
    return doc.author if not fu.people or fu.people[0] == doc.author else ""


def _with_person(retriever, fu: FollowUp) -> str:
    """'what's his job?' also searches the person's name: the author of the document it refers to, or for a
    document without one, the person the previous answer named last."""
    doc = retriever.index.documents.get(fu.doc_ids[0]) if fu.continues and fu.doc_ids else \
        retriever.index.documents.get(fu.named) if fu.named else None
    if doc is None or not wants_person(fu.question):
        return fu.query
    # "is he quoted on the kids page too?": the person named before, not the named document's author
    person = (doc.author if fu.continues else "") or next(iter(fu.people), "")
    if person and person.lower() not in fu.query.lower():
        return f"{fu.query} {person}"
    return fu.query


def with_keyword_hits(retriever: Retriever, query: str, qvec, passages: list[Passage]) -> list[Passage]:
    """The top fused passages, then the best keyword passages that fusion ranked lower (answer candidates)."""
    top = passages[:DEPTH]
    have = {p.chunk_id for p in top}
    extra = [p for p in retriever.keyword_hits(query, KEYWORD_HITS, qvec) if p.chunk_id not in have]
    return top + [p.model_copy(update={"rank": len(top) + i + 1}) for i, p in enumerate(extra)]
