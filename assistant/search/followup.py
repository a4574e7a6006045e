"""Follow-ups: whether a message carries on the conversation or starts a new topic, and what it refers to.

A message continues the conversation when it refers back — a pronoun or demonstrative ("who wrote *that
report*?", "does *he* think…", "when was *it* published?"), an ellipsis ("*and* for children?", "*what
about* needs that aren't eligible?", "rather than?"), or so few words of its own that it cannot be asked
alone. It starts a new topic when it says so ("separate question –", "new q"), when it names another
document and can stand on its own, or when it does not refer back at all. Only a continuation is folded
with the conversation, and then with the earlier question as it was itself understood (so a chain of
follow-ups keeps its topic).

A reference to a document ("it", "that guidance", "he") resolves to the document the previous answer
cited: the turn's `doc_ids` when the caller sends them, else the documents whose text (or title) the
previous answer quotes word for word — so a plain [{role, content}] history works as well; after an
abstention, the document its question named. A document may also be named by description ("the kids
guidance", "the definitions page"): by its details (title, publisher, author, aliases, audience, type), the
words compared by meaning when the answerer passes a `Similar`; and a continuation asking for whom the document
in hand is not written ("is it the same for children and families?") moves to the one document whose audience
is them. "He / his job" (or "the author") also reads the people the previous answer named. "The 4th one" is that
item of the list the previous answer showed; "does X say something similar?" searches X for what the previous answer
quoted (the quote X also holds, when one is). What only retrieval can tell — whether a bare "it / that" message
stands alone after all, whether a continuation stays in the document in hand, whether a pronoun after words of the
message's own ("anything I'm meant to read it alongside?") points back — answer.extractive.settle decides.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


from assistant.search.chatter import load_chatter, read_words
from assistant.search.naming import (  # which document a message names; re-exported for the answerer and tests
    DOC_NOUN,
    GENERIC_NOUNS,
    NEAR,
    Similar,
    describes,
    document_details,
    author_organisation,
    described_document,
    adjacent_run,
    initialisms,
    kind_document,
    named_document,
    run_document,
)
from assistant.search.history import (  # what earlier turns hold; re-exported for the answerer and tests
    ORDINAL,
    QUOTED,
    cited_documents,
    listed_item,
    named_people,
    said_before,
)
from assistant.search.request import list_request
from assistant.settings import REPO_DIR
from assistant.textutil import tokens
from assistant.types import Document, Turn

# Said before a question that has nothing to do with the last one: "separate question –", "new q:", "diff
# topic -", "ok totally different:", "completely separate –".
_SWITCH = (r"(?:(?:brand|totally|completely|entirely|quite|something|very) )?(?:separate|different|diff|unrelated|new|"
           r"another|other|quick|next|fresh)")
_NEW_TOPIC = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|right|btw|so|now|also|and|hi|thanks)[\s,]+)?(?:(?:a |one |and )?" + _SWITCH +
    r"\s+(?:q|qn|qu|question|topic|subject|thing|query)\b|" + _SWITCH + r"(?=\s*[:–—-])|unrelated|"
    r"new topic|switching (?:topic|subject)s?|changing (?:the )?(?:topic|subject)|on another note|moving on)\b"
    r"[\s:,;.!?–—-]*", re.I)
# Words that point at something said before.
_POINTER = re.compile(r"\b(?:it|its|it's|itself|they|them|their|theirs|this|that|these|those|he|him|his|she|her|"
                      r"hers|there|the same|the (?:author|writer)s?|the (?:first|second|last|latest|new|original|other|\d{4}) one|"
                      r"the former|the latter)\b", re.I)
# "that doc", "the same report": the document the conversation is on, whoever else the message names.
_THAT_DOCUMENT = re.compile(r"\b(?:that|this|the same|same|the above)\s+(?:doc|document|report|guidance|guide|paper|"
                            r"blog|piece|page|article|glossary|publication|briefing|one)\b", re.I)
# The same, with the preposition before it ("what does it say *on that page*"): taken out of what is searched once
# it is resolved to the document, since "page" or "report" says where to look, not what to look for.
_IN_THAT_DOCUMENT = re.compile(r"\s*\b(?:(?:in|on|from|of|by|about|for|within|inside)\s+)?"
                               + _THAT_DOCUMENT.pattern[2:], re.I)
# "does the cyp page say the same thing?", "is that the same on the care act page?": the same point, elsewhere
_SIMILAR = (r"\b(?:say|says|said|mention|mentions|have|has|state|states)\s+(?:the\s+|something\s+|anything\s+)?"
            r"(?:same|similar)\b|\b(?:the\s+)?same\s+(?:\w+\s+)?(?:as\s+)?(?:on|in|for)\s+the\b|\bsame thing\b")
_SAME = re.compile(_SIMILAR + r"|\bagree\b", re.I)
# "does Ewan King say something similar for adults?", "what's the children's equivalent?": set beside what the last
# answer said, so it refers back
_SAYS_SIMILAR = re.compile(_SIMILAR + r"|\bequivalents?\b", re.I)
_PERSON = re.compile(r"\b(?:he|him|his|she|her|hers|the (?:author|writer)s?)\b", re.I)
# Openings that only make sense after something: "and for children?", "what about…", "rather than?".
_ELLIPSIS = re.compile(r"^\s*(?:and|but|also|so|or|plus|then|what about|how about|what else|rather than|"
                       r"instead of|same for|as well as|except|apart from|why not|even|only)\b", re.I)
# Words that say what kind of question it is, not what it is about (also in search.query).
_ASKING = frozenset(tokens("what which who whom whose when where why how does do did is are was were can could "
                           "should would will tell explain describe mean meaning guidance say says said according "
                           "about please pls give list example examples bullet bullets point points need want "
                           "know anything thing stuff bit mention mentions talk talks else apart besides matter matters",
                           keep_stopwords=True))
SHORT = 2  # a message with at most this many words of its own cannot be asked alone
MAX_FOLD = 2  # earlier questions folded into a continuation's search at most


@dataclass
class FollowUp:
    """How a message relates to the conversation before it."""

    question: str  # the message as asked, with any "separate question –" opener removed
    query: str  # what to search: the question, or for a continuation the question and what it follows
    continues: bool = False
    doc_ids: list[str] = field(default_factory=list)  # documents it refers to (the previous answer's), best first
    refers_to_document: bool = False  # "it / that report / he": look in those documents first
    named: str = ""  # a document the message names itself
    own: str = ""  # the message as searched: without "on that page" once that is resolved to the document
    people: list[str] = field(default_factory=list)  # people the previous answer names ("he": one of them)
    weak: bool = False  # it refers back only by a bare pronoun ("it", "that") and has words of its own: it may
    # stand alone ("what do families bring that is key to…"), which only retrieval can tell (answer.extractive)
    short: bool = False  # it continues only because it has few words of its own ("what's SCIE been doing with
    # Bexley?"): it may be a new topic, which only retrieval can tell (answer.extractive.settle)
    maybe: "FollowUp | None" = None  # for a new topic whose pronoun may point inside it or back ("anything I'm
    # meant to read it alongside?"): the reading as a continuation, which settle takes when only it is answered

    def __post_init__(self):
        self.own = self.own or self.question


def own_terms(question: str) -> list[str]:
    """The message's content words (not the words that only say it is a question)."""
    return [t for t in tokens(question) if t not in _ASKING]


def new_topic_opener(question: str) -> str:
    """The message without a 'separate question –' opener ('' opener: returned unchanged)."""
    m = _NEW_TOPIC.match(question)
    return question[m.end():].strip() if m and m.end() < len(question) else question


def opens_elliptically(question: str) -> bool:
    """Opens as an ellipsis: "and for children?", "what about…", "rather than?"."""
    return bool(_ELLIPSIS.match(question))


def elliptical(question: str) -> bool:
    """Opens as an ellipsis ("and for children?", "what else…") or has too few words to stand alone."""
    return bool(_ELLIPSIS.match(question)) or len(own_terms(question)) <= SHORT


def refers_back(question: str, inner: bool = False) -> bool:
    """Points at something said before, opens as an ellipsis, or has too few words to stand alone. `inner`: a
    pronoun after words of the message's own ("anything I'm meant to read *it* alongside?") points back too."""
    return bool(_ELLIPSIS.match(question) or len(own_terms(question)) <= SHORT or _SAYS_SIMILAR.search(question)
                or any(not _anchored(question, m, inner) for m in _POINTER.finditer(question)))


def inner_pronoun(question: str) -> bool:
    """A personal pronoun that counts as pointing inside the message only for the words of its own before it
    ("how should councils involve carers in *their* plans?", "anything I'm meant to read *it* alongside?"): which
    of the two it is, only retrieval can tell (answer.extractive.settle)."""
    return any(_anchored(question, m) and not _anchored(question, m, True) for m in _POINTER.finditer(question))


# A personal pronoun that comes after the message has said what it is about points inside the message: "how should
# councils involve carers in their own plans?", "what is SBP and how does it work?". Demonstratives ("that report",
# "is this the same for kids?") and a pronoun the message opens on ("when was it published?") point back.
_PERSONAL = frozenset("it its itself they them their theirs he him his she her hers".split())
ANCHOR_TERMS = 2  # words of the message's own before a pronoun that give it something inside the message to mean


def _anchored(question: str, m: re.Match, inner: bool = False) -> bool:
    word = m.group(0).lower()
    if word == "there" and (_EXISTENTIAL_BEFORE.search(question[:m.start()]) or _EXISTENTIAL_AFTER.match(question, m.end())):
        return True  # "is there anything on respite?": there is no place said before
    if word == "it" and _DUMMY_IT.match(question, m.end()):
        return True  # "is it true that…", "is it ok to…": the it of a clause, not of something said before
    if word == "that" and (_SAYING.search(question[:m.start()]) or _SUBJECT_AFTER.match(question, m.end())
                           and len(own_terms(question[:m.start()])) >= ANCHOR_TERMS):  # not "is that the same?"
        return True  # "does the guidance say that councils must…", "is it true that there are…": a clause follows
    if word in _PERSONAL and 0 <= _topic_first(question) <= m.start():
        return True  # "TLAP - what does it stand for?": the message says first what "it" is
    return (not inner and word in _PERSONAL and len(_topic_terms(question[:m.start()])) >= ANCHOR_TERMS
            and bool(own_terms(question[m.end():])))


# A topic said first and then asked about: "TLAP - what does it stand for", "the munro thing, what did it want".
_TOPIC_FIRST = re.compile(r"^\s*([^,;:?!.–—]{2,60}?)\s*(?:[,;:]|\s?[-–—]\s?)\s*(?=(?:what|which|who|whom|whose|when|"
                          r"where|why|how|does|do|did|is|are|was|were|can|could|should|would|will|has|have)\b)", re.I)
# Words that answer the last reply rather than name a topic ("ok thanks - what did he say next?"): data, in
# corpus/search/acknowledge.yaml.
ACKNOWLEDGE = REPO_DIR / "corpus" / "search" / "acknowledge.yaml"


@functools.cache
def load_acknowledgements(path: Path = ACKNOWLEDGE) -> frozenset[str]:
    """The words that never name a topic a pronoun could mean (lower case)."""
    words = read_words(path, "acknowledgement list", 'a list of single words (quote yes / no: "yes")',
                       lambda w: bool(re.fullmatch(r"[\w'’-]+", w.strip())))
    return frozenset(w.lower() for w in words)


def _topic_first(question: str) -> int:
    """Where the topic phrase a message opens with ends ("TLAP -"), or -1: none, or it is chatter, an
    acknowledgement, an ellipsis ("and for kids, what…") or itself points back ("that report, what…")."""
    opener, start = load_chatter()[0], 0
    while (o := opener.match(question[start:])) and start + o.end() < len(question):
        start += o.end()
    m = _TOPIC_FIRST.match(question[start:])
    if not m or _POINTER.search(m.group(1)) or _ELLIPSIS.match(m.group(1)):
        return -1
    return start + m.end() if _topic_terms(m.group(1)) else -1


def _topic_terms(text: str) -> list[str]:
    """The text's content words other than acknowledgements."""
    return own_terms(" ".join(w for w in re.findall(r"[\w'’-]+", text.lower()) if w not in load_acknowledgements(ACKNOWLEDGE)))


_EXISTENTIAL_BEFORE = re.compile(r"\b(?:is|are|was|were|isn['’]t|aren['’]t|wasn['’]t|weren['’]t|will|would|could|"
                                 r"should|might|be|been|any)\s+$", re.I)
_EXISTENTIAL_AFTER = re.compile(r"\s*(?:is|are|was|were|['’]s|isn['’]t|aren['’]t|has|have|will|should|must|might|"
                                r"may|can|could|any|anything|something|a|an|no)\b", re.I)
_DUMMY_IT = re.compile(r"\s+(?:(?:is|was|ever)\s+)?(?:true|possible|ok|okay|alright|right|wrong|necessary|important|"
                       r"worth|likely|fair|normal|common|legal|allowed|required|usual|acceptable|best)\b", re.I)
_SAYING = re.compile(r"\b(?:say|says|said|saying|mean|means|think|thinks|suggest|suggests|show|shows|ensure|ensures|"
                     r"state|states|stated|argue|argues|mention|mentions|true|sure|know|agree|recommend|recommends|"
                     r"claim|claims|believe|expect|expects|require|requires|so|such)\s+$", re.I)
_SUBJECT_AFTER = re.compile(r"\s+(?:the|a|an|it|they|he|she|we|you|i|there|this|these|those|people|someone|"
                            r"everyone|anyone|all|every|each|some|any|no|our|their|his|her|its|my|your)\b", re.I)


def previous_documents(history: list[Turn], documents: Mapping[str, Document], similar: Similar | None = None
                       ) -> list[str]:
    """The documents cited by the last assistant turn that cited any; when the last answer cited none (it
    abstained), the document its question named ("what does Ewan King say about…?" -> his blog), if any."""
    for n in range(len(history) - 1, -1, -1):
        turn = history[n]
        if turn.role != "assistant":
            continue
        found = cited_documents(turn, documents)
        asked = next((t.content for t in reversed(history[:n]) if t.role == "user"), "")
        if found:  # the cited document the question itself named in passing ("…for care act support") first
            return sorted(found, key=lambda d: not adjacent_run(asked, documents[d], [documents[o] for o in found]))
        named = named_document(new_topic_opener(asked), documents, similar) if asked else ""
        if named:
            return [named]
    return []


def read_followup(question: str, history: list[Turn], documents: Mapping[str, Document] | None = None,
                  depth: int = 0, similar: Similar | None = None, inner: bool = False, force: bool = False
                  ) -> FollowUp:
    """Whether the message continues the conversation, what to search, and which documents it refers to.
    `inner`: read a pronoun inside the message as pointing back; `force`: read the message as a continuation
    whatever it says (both for FollowUp.maybe)."""
    documents = documents or {}
    asked = new_topic_opener(question)
    users = [i for i, t in enumerate(history) if t.role == "user" and t.content.strip()]
    named = named_document(asked, documents, similar) if documents else ""
    if not users or asked != question or not (force or refers_back(asked, inner)):
        # "what does the blog say…" to start a topic: the one blog (in a conversation it could be the one in hand)
        alone = FollowUp(asked, asked, named=named or ("" if _THAT_DOCUMENT.search(asked) or not documents
                                                       else kind_document(asked, documents)))
        if users and asked == question and not inner and depth == 0 and inner_pronoun(asked):
            alone.maybe = read_followup(question, history, documents, depth, similar, inner=True)
        elif users and asked == question and not force and depth == 0 and not alone.named:
            # "straight away tho?", "putting cash into what": nothing points back, but the guidance may answer it
            # only as a continuation, which retrieval tells (answer.extractive.settle)
            alone.maybe = read_followup(question, history, documents, depth, similar, force=True)
        return alone
    prev_docs = previous_documents(history, documents, similar) if documents else []
    elliptical = bool(_ELLIPSIS.match(asked)) or len(own_terms(asked)) <= SHORT
    similar_to_last = bool(named and _SAYS_SIMILAR.search(asked) and QUOTED.search(history[-1].content))
    if named and named not in prev_docs and not similar_to_last and \
            _stands_apart(asked, documents[named], elliptical, similar):
        # names another document and stands on its own ("and in the kids guidance what is an SBA essentially?",
        # not "and in the strengths-based areas report?", which has nothing to ask but the name). "Is he quoted
        # on the kids page too?": the person is still the one the previous answer named.
        return FollowUp(asked, asked, named=named, people=_people_named(asked, history, users, prev_docs, documents))
    if named and _THAT_DOCUMENT.search(asked) and prev_docs:
        named = ""  # "who is Alex Fox in that doc?": the name is a person's, the document is the last one's
    if not named and prev_docs:  # "is it the same for children and families?": the same point, for whom it is written
        named = audience_document(asked, documents, prev_docs[0], similar)
        whom = {t for w in _whom(asked) if named and
                audience_document(f"for {w}", documents, prev_docs[0], similar) == named for t in tokens(w)}
        if named and all(_anchored(asked, m, inner) for m in _POINTER.finditer(asked)) and \
                len([t for t in _besides_name(asked, documents[named]) if t not in whom]) > SHORT:
            # "and what's the Munro review got to do with SBAs for kids?": a question of its own, asked of the
            # document written for them; only its opening word is the conversation's
            return FollowUp(asked, _without_likeness(asked), named=named, own=_without_likeness(asked))
    if not named and documents and (run := run_document(asked, documents)) and run not in prev_docs and \
            _stands_apart(asked, documents[run], elliptical, similar):
        # "also does sba let people lead an ordinary life under the care act": words side by side that only another
        # document's details have, and a question of its own: a new topic, searched as typed (not in that document
        # alone: "the care act" is also the subject of questions the guidance does not answer)
        return FollowUp(asked, asked, people=_people_named(asked, history, users, prev_docs, documents))
    own = _without_document(asked) if prev_docs and not named else asked
    own = _without_likeness(own) if named else own
    last = _answered(users, history, documents) if named else users[-1]
    before = list_request(new_topic_opener(history[last].content))[0]
    # An earlier question that carries its own topic is folded as it was asked; a short one ("when did that
    # come out?") as it was itself understood, so a chain of follow-ups keeps its topic.
    earlier = read_followup(history[last].content, history[:last], documents, depth + 1, similar).query \
        if depth < MAX_FOLD and len(own_terms(before)) <= SHORT else before
    query = _fold(own, earlier)
    if named and _SAME.search(asked) and (said := said_before(history[-1].content, documents[named])):
        # "does the cyp page say the same thing?": what the other document says on what the last answer led with
        # The document's own name says where to look, not what to look for ("care act" would favour sentences
        # that mention the Act)
        stems = document_details(documents[named])[0]
        own = " ".join(w for w in asked.split() if not (tokens(w) and set(tokens(w)) <= stems)) or asked
        query = _fold(own, said)
    if (item := listed_item(asked, history)) and (where := cited_documents(Turn(role="assistant", content=item),
                                                                           documents)):
        # "expand on the 4th one": the fourth item of the list the previous answer showed, in its document
        query = _fold(ORDINAL.sub(" ", asked).strip(), item)
        return FollowUp(asked, query, True, where[:1], True, "", query)
    pointer = bool(_POINTER.search(asked))
    weak = pointer and not elliptical and not _PERSON.search(asked) and not _THAT_DOCUMENT.search(asked)
    people = _people_named(asked, history, users, prev_docs, documents)
    short = not _ELLIPSIS.match(asked) and all(_anchored(asked, m, inner) for m in _POINTER.finditer(asked))
    return FollowUp(asked, query, True, [named] if named else prev_docs, pointer and not named, named, own,
                    people, weak, short)


def _stands_apart(asked: str, doc: Document, elliptical: bool, similar: Similar | None) -> bool:
    """A message naming `doc` asks something of its own besides the name ("and in the kids guidance what is an SBA
    essentially?"; not "and in the strengths-based areas report?")."""
    return (not elliptical and len(own_terms(asked)) > SHORT + 1 or len(_besides_name(asked, doc)) > SHORT
            or _there_is_named(asked) and bool(_besides_description(asked, doc, similar))
            or bool(_besides_description(asked, doc, similar)) and not _points_back(asked))


def _answered(users: list[int], history: list[Turn], documents: Mapping[str, Document]) -> int:
    """The last user turn whose answer cited something: a message naming the document to go back to ("back to
    that care act thing - …") after an off-topic question the guidance did not answer follows on from the
    answered one, not the weather."""
    for i in reversed(users):
        reply = next((t for t in history[i + 1:] if t.role == "assistant"), None)
        if reply is not None and cited_documents(reply, documents):
            return i
    return users[-1]


def _audience_words(doc: Document) -> list[str]:
    """The words of a document's audience labels ("children-families": children, families)."""
    return [w.lower() for label in doc.audience for w in re.findall(r"[A-Za-z]{3,}", label)]


# Whom a message asks about: the word after "for / to / with / about / in" ("and for kids?", "in childrens sc", "the
# same for children and families?", "does that apply to carers?"), not a subject ("what do children bring…") or
# "relying on family".
_FOR_WHOM = re.compile(r"\b(?:for|to|with|about|in)\s+(?:the\s+|our\s+|their\s+|young\s+)?([A-Za-z]{3,})", re.I)
# "what's the children's equivalent?", "the carers' version": whom, by the possessive before a word of likeness
_WHOSE = re.compile(r"\b([A-Za-z]{3,})(?:['’]s|s['’])\s+(?:equivalents?|versions?|side)\b", re.I)

_LIKENESS = re.compile(r"(?:\bthe\s+)?" + _WHOSE.pattern + r"\s*[-–—:,]?\s*", re.I)  # the phrase, to take out


def _without_likeness(text: str) -> str:
    """The message without "the children's equivalent", which says where to look, not what to find (unchanged when
    nothing of its own is left)."""
    rest = re.sub(r"\s{2,}", " ", _LIKENESS.sub(" ", text)).strip()
    return rest if rest != text.strip() and own_terms(rest) else text


def _whom(question: str) -> list[str]:
    """The words naming whom a message asks about (_FOR_WHOM, _WHOSE)."""
    return _FOR_WHOM.findall(question) + _WHOSE.findall(question)


def audience_document(question: str, documents: Mapping[str, Document], in_hand: str, similar: Similar | None = None
                      ) -> str:
    """The one document written for someone the message asks about ("and for kids?", "is it the same for children
    and families?") when the document in hand is not written for them: the word naming whom (_FOR_WHOM) is
    compared with the documents' audience labels (by meaning when a `Similar` is given). '' when the document in
    hand is written for them, or none or several others are."""
    if in_hand not in documents:
        return ""
    audiences = {d: _audience_words(doc) for d, doc in documents.items()}
    for word in _whom(question):
        if not own_terms(word):
            continue
        fits = {d for d, words in audiences.items() if words and (set(tokens(word)) <= set(tokens(" ".join(words)))
                                                                   or similar is not None and similar(word, words) >= NEAR)}
        if fits and in_hand not in fits:
            return next(iter(fits)) if len(fits) == 1 else ""
    return ""


NAME_RARITY = 16.0  # a word this rare in English is a name or an acronym ("Colomina", "Bexley", "TLAP"; "accountable" 13)
# Words that set the message beside what was said before ("is SBA the same?", "and different how?")
_BESIDE = frozenset(tokens("same similar different difference differ compared comparison versus too also either "
                           "instead", keep_stopwords=True))


def names_own_topic(question: str, documents: Mapping[str, Document], rarity: Callable[[str], float]) -> bool:
    """A message short only in words ("who is carmen colomina?", "what's Bexley doing on SBA") that neither points
    back nor opens as an ellipsis, and names its own topic: a name or acronym English does not list, which fewer
    than half the library's documents use (the library's own shorthand, "SBA", names no topic). `rarity`:
    search.rarity's (passed in: it reads search.query, which reads this module)."""
    if _ELLIPSIS.match(question) or any(not _anchored(question, m) for m in _POINTER.finditer(question)) or \
            set(tokens(question, keep_stopwords=True)) & _BESIDE or not documents:
        return False
    words = {w for w in re.findall(r"[A-Za-z][\w’'-]*", question) if own_terms(w) and rarity(w) >= NAME_RARITY}
    if not words:
        return False
    held = [_words_of(d) for d in documents.values()]
    return any(sum(_holds(h, w) for h in held) < len(held) / 2 for w in words)


_WORDS_OF: dict[tuple[str, int, int], tuple[frozenset[str], str]] = {}


def _words_of(doc: Document) -> tuple[frozenset[str], str]:
    """A document's lower-cased words and text, worked out once per document version (short messages ask this of
    every document in the library)."""
    key = (doc.doc_id, hash(doc.text), hash(doc.title))  # a str caches its hash: cheap after the first call
    if key not in _WORDS_OF:
        if len(_WORDS_OF) > 20000:
            _WORDS_OF.clear()
        text = f"{doc.title} {doc.text}".lower()
        _WORDS_OF[key] = (frozenset(re.findall(r"\w+", text)), text)
    return _WORDS_OF[key]


def _holds(held: tuple[frozenset[str], str], word: str) -> bool:
    w = word.lower()
    if re.fullmatch(r"\w+", w):
        return w in held[0]
    return bool(re.search(rf"\b{re.escape(w)}\b", held[1]))  # "self-neglect", "o’brien": as written


def _points_back(question: str) -> bool:
    """Something in the message points at what was said before: a pronoun that is not the message's own ("what
    did the glossary say about *that*?") or a word setting it beside the last answer ("something similar")."""
    return bool(_SAYS_SIMILAR.search(question)) or any(not _anchored(question, m) for m in _POINTER.finditer(question))


def _there_is_named(question: str) -> bool:
    """The message refers back only by "there", and does not open as an ellipsis: the place is the document it
    names itself ("kids page - whats SBA there?"), not the one in hand."""
    pointers = [m.group(0).lower() for m in _POINTER.finditer(question) if not _anchored(question, m)]
    return bool(pointers) and set(pointers) == {"there"} and not _ELLIPSIS.match(question)


def _people_named(asked: str, history: list[Turn], users: list[int], prev_docs: list[str],
                  documents: Mapping[str, Document]) -> list[str]:
    """For a message about "he / his job", the people the previous answer names (its documents' authors first)."""
    if not _PERSON.search(asked) or not prev_docs:
        return []
    answered = next((t.content for t in history[users[-1] + 1:] if t.role == "assistant"), "")
    return named_people(answered, [documents[d] for d in prev_docs], documents)


def _besides_name(question: str, doc: Document) -> list[str]:
    """The message's own words other than the words of the document's details it names it by."""
    stems, _, _ = document_details(doc)
    return [t for t in own_terms(question) if t not in stems and t not in GENERIC_NOUNS
            and not DOC_NOUN.fullmatch(t)]


def _besides_description(question: str, doc: Document, similar: Similar | None) -> list[str]:
    """The message's own words other than those that name or describe the document ("kids" of "the kids page")."""
    details = document_details(doc)
    return [w for w in re.findall(r"[\w'’-]+", question)
            if own_terms(w) and set(own_terms(w)) & set(_besides_name(w, doc)) and not describes(w, details, similar)]


def names_document_only(question: str) -> bool:
    """The message refers back only by naming the document in hand ("does that guide get updated ever?"): without
    "that guide" it points at nothing and does not open as an ellipsis."""
    rest = _without_document(question)
    return rest != question and not _ELLIPSIS.match(question) and \
        all(_anchored(rest, m) for m in _POINTER.finditer(rest))


def _without_document(question: str) -> str:
    """'whats the prevention bit on that page say' -> 'whats the prevention bit say' (unchanged if nothing is left)."""
    rest = re.sub(r"\s{2,}", " ", _IN_THAT_DOCUMENT.sub("", question)).strip()
    return rest if len(own_terms(rest)) >= 1 else question


def _fold(question: str, earlier: str) -> str:
    """The question, then the earlier query's words that it does not already have."""
    have = set(tokens(question, keep_stopwords=True))
    words_ = [w.strip(".,;:!?()[]\"'“”‘’–—-") for w in earlier.split()]
    extra = [w for w in words_ if w and not set(tokens(w, keep_stopwords=True)) <= have]
    return f"{question} {' '.join(extra)}".strip() if extra else question


# "what else does it say…", "anything else on…", "any other examples?": something the last answer did not say. Not
# "tell me more about the 2nd one" (it expands on what was said), nor "who else was involved?" or "support from where
# else?" (someone or somewhere else, often in the sentence already quoted)
_MORE = re.compile(r"\b(?:what|anything|something)\s+else\b|\bany\s+other\b|\bother\s+(?:things?|points?|ways?|"
                   r"examples?|bits?|ideas?)\b", re.I)


def asks_for_more(question: str) -> bool:
    """The message asks for what the previous answer did not already say ("what else…", "any other…")."""
    return bool(_MORE.search(question))


def wants_person(question: str) -> bool:
    """The message points at a person ('he', 'his job')."""
    return bool(_PERSON.search(question))


# "what does he say about money", "does she think it works", "he reckons…": what the person says, not who they are
_PERSON_SAYS = re.compile(r"\b(?:he|she|the (?:author|writer))\s+(?:\w+\s+)?(?:say|says|said|think|thinks|thought|reckon|reckons|believe|"
                          r"believes|argue|argues|suggest|suggests|recommend|recommends|feel|feels|mean|means|want|"
                          r"wants|see|sees|put|puts|make|makes)\b", re.I)


def asks_what_person_says(question: str) -> bool:
    """The message asks what a person says or thinks ("does he think it saves money?"), not who they are."""
    return bool(_PERSON_SAYS.search(question))
