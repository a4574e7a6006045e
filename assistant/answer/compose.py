"""The answer as the user reads it: chosen sentences quoted and attributed, each with its marker and citation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.answer.cues import is_navigation
from assistant.answer.sentences import Sentence, sentence_kind
from assistant.search.docnouns import alternation, load_document_nouns
from assistant.textutil import sentence_spans
from assistant.types import Answer, Citation, Document, Passage

ABSTAIN_TEXT = ("The guidance in the library does not cover this question, so there is no grounded answer to give. "
                "The closest passages found are listed below; they may help you decide where to look next.")
VAGUE_NOTICE = "The question has no words to search for on its own: add what you want to know about."


def compose(question: str, query: str, chosen: list[Sentence], documents: Mapping[str, Document] | None = None,
            bullets: bool = False) -> Answer:
    """The chosen sentences as quotes attributed to their source, each with its marker and citation.

    A sentence leaning on the one before it ("This is also subject to…") brings that sentence first, so it
    reads on its own; list items (and every quote, when bullets are asked for) are shown as bullets."""
    quotes = with_antecedents(chosen, documents) if documents else [_quote(s) for s in chosen]
    order = list(dict.fromkeys(q.passage.doc_id for q in quotes))  # each source's quotes together, lead first
    quotes.sort(key=lambda q: order.index(q.passage.doc_id))
    return compose_quotes(question, query, quotes, bullets)


def compose_quotes(question: str, query: str, quotes: list[Quote], bullets: bool = False) -> Answer:
    """Quotes in order: attributed when the source changes, lead-ins on their own line, items as bullets."""
    blocks: list[list[str]] = []
    cites, prev_doc = [], None
    for n, q in enumerate(quotes, 1):
        marker = f"[{n}]"
        p = q.passage
        lead = f"{source_name(p)} says: " if p.doc_id != prev_doc else ""
        if q.kind == "pointer":  # the object of "See also…" / "Click … to hear…": said to be pointed at
            lead = f"{source_name(p)} {pointer_verb(p.text[:max(0, q.start - p.start)])} "
        prev_doc = p.doc_id
        item = bullets or q.kind == "item"
        label = f"{q.label[:1].upper()}{q.label[1:]}: " if q.label else ""
        piece = f"{'- ' if item else ''}{label}{lead}“{q.text}” {marker}"
        if q.kind == "item-more" and blocks:  # the second sentence of one bullet stays on its line
            blocks[-1].append(piece)
        elif item or q.kind == "lead-in" or not blocks or blocks[-1][0].startswith("- "):
            blocks.append([piece])
        else:
            blocks[-1].append(piece)
        cites.append(Citation(marker=marker, chunk_id=p.chunk_id, doc_id=p.doc_id, title=p.title,
                              publisher=p.publisher, url=p.url, quote=q.text, start=q.start, end=q.end,
                              section=p.section, locator=p.locator))
    return Answer(question=question, answer=_join(blocks), abstained=False, citations=cites, searched_query=query)


_MEDIA = re.compile(r"\b(?:hear|listen|watch|video|image|picture|recording|podcast)\b[^.!?]*$", re.I)


def pointer_verb(before: str) -> str:
    """How an answer says a document points at something, from the pointer's words before it ("Click on the image
    above to hear our": a recording)."""
    return "links to a recording of" if _MEDIA.search(before[-120:]) else "points to"


def _join(blocks: list[list[str]]) -> str:
    out = ""
    for b in blocks:
        text = " ".join(b)
        if out:
            out += "\n" if text.startswith("- ") else "\n\n"
        out += text
    return out


@dataclass
class Quote:
    passage: Passage
    start: int
    end: int
    text: str
    kind: str = "sentence"
    label: str = ""  # a comparison's side ("children"), shown before the quote


def _quote(s: Sentence) -> Quote:
    text = s.text.rstrip()
    return Quote(s.passage, s.start, s.start + len(text), text, s.kind)


_ANAPHOR = re.compile(r"^(?:(?:hence|thus|therefore|so),?\s+)?(?:this|these|those|it|its|it’s|it's|they|their|such|"
                      r"as such|that)\b|^(?:hence|thus|therefore)\b|^(?:key|central|crucial|essential) to (?:this|that)\b",
                      re.I)
_DOC_NOUN = re.compile(r"^(?:this|these) (?:(?:new|latest|recent|updated|short|quick|full|original|online) )?(?:"
                       + alternation(load_document_nouns()["nouns"]) + r")s?\b", re.I)


def with_antecedents(chosen: list[Sentence], documents: Mapping[str, Document]) -> list[Quote]:
    """The chosen quotes, each "This / It / These…" sentence preceded by the sentence it leans on (unless it
    names the document itself — "This guide…" — which its attribution names)."""
    out: list[Quote] = []
    for s in chosen:
        q = _quote(s)
        if any(o.passage.doc_id == q.passage.doc_id and o.start == q.start for o in out):
            continue  # already quoted as the lead-in or antecedent of another
        doc = documents.get(q.passage.doc_id)
        lean: list[Quote] = []
        if doc is not None:
            span = lead_in(doc.text, q.start) if q.kind == "item" else _leans_on(doc.text, q)
            while span and len(lean) < 3 and not any(o.passage.doc_id == q.passage.doc_id and o.start == span[0]
                                                      for o in out + lean):
                kind = "lead-in" if q.kind == "item" else "sentence"
                lean.insert(0, Quote(q.passage, span[0], span[1], doc.text[span[0]:span[1]], kind))
                span = _leans_on(doc.text, lean[0]) if kind == "sentence" else None  # "It’s also…" leans too
        out.extend(lean)
        out.append(q)
    return out


def _leans_on(text: str, q: Quote) -> tuple[int, int] | None:
    if _ANAPHOR.match(q.text) and not _DOC_NOUN.match(q.text):
        return antecedent(text, q.start)
    return None


def lead_in(text: str, start: int) -> tuple[int, int] | None:
    """The 'An SBA essentially:' line that a list item at start belongs to, or None."""
    pos = text.rfind("\n", 0, start)
    while pos > 0:
        prev = text.rfind("\n", 0, pos) + 1
        line = text[prev:pos].strip()
        if line.endswith(":"):
            s = prev + text[prev:pos].index(line)
            return s, s + len(line)
        if not re.match(r"(?:[-*•]|\d+[.)])\s", line):
            return None
        pos = prev - 1
    return None


def antecedent(text: str, start: int) -> tuple[int, int] | None:
    """The sentence before the one at start, in its paragraph or ending the paragraph before; None when that
    is a heading, a lead-in or a list item (nothing a reader could take it to refer to)."""
    para = text.rfind("\n\n", 0, start)
    lo = 0 if para < 0 else para + 2
    spans = [sp for sp in sentence_spans(text, lo, start) if sp[1] <= start]
    if not spans and para > 0:
        prev = text.rfind("\n\n", 0, para)
        spans = sentence_spans(text, 0 if prev < 0 else prev + 2, para)
    if not spans:
        return None
    s, e = spans[-1]
    if sentence_kind(text, s, e) != "sentence" or is_navigation(text[s:e]):
        return None
    return s, e


def source_name(p: Passage) -> str:
    """How an answer names a passage's source: its title, with the publisher's short name."""
    title = re.sub(r"[?!]", "", p.title).strip().rstrip(".:;")
    pub = p.publisher.strip()
    short = m.group(1) if (m := re.search(r"\(([A-Z][A-Za-z.]{1,9})\)", pub)) else pub
    if not short or short.lower() in title.lower() or len(short.split()) > 4:
        return title
    return f"{title} ({short})"


# A question about a document's own details: which detail it asks for, and how the answer says it.
_DOCUMENT_NOUNS = r"(?:document|doc|report|guidance|guide|blog|page|paper|piece|article|post|press release|release)"
_DETAILS = (("author", re.compile(r"\bwho (?:wrote|is the author of|authored)\b|\bwritten by\b|\bauthor\b|"
                                  r"\bwhose " + _DOCUMENT_NOUNS + r"\b", re.I),
             "was written by"),
            ("publisher", re.compile(r"\bwho (?:published|publishes|puts? out|issued|produced)\b|\bpublisher\b",
                                     re.I), "is published by"),
            ("date", re.compile(r"\bwhen (?:was|is|did) (?:it|that|this|the \w+) (?:published|written|come out|"
                                r"released|issued)\b|\bpublication date\b", re.I), "is dated"),
            # "what's it called?", "what is the title of that report?" (the document in hand, not a term in it)
            # ("what was that version called?" asks about something the document names, not the document)
            ("title", re.compile(r"\bwhat(?:s|'s|’s| is| was) (?:it|that|this|(?:that|this|the)(?: \w+)? " + _DOCUMENT_NOUNS +
                                 r") (?:(?:actually|even|again|officially|now) )?called\b|\b(?:title|name) "
                                 r"of (?:it|that|this)\b|\bwhat(?:'s|’s| is) (?:its|the) (?:title|name)\b", re.I),
             "is the title of the document"))  # (worded in detail_answer)


def document_detail(question: str) -> str:
    """'author', 'publisher', 'date' or 'title' when the question asks for that detail of a document, else ''."""
    return next((name for name, pattern, _ in _DETAILS if pattern.search(question)), "")


def detail_answer(question: str, query: str, doc: Document, detail: str) -> Answer:
    """The answer from the document's own details ("who published that guidance?"), cited to that detail."""
    verb = next(v for name, _, v in _DETAILS if name == detail)
    value = getattr(doc, detail).strip()
    if detail == "title":
        # The title first, then words in lower case: a title ending "…areas?'" must not end the sentence.
        publisher = f", published by {doc.publisher}" if doc.publisher else ""
        return Answer(question=question, answer=f"“{value}” is the title of the document{publisher}. [1]",
                      abstained=False,
                      citations=[Citation(marker="[1]", chunk_id=f"{doc.doc_id}#title", doc_id=doc.doc_id,
                                          title=doc.title, publisher=doc.publisher, url=doc.url, quote=value,
                                          start=0, end=0, section="Document details", source_field="title")],
                      searched_query=query)
    cite = Citation(marker="[1]", chunk_id=f"{doc.doc_id}#{detail}", doc_id=doc.doc_id, title=doc.title,
                    publisher=doc.publisher, url=doc.url, quote=value, start=0, end=0,
                    section="Document details", source_field=detail)
    text, cites = f"“{doc.title}” {verb} {value}. [1]", [cite]
    if detail == "author" and (where := _naming_sentence(doc, value)) is not None:
        # where the document itself says who wrote it ("…, says Ewan King, Director of…"): his role comes too
        s, e = where
        cites.append(cite.model_copy(update={"marker": "[2]", "chunk_id": f"{doc.doc_id}@{s}", "quote": doc.text[s:e],
                                             "start": s, "end": e, "section": "", "source_field": ""}))
        text += f" The document says: “{doc.text[s:e]}” [2]"
    return Answer(question=question, answer=text, abstained=False, citations=cites, searched_query=query)


def _naming_sentence(doc: Document, name: str) -> tuple[int, int] | None:
    """The first sentence of the document that names the person (a sentence, not a heading or a fragment)."""
    at = doc.text.find(name)
    while at >= 0:
        for s, e in sentence_spans(doc.text, doc.text.rfind("\n", 0, at) + 1, doc.text.find("\n", at) % (len(doc.text) + 1)):
            if s <= at < e and sentence_kind(doc.text, s, e) in ("sentence", "byline"):
                return s, e
        at = doc.text.find(name, at + len(name))
    return None


def _mask_inner_stops(m: re.Match) -> str:
    """A quotation with its inner full stops masked (same length), its final one kept."""
    q = m.group(0)
    return re.sub(r"[.!?](?![.!?'’\")\]]*”$)", "\u2024", q)


def split_answer_sentences(text: str) -> list[str]:
    """Sentences of an answer, each keeping its trailing citation markers; a “quotation” is one unit, however
    many full stops it holds."""
    out = []
    masked = re.sub(r"“[^”\n]*”", _mask_inner_stops, text)
    for s, e in sentence_spans(masked):
        piece = text[s:e]
        m = re.match(r"^(\s*(?:\[\d+\]\s*)+)", piece)
        if m and out:  # markers that sentence splitting pushed to the next sentence
            out[-1] += " " + m.group(1).strip()
            piece = piece[m.end():]
        # a cited quotation ends its sentence even without a full stop: “… 26 March” [1] “…
        for part in re.split(r"(?<=”\s\[\d\])\s+|(?<=”\s\[\d\d\])\s+", piece):
            if part.strip():
                out.append(part.strip())
    return out
