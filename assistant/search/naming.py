"""Which document a message names: by its details (title, publisher, author, aliases, audience, type: "the kids
guidance", "the SCIE blog", "the 2017 one"), words compared by meaning when the answerer passes a `Similar`, and the
initialisms a document goes by. Part of reading follow-ups (search.followup)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

from assistant.search.docnouns import alternation, load_document_nouns
from assistant.textutil import tokens
from assistant.types import Document


def _phrases(doc: Document) -> list[str]:
    return [p for p in (doc.title, doc.publisher, *doc.aliases) if p and p.strip() and p != doc.author]


# How close in meaning a word is to the nearest of some words (0–1); the answerer passes the bundled model's.
Similar = Callable[[str, list[str]], float]
# Nouns a message names a document by ("the kids guidance", "the SCIE blog", "the 2017 one").
_NOUNS = load_document_nouns()
DOC_NOUN = re.compile(r"\b(" + alternation(_NOUNS["nouns"] + _NOUNS["naming_only"]) + r")\b", re.I)
GENERIC_NOUNS = frozenset(tokens(" ".join(_NOUNS["generic"]), keep_stopwords=True))
NEAR = 0.7  # a word describes a document when it is this close in meaning to a word of its details ("kids": children)
_DESCRIBE_WORDS = 3  # words before the noun read as its description


def document_details(doc: Document) -> tuple[set[str], list[str], set[str]]:
    """The words a document is described by (its title, publisher, author, the author's organisation, aliases,
    audience and type): as tokens, as written (for comparing meanings), and the initialisms of its title and
    aliases ("cyp") and of the author's organisation ("Social Care Institute for Excellence": "scie")."""
    org = author_organisation(doc)
    text = " ".join([doc.title, doc.publisher, doc.author, org, *doc.aliases, *doc.audience, doc.doc_type])
    written = [w.lower() for w in re.findall(r"[A-Za-z]{3,}", text) if tokens(w)]
    short = initialisms(doc) | ({"".join(w[0] for w in re.findall(r"\b[A-Z][\w’'-]*", org)).lower()} if org else set())
    return set(tokens(text.replace("-", " "))), list(dict.fromkeys(written)), short


# Where a document introduces its author: "…, says Ewan King, Director of Business Development at the Social Care
# Institute for Excellence." The organisation is the run of capitalised words that ends the clause after the name,
# following "at / with / from" or a comma ("Alex Fox, OBE, Chief Executive, Shared Lives Plus").
_ORG = re.compile(r"(?:\b(?:at|with|from)\s+(?:the\s+)?|,\s*)(?P<org>[A-Z][\w’'&-]*(?:\s+(?:(?:for|of|and|on|in)\s+)?"
                  r"[A-Z][\w’'&-]*)*)\s*$")


def author_organisation(doc: Document) -> str:
    """The organisation the document says its author works for, where it introduces them ('' if it does not)."""
    return _author_organisation(doc.author, doc.text) if doc.author else ""


@functools.lru_cache(maxsize=64)
def _author_organisation(author: str, text: str) -> str:
    for m in re.finditer(re.escape(author) + r",\s+([^.;:\n()]+)", text):
        org = _ORG.search(m.group(1))
        if org and org.group("org") != author:
            return org.group("org")
    return ""


def described_document(question: str, documents: Mapping[str, Document], similar: Similar | None = None) -> str:
    """The one document a phrase such as "the kids guidance", "the definitions page" or "the SCIE blog" describes:
    each word before the noun, and the noun itself unless it is a generic one ("page", "one"), is among the
    document's details or close in meaning to one of them. '' when none or several fit, or the phrase points
    ("that report": the conversation's document, not a description)."""
    details = {d: document_details(doc) for d, doc in documents.items()}
    for m in DOC_NOUN.finditer(question):
        before = re.findall(r"[\w'’.-]+", question[:m.start()])
        if before and before[-1].lower() in ("that", "this", "same", "above"):
            continue
        words: list[str] = []
        for w in reversed(before[-_DESCRIBE_WORDS:]):
            if not tokens(w):
                break
            words.insert(0, w.lower())
        # An abbreviation the library uses throughout ("the SBA guidance") says nothing about which document
        short = _library_short_words(documents)
        words = [w for w in words if not (len(w) < 5 and short.get(w, 0) > 1
                                         and not any(set(tokens(w)) <= det[0] for det in details.values()))]
        generic = bool(set(tokens(m.group(1), keep_stopwords=True)) & GENERIC_NOUNS)
        noun = [] if generic else tokens(m.group(1))
        if not words:
            continue  # "the report" alone describes nothing: in a conversation it is the one in hand
        # The noun as written ("guide" is not "guidance": the glossary calls itself a guide too); the words
        # before it also by meaning ("kids": children).
        fits = [d for d, det in details.items()
                if set(noun) <= det[0] and all(describes(w, det, similar) for w in words)]
        if len(fits) > 1:  # "the care act page": the one whose details have the words side by side
            fits = [d for d in fits if _adjacent(words, documents[d])] or fits
        if not fits and noun:  # "the Care Act guide" of the "Care Act guidance": the words side by side say which
            fits = [d for d in documents if _adjacent(words, documents[d])]
        if not fits and noun:  # "the children's guide" of a guidance: the one document its description fits
            fits = [d for d, det in details.items() if all(describes(w, det, similar) for w in words)]
        if len(fits) == 1:
            return fits[0]
    return ""


def kind_document(question: str, documents: Mapping[str, Document]) -> str:
    """The one document of the kind a message names bare ("what does the blog say…?" when one document is a blog;
    not "the guidance" when two are, nor a generic "the page"): for a message that starts a topic, where there is
    no document in hand for "the blog" to mean. '' when none or several are of that kind."""
    details = {d: document_details(doc)[0] for d, doc in documents.items()}
    for m in DOC_NOUN.finditer(question):
        if not re.search(r"\bthe\s+$", question[:m.start()], re.I) or \
                set(tokens(m.group(1), keep_stopwords=True)) & GENERIC_NOUNS:
            continue
        fits = [d for d, stems in details.items() if set(tokens(m.group(1))) <= stems]
        if len(fits) == 1:
            return fits[0]
    return ""


def _library_short_words(documents: Mapping[str, Document]) -> dict[str, int]:
    """How many documents use each short word (2–4 letters, a plural 's' dropped), as a word of their text."""
    return _short_words(tuple((d, doc.text) for d, doc in documents.items()))


@functools.lru_cache(maxsize=4)
def _short_words(texts: tuple[tuple[str, str], ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, text in texts:
        for w in {m.lower() for m in re.findall(r"\b([A-Za-z]{2,4}?)s?\b", text)}:
            counts[w] = counts.get(w, 0) + 1
    return counts


def _detail_phrases(doc: Document) -> list[list[str]]:
    """Each of a document's details as its words in order ("Care Act 2014 guidance": care, act, 2014, guidance)."""
    return [[w.lower() for w in re.findall(r"[A-Za-z0-9]+", p)]
            for p in (doc.title, doc.publisher, doc.author, *doc.aliases) if p]


def _adjacent(words: list[str], doc: Document) -> bool:
    """The words (two or more) appear in this order, side by side, in one of the document's details."""
    want = [t for w in words for t in tokens(w.replace("-", " "))]
    if len(want) < 2:
        return False
    for phrase in _detail_phrases(doc):
        toks = [tokens(w) for w in phrase]
        flat = [t[0] for t in toks if t]
        if any(flat[i:i + len(want)] == want for i in range(len(flat) - len(want) + 1)):
            return True
    return False


def adjacent_run(question: str, doc: Document, others: list[Document]) -> bool:
    """The message has two or more words side by side that one of the document's details has side by side and no
    other document's ("…support under the care act?" of the "Care Act 2014 guidance")."""
    words = [t for w in re.findall(r"[A-Za-z0-9]+", question) for t in tokens(w)]
    runs = {tuple(words[i:i + 2]) for i in range(len(words) - 1)}

    def pairs(d: Document) -> set[tuple[str, ...]]:
        out = set()
        for phrase in _detail_phrases(d):
            flat = [t[0] for t in (tokens(w) for w in phrase) if t]
            out |= {tuple(flat[i:i + 2]) for i in range(len(flat) - 1)}
        return out
    mine = pairs(doc) & runs
    return bool(mine - set().union(*(pairs(o) for o in others if o.doc_id != doc.doc_id)))


@functools.lru_cache(maxsize=20_000)
def _detail_pairs(phrases: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """Each pair of words side by side in a document's details (as tokens)."""
    out = set()
    for p in phrases:
        flat = [t[0] for t in (tokens(w) for w in re.findall(r"[A-Za-z0-9]+", p.lower())) if t]
        out |= {(flat[i], flat[i + 1]) for i in range(len(flat) - 1)}
    return frozenset(out)


def run_document(question: str, documents: Mapping[str, Document]) -> str:
    """The one document whose details alone have two of the message's words side by side ("…an ordinary life under
    the care act" of the "Care Act 2014 guidance"): adjacent_run against every other document, each document's
    pairs worked out once. '' when none or several do."""
    words = [t for w in re.findall(r"[A-Za-z0-9]+", question) for t in tokens(w)]
    runs = {(words[i], words[i + 1]) for i in range(len(words) - 1)}
    pairs = {d: _detail_pairs(tuple(p for p in (doc.title, doc.publisher, doc.author, *doc.aliases) if p))
             for d, doc in documents.items()}
    seen: dict[tuple[str, str], int] = {}
    for found in pairs.values():
        for r in found & runs:
            seen[r] = seen.get(r, 0) + 1
    own = [d for d, found in pairs.items() if any(seen[r] == 1 for r in found & runs)]
    return own[0] if len(own) == 1 else ""


def initialisms(doc: Document) -> set[str]:
    """Short forms a document's details can be written as: the initials of two to four words side by side in its
    title or an alias ("children, young people" -> "cyp", "Strengths-based approaches" -> "sba")."""
    out = set()
    for p in (doc.title, *doc.aliases):
        if not p:
            continue
        words = re.findall(r"[A-Za-z]+", p)
        for i in range(len(words)):
            for n in (2, 3, 4):
                run = words[i:i + n]
                if len(run) == n:
                    out.add("".join(w[0] for w in run).lower())
    return out


def describes(word: str, details: tuple[set[str], list[str], set[str]], similar: Similar | None) -> bool:
    stems, written, short = details
    if set(tokens(word)) <= stems or (2 < len(word) < 5 and word.lower() in short):
        return True
    return similar is not None and bool(written) and similar(word, written) >= NEAR


def named_document(question: str, documents: Mapping[str, Document], similar: Similar | None = None) -> str:
    """The one document the message describes ("the kids guidance") or whose title, alias, author or publisher
    it names ('' if none or several)."""
    described = described_document(question, documents, similar)
    if described:
        return described
    have = " " + " ".join(tokens(question)) + " "
    by_phrase: dict[str, set[str]] = {}
    for doc in documents.values():
        for p in _phrases(doc):
            toks = tokens(p)
            if toks:
                by_phrase.setdefault(" ".join(toks), set()).add(doc.doc_id)
    found = [(len(p), next(iter(ids))) for p, ids in by_phrase.items()
             if len(ids) == 1 and f" {p} " in have]
    docs = {d for _, d in found}
    if len(docs) == 1:
        return docs.pop()
    return max(found)[1] if found else ""  # the longest name wins when two are named
