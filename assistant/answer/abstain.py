"""Whether the guidance answers a question at all.

Every name, acronym and number the question asks about must be in a top passage; a "how much / how many /
when was" question needs a sentence on its topic that holds a number or date; "What is X?" needs the phrase
X itself, "How do I <verb> X?" a sentence about X; a pointer such as "See also X" is not an answer to "what
does X say"; a search-box query whose most telling word the library has never seen is not covered; a question
with no words to search for is not either; nor one closer to an everyday question (search.offtopic) or to a
social-care question the library does not answer (search.neartopic) than to anything the library says; then
similarity plus word coverage must reach a threshold calibrated on the dev questions (settings.abstain_threshold).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path


from assistant.answer.cues import (
    GENERIC,
    NUMBER_FIGURES,
    case_details,
    clause_cues,
    fits_cue,
    asks_for_pointer,
    TYPED_CUES,
    defined_term,
    has_run,
    how_to_object,
    is_navigation,
    key_terms,
    open_ask,
    question_cue,
    situation_words,
    topic_words,
)
from assistant.answer.sentences import (
    DOCUMENT_WORDS,
    Sentence,
    asks_about_document,
    candidate_sentences,
    self_describing,
)
from assistant.search.abbreviations import Abbreviation, find_abbreviations
from assistant.search.chatter import read_words
from assistant.search.query import (
    keyword_style,
    QUESTION_WORDS,
    question_terms,
    term_set,
    with_acronyms,
)
from assistant.search.neartopic import beside_the_guidance
from assistant.search.offtopic import everyday
from assistant.search.rarity import as_typed, everyday as everyday_word, rarity, term_weights
from assistant.search.retrieve import Retriever
from assistant.settings import REPO_DIR, Settings
from assistant.textutil import sentence_spans, stem, tokens
from assistant.types import Passage

SITUATION_DEPTH = 12  # passages found for an advice question whose words must cover its situation
TYPED_OVERLAP = 0.3  # share of the question's words a sentence with the asked-for number or date must have
UNLISTED = 20.0  # rarity of a word English does not list (rarity.rarity gives about 21)
TELLING_TOPIC = 12.0  # rarity in English of a topic word a source must know ("supervision" 13.6; "counting" 10.6)
NEAR_SYNONYM = 0.6  # a word the library lacks still counts as covered when a library word is this close in meaning


def unfamiliar_situation(retriever: Retriever, question: str, passages: list[Passage] | None = None) -> list[str]:
    """Words of the question's situation that the passages found for it never use, nor any word of theirs close
    in meaning: guidance that never mentions hoarding cannot say how to support someone who is hoarding, nor
    guidance that never mentions supervision what a framework says about supervision (its telling words only).

    The passages found, not the whole library, are what must know the word: a library that also holds school
    admission pages ("if you are refused a place") has not learnt how to support someone who refuses care."""
    # Short words are mostly everyday verbs ("stay", "live", "feel") that guidance need not use to cover the case.
    # Of a topic a source is asked about, only the telling words: "counting on family", "the future" are said by
    # the guidance in its own words ("relying on", "further needs"); "supervision" is a subject it would name.
    words_ = [w for w in situation_words(question) if len(w) > 4 and tokens(w) and not set(tokens(w)) & GENERIC]
    words_ += [w for w in topic_words(question) if w not in words_ and len(w) > 4 and tokens(w)
               and not set(tokens(w)) & GENERIC and rarity(w) >= TELLING_TOPIC]
    if not words_:
        return []
    known = (set().union(*(term_set(p.text) for p in passages[:SITUATION_DEPTH])) if passages
             else retriever.index.bm25.idf)
    unknown = [w for w in words_ if any(t not in known for t in tokens(w))]
    if not unknown:
        return []
    terms = retriever.term_vectors(retriever.index)
    if terms is None:
        return unknown
    vecs = retriever.embed_cached(unknown)
    if passages:
        rows = [terms.position[t] for t in known if t in terms.position]
        close = (terms.matrix[rows] @ vecs.T).max(axis=0).tolist() if rows else [0.0] * len(unknown)
    else:
        close = terms.closest(vecs)
    return [w for w, sim in zip(unknown, close) if sim < NEAR_SYNONYM]


def unseen_search_words(retriever: Retriever, question: str, names: "Asked") -> list[str]:
    """Words of a search-box query ("hoarding support") that the library never uses and that say what the query
    is about: not everyday English ("whats the name of…", "in one line", "money problems"), not an abbreviation
    the glossary or the library knows ("LA"), not a contraction typed without its apostrophe ("dont"), and at
    least as telling (rare in English) as every word of the query that the library does use."""
    idf = retriever.index.bm25.idf
    terms = question_terms(retriever, question)
    known = {t for toks, _, _ in names.abbreviations for t in toks} | case_people(retriever, question)
    out, found = [], 0.0
    for w in re.findall(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?", question):
        toks = [t for t in tokens(w) if t in terms]
        if not toks or len(w) < 2:
            continue
        if all(t in idf or t in known for t in toks):
            found = max(found, rarity(as_typed(w)) if w.isalpha() else 0.0)
            continue
        if w.isalpha() and everyday_word(w):
            continue
        out.append(w)
    # The topic is what the query's most telling word names: "hoarding support" is about hoarding, which the
    # library never mentions; in "whats happening in bexley" the unseen "happening" says less than "bexley".
    # A compound of two words the library uses is no new topic: "paperwork" where the guidance says "paper", "work"
    # and "form filling".
    return [w for w in out if (not w.isalpha() or rarity(as_typed(w)) >= found) and not compound_of(w, idf)]


COMPOUND_PART = 4  # letters in each part of a compound word


def compound_of(word: str, known) -> bool:
    """Whether a word is two English words run together, both of which the library uses ("paperwork")."""
    w = word.lower()
    return w.isalpha() and any(
        all(rarity(part) < UNLISTED and tokens(part) and all(t in known for t in tokens(part)) for part in (w[:i], w[i:]))
        for i in range(COMPOUND_PART, len(w) - COMPOUND_PART + 1))


_OWNED = re.compile(r"(?<![\w'’-])((?:[A-Z][\w-]*\s+){0,3}[A-Z][\w-]*)['’]s\s+(?:[a-z][\w-]*\s+){0,2}?"
                    r"(blog|blogs|post|article|paper|report|guide|guidance|book|toolkit|publication|briefing|"
                    r"website|podcast|video|presentation|speech|talk|review)\b")


def unknown_owner(retriever: Retriever, question: str) -> str:
    """Whose document a question asks about ("Lyn Romeo's latest blog") when the library holds none of theirs:
    no document has them in its details (title, author, publisher, aliases), and no sentence of the library
    speaks of their document ("the Munro review" answers "Munro's review"). '' otherwise."""
    idx = retriever.index
    for m in _OWNED.finditer(question):
        owner = set(tokens(m.group(1)))
        if not owner or owner <= QUESTION_WORDS or " " not in m.group(1) and re.fullmatch(
                r"|.*[.?!:]\s*", question[:m.start()]):
            continue  # "Council's report says…": a capital where a sentence starts marks no name
        kind = set(tokens(m.group(2)))
        if any(owner <= term_set(f"{d.title} {d.publisher} {d.author} {' '.join(d.aliases)}".replace(".", " "))
               for d in idx.documents.values()):
            continue
        if _one_sentence_has(retriever, owner | kind):
            continue
        return m.group(1)
    return ""


def _one_sentence_has(retriever: Retriever, words: set[str]) -> bool:
    """Whether a sentence of the library has all the words: only the passages the keyword index lists for every
    word are read, not the whole library."""
    bm25, common = retriever.index.bm25, None
    for w in words:
        got = bm25.postings(w)
        common = set() if got is None else set(got[0].tolist()) if common is None else common & set(got[0].tolist())
        if not common:
            return False
    for i in sorted(common):
        text = retriever.index.chunks[int(i)].text
        if any(words <= term_set(text[a:b]) for a, b in sentence_spans(text)):
            return True
    return False


def _meta(retriever: Retriever, p: Passage) -> str:
    doc = retriever.index.documents.get(p.doc_id)
    meta = f"{p.title} {p.publisher} {p.section} {doc.author if doc else ''} {' '.join(doc.aliases) if doc else ''}"
    return f"{meta} {meta.replace('.', ' ')}"  # "GOV.UK" is also asked for as "GOV" and "UK"


@functools.lru_cache(maxsize=4096)
def _statements(text: str) -> str:
    """A document's sentences that state something, not its pointers ("See also the NICE guide", "Read more here")."""
    return " ".join(text[a:b] for a, b in sentence_spans(text) if not is_navigation(text[a:b]))


def _source_said(retriever: Retriever, p: Passage) -> str:
    """Where a source the question names counts as present for a passage: its document's details (title, author,
    publisher, aliases) and the statements its document makes. "What does SCIE say about…" is answered by a passage
    of a document that speaks of SCIE, not by one whose only mention is a link to SCIE's site."""
    doc = retriever.index.documents.get(p.doc_id)
    return f"{_meta(retriever, p)} {_statements(doc.text) if doc else ''}"


def with_figures(have: set[str]) -> set[str]:
    """A number written as a word or a figure is had either way ("ten" where the text has "10", and back)."""
    out = set()
    for word, figure in NUMBER_FIGURES.items():
        w = stem(word)
        if figure in have:
            out.add(w)
        if w in have:
            out.add(figure)
    return out


def passage_support(retriever: Retriever, query: str, p: Passage, text: str | None = None,
                    also: set[str] | frozenset[str] = frozenset()) -> tuple[float, set[str]]:
    """(idf-weighted share of the query's content terms in the passage, the tokens it has, with also)."""
    have = with_acronyms(retriever, term_set(p.text if text is None else text) | term_set(_meta(retriever, p))) | also
    have |= with_figures(have)
    terms = term_weights(query)
    total = sum(terms.values())
    return (sum(w for t, w in terms.items() if t in have) / total if total else 1.0), have


def about_question(retriever: Retriever, query: str, text: str, where: frozenset[str] = frozenset()) -> float:
    """The share of the query's words a sentence has, each weighted by its rarity in English: the same whatever
    else the library holds ("how many things did the first asset-based area paper list" and "The asset-based area,
    published in 2017, described 10 features…", where the library's idf makes its own words weigh little).

    where: words naming the sentence's document (document_names). The words of the question that name where to
    look ("per SCIE's children/families page", "at the bottom of Ewan King's post") are then neither asked of the
    sentence nor counted against it: they are said by the document it is in."""
    terms = term_weights(query)
    if where:
        there = with_acronyms(retriever, set(where)) | WHERE_WORDS
        terms = {t: w for t, w in terms.items() if t not in there}
    total = sum(terms.values())
    have = with_acronyms(retriever, term_set(text))
    have |= {t for t in terms if t.endswith("s") and t[:-1] in have}  # "SBAs": "strengths-based approaches"
    return sum(w for t, w in terms.items() if t in have) / total if total else 0.0


_NAMES: dict[str, dict[str, frozenset[str]]] = {}
# Words that say where in a library to look, not what to find there ("at the bottom of the blog post").
WHERE_WORDS = DOCUMENT_WORDS | frozenset(tokens("post article website site webpage section bottom top end",
                                               keep_stopwords=True))


def document_names(retriever: Retriever, doc_id: str) -> frozenset[str]:
    """The words of a document's details (title, publisher, author, aliases) that fewer than half the library's
    documents have in theirs: what tells it apart ("children", "families", "Ewan King", "GOV.UK"), not what the
    whole library is about ("strengths-based", "care"). Worked out once per index generation."""
    idx = retriever.index
    key = str(idx.path)
    if key not in _NAMES:
        _NAMES.clear()
        details = {d: term_set(f"{doc.title} {doc.publisher} {doc.author} {' '.join(doc.aliases)}".replace(".", " "))
                   for d, doc in idx.documents.items()}
        count: dict[str, int] = {}
        for toks in details.values():
            for t in toks:
                count[t] = count.get(t, 0) + 1
        _NAMES[key] = {d: frozenset(t for t in toks if 2 * count[t] < len(details)) for d, toks in details.items()}
    return _NAMES[key].get(doc_id, frozenset())


@dataclass(frozen=True)
class Asked:
    """The names and numbers a question asks about, and the abbreviations in it the glossary or the library
    defines, each with the ways a passage may say it: the abbreviation itself or one of its long forms as a
    phrase. Only an abbreviation of a name must be there ("DoLS": guidance that never mentions the Deprivation
    of Liberty Safeguards does not answer a question about them); one of an everyday term ("LA", "SW", "CYP")
    is how practitioners write, never on its own a reason to abstain, though a passage saying it counts."""

    keys: set[str]
    abbreviations: list[tuple[frozenset[str], list[list[str]], bool]]  # (its tokens, ways, must be there)

    def said(self, text: str) -> tuple[bool, set[str]]:
        """(every abbreviation that must be there is, the tokens of the abbreviations the text says)."""
        said = [(toks, any(has_run(text, w) for w in ways), must) for toks, ways, must in self.abbreviations]
        return all(ok for _, ok, must in said if must), {t for toks, ok, _ in said if ok for t in toks}


def _names_something(a: Abbreviation) -> bool:
    """An abbreviation of a proper name (its long form has a capitalised word: 'Mental Capacity Act'), written
    in the singular ('OTs' is a kind of staff, not one source)."""
    plural = a.written != a.key and a.written.endswith("s")
    return not plural and any(w[:1].isupper() for w in a.long_forms[0].split())


DESCRIBED = REPO_DIR / "corpus" / "search" / "described.yaml"


@functools.cache
def described_words(path: Path = DESCRIBED) -> frozenset[str]:
    """People, teams and places an abbreviation may describe ("NHS planners", "LA staff", "GP practices"): the
    abbreviation then says whose, not which source the answer must name. Data anyone can extend (the file)."""
    words = read_words(path, "list of people and workplace words", "a list of words for people or workplaces")
    return frozenset(t for w in words for t in tokens(w))


def describes_people(question: str, a: Abbreviation) -> bool:
    """Whether the abbreviation, as written in the question, qualifies a word for people or their workplace."""
    nxt = re.search(rf"(?<![\w&]){re.escape(a.written)}(?![\w&])\s+([A-Za-z]+)", question)
    return bool(nxt) and bool(set(tokens(nxt.group(1))) & described_words())


def case_people(retriever: Retriever, question: str) -> set[str]:
    """Tokens of the practitioner's own case that no answer needs: the people in it ("Dave", "Mrs Patel") when
    the library never uses the name, and their ages or numbers ("aged 80", "3 kids")."""
    people, numbers = case_details(question)
    return {t for t in people if t not in retriever.index.bm25.idf} | numbers


def asked_names(retriever: Retriever, question: str) -> Asked:
    found = find_abbreviations(retriever, question)
    known = {t for a in found for t in tokens(a.written) + tokens(a.key)}
    # "LAs" is said by a passage as "LAs", "LA" or "local authorities" (tokens are stemmed).
    abbreviations = [(frozenset(tokens(a.written) + tokens(a.key)),
                      [w for w in [tokens(a.key), tokens(a.written)] + [tokens(f) for f in a.long_forms] if w],
                      _names_something(a) and not describes_people(question, a)) for a in found]
    return Asked(key_terms(question) - known - case_people(retriever, question), abbreviations)


def confidence(retriever: Retriever, question: str, query: str, passages: list[Passage],
               settings: Settings, cands: list[Sentence] | None = None,
               names: Asked | None = None, qvec=None) -> float:
    """How sure the guidance answers the question: 0 when a name, number or answer type it asks for is missing."""
    if not question_terms(retriever, query):
        return 0.0  # "What is it?" with nothing before it: there is nothing to look for
    names = asked_names(retriever, question) if names is None else names
    keys = names.keys
    cue = question_cue(question)
    cues = clause_cues(question) | {cue}
    term = defined_term(question) if cue == "definition" else []
    target = how_to_object(question) - case_people(retriever, question)
    keyword = keyword_style(retriever, question)
    pointer = asks_for_pointer(question)
    about_document = asks_about_document(question)
    if keyword and unseen_search_words(retriever, question, names):
        return 0.0  # a search-box word the library has never seen: that topic is not covered
    if unfamiliar_situation(retriever, question, passages):
        return 0.0  # advice about a situation the library never mentions
    if unknown_owner(retriever, question):
        return 0.0  # "Lyn Romeo's latest blog": a document of someone's the library does not hold
    if qvec is not None and everyday(retriever, qvec, passages[:5], named=bool(keys)):
        return 0.0  # weather, trains, "Is this page useful?": closer to everyday questions than to the guidance
    if qvec is not None and beside_the_guidance(retriever, qvec, passages[:5]):
        return 0.0  # the capacity test, benefits, pay: closer to a question this library does not answer
    if cands is None:
        cands = candidate_sentences(retriever, question, query, None, passages)
    best = 0.0
    for p in passages[:5]:
        usable = [c for c in cands if c.passage.chunk_id == p.chunk_id and (keyword or pointer or not c.navigation)]
        if not usable:
            continue
        text = " ".join(c.text for c in usable)
        present, said = names.said(f"{text} {_meta(retriever, p)}")
        if not present:
            present = names.said(f"{text} {_source_said(retriever, p)}")[0]
        if not present:
            continue  # an abbreviation asked about must be there, as itself or spelt out
        cov, have = passage_support(retriever, query, p, text, said)
        where = document_names(retriever, p.doc_id)
        # A number or date only answers "how many" / "when" if the sentence holding it is about the question.
        # Each asking clause counts: "how long have they been going - when did the first come out?" is answered
        # by a date as well as by a length of time; a clause no number answers makes it an open question.
        # "How often does the guide get updated?" is answered where the guide says so of itself ("This guide will be
        # updated…"), with or without a period.
        typed = any((c.fits or any(fits_cue(k, c.text) for k in cues - {cue}))
                    and (c.overlap >= TYPED_OVERLAP or about_question(retriever, query, c.text) >= TYPED_OVERLAP
                         or about_question(retriever, query, c.text, where) >= TYPED_OVERLAP)
                    or about_document and self_describing(c.text)
                    and about_question(retriever, query, c.text, where) >= TYPED_OVERLAP
                    for c in usable)
        open_ = open_ask(question) or not cues <= set(TYPED_CUES)
        if not keys <= have or (cue in TYPED_CUES and not typed and not open_):
            continue
        if term and not any(has_run(c.text, term) for c in usable):
            continue  # "What is community-led support?": the phrase itself must be there, not its words apart
        if target and not any(target <= with_acronyms(retriever, term_set(c.text)) for c in usable):
            continue  # "How do I arrange respite care…?": one sentence must be about respite care
        if keyword:
            best = max(best, 1.0 if cov >= 0.99 else p.dense)
        else:
            best = max(best, p.dense + settings.abstain_coverage_weight * cov)
    return best
