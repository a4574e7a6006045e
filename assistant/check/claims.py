"""Split text into checkable claims and parse the citations each claim makes.

Citation forms understood: numeric markers ``[1]`` resolved against a trailing
Sources/References list; parenthetical sources naming a title, alias, publisher
or author (optionally with a year); paragraph references (``para 6.64``,
``6.64 of the Care Act guidance``); and free-text attributions ("Ewan King
writes that …", "According to SCIE, …").
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.textutil import sentence_spans, tokens, words
from assistant.types import Chunk, Document

# Words that name a kind of source rather than a particular one: they never identify a document.
GENERIC = frozenset(tokens(
    "guidance guide report blog paper document article website web page publication online available accessed "
    "see also et al ed eds vol pp para paragraph paras chapter section new org www http https com statutory",
    keep_stopwords=True))
_YEAR = re.compile(r"^(?:19|20)\d\d[a-z]?$")
_PARA_NUM = r"\d{1,3}(?:\.\d{1,3}){1,3}"
_PARA_REF = re.compile(rf"\b(?:para(?:graph)?s?\.?|¶|§)\s*({_PARA_NUM}(?:\s*(?:[-–]|and|to)\s*{_PARA_NUM})?)", re.I)
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[-–,]\s*\d{1,3})*)\]")
_PAREN = re.compile(r"\(([^()]{1,200})\)|\[([^\[\]]*[A-Za-z][^\[\]]*)\]")
_SOURCES_HEAD = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?(sources|references|bibliography|works cited|citations|reference list)"
    r"(?:\*\*|__)?[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*(.*)$", re.I | re.M)
_ENTRY_NUM = re.compile(r"^\s*(?:[-*•]\s*)?(?:\[(\d{1,3})\]|(\d{1,3})[.)])\s*")
_URL = re.compile(r"https?://\S+|www\.\S+")
# Verbs that introduce what a source says; the second set only when "that", a colon or a quotation follows
# ("Alex Fox wrote the report" is a claim about Alex Fox, "Alex Fox wrote that …" is an attribution).
_CLAUSE_VERBS = (
    r"(?:says|said|states|stated|writes|notes|noted|argues|argued|explains|suggests|observes|observed|points out|"
    r"emphasi[sz]es|emphasi[sz]ed|stresses|stressed|makes clear|warns|warned|concludes|concluded|maintains|claims|"
    r"claimed|asserts|acknowledges|believes|insists|tells us|reminds us|is clear|was clear)")
_THAT_VERBS = (
    r"(?:wrote|explained|suggested|highlights|highlighted|reports|reported|recommends|recommended|adds|added|found|"
    r"finds|shows|showed|advises|advised|sets out|set out|pointed out|made clear)")
_REPORT_VERBS = rf"(?:{_CLAUSE_VERBS}|{_THAT_VERBS})"
_REPORTING = rf"(?:{_CLAUSE_VERBS}(?:\s+that\b)?|{_THAT_VERBS}\s+that\b|{_THAT_VERBS}(?=\s*[:“\"]))"
_DESCRIBE_VERBS = r"(?:describes|described|defines|defined|characteri[sz]es|calls|called|refers to|presents|frames|sees|views)"
_SRC = r"(?P<src>[^,;:“”\"()]{2,90}?)"
_FRAMES = [
    # "According to SCIE, …" / "As set out in the Care Act guidance, …" / "In the glossary, …"
    ("prefix", re.compile(r"^\s*(?P<frame>(?P<lead>according to|as (?:stated|noted|set out|described|explained|"
                          r"outlined|put|said|argued|written|defined) (?:in|by)|in the words of|as per|in)\s+"
                          + _SRC + r")\s*,\s*", re.I)),
    # "As SCIE notes, …"
    ("prefix", re.compile(r"^\s*(?P<frame>as\s+" + _SRC + r"\s+" + _REPORT_VERBS + r")\s*,\s*", re.I)),
    # "Ewan King writes that …" / "Ewan King, a director at SCIE, says …"
    ("subject", re.compile(r"^\s*(?P<frame>" + _SRC + r"(?:\s*,[^,]{1,100},)?\s+" + _REPORTING
                           + r")\s*[,:]?\s*", re.I)),
    # "The guidance describes strengths-based practice as …": drop the source, keep the description.
    ("describe", re.compile(r"^\s*(?P<frame>" + _SRC + r"\s+" + _DESCRIBE_VERBS + r")\s+", re.I)),
    # "…, according to SCIE." / "…, says Ewan King."
    ("suffix", re.compile(r"[,;]?\s*(?P<frame>(?:according to|as (?:stated|noted|set out|described|explained|argued)"
                          r" (?:in|by)|" + _CLAUSE_VERBS + r")\s+" + _SRC + r")\s*(?P<end>[.!?]*)\s*$", re.I)),
]
_GENERIC_SOURCE = re.compile(r"^(?:(?:the|this|that|our|their|its|his|her)\s+)?(?:guidance|guide|document|report|paper|"
                             r"blog|article|framework|text|author|source|research|evidence|it|they|she|he)$", re.I)
_AUX = frozenset("is are was were has have had can could should must will would may might does do did need needs "
                 "requires helps".split())
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}


@dataclass
class Cite:
    """One citation found in a claim."""

    text: str
    kind: str  # marker | source | para | attribution
    doc_ids: list[str] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return bool(self.doc_ids)


@dataclass
class SourceEntry:
    """One entry of a trailing Sources/References list."""

    number: int
    text: str
    doc_ids: list[str]


@dataclass
class ParsedClaim:
    """A sentence (or part of one) to check: as written, with citations parsed and stripped for judging."""

    text: str
    start: int
    end: int
    body: str
    cites: list[Cite] = field(default_factory=list)

    @property
    def cited(self) -> str | None:
        return "; ".join(c.text for c in self.cites) or None

    @property
    def cited_doc_ids(self) -> list[str]:
        out: list[str] = []
        for c in self.cites:
            out += [d for d in c.doc_ids if d not in out]
        return out

    @property
    def unresolved(self) -> list[Cite]:
        """Citations that name a source the library does not hold (unlisted markers excluded)."""
        return [c for c in self.cites if not c.resolved and c.kind != "marker"]


# ---------------------------------------------------------------- document names


@dataclass
class _Name:
    doc_id: str
    text: str
    toks: frozenset[str]


def name_tokens(text: str) -> set[str]:
    """Tokens that can identify a source: stemmed, no stopwords, no generic source words or paragraph numbers."""
    text = _URL.sub(" ", text)
    out = set()
    for t in tokens(text):
        if t in GENERIC or re.fullmatch(_PARA_NUM, t):
            continue
        out.add(_NUMBER_WORDS.get(t, t))
    return out


class Catalogue:
    """Every name a document can be cited by (title, its parts, aliases, publisher, author), with fuzzy matching."""

    def __init__(self, documents: dict[str, Document], chunks: list[Chunk] | None = None):
        self.documents = documents
        self.names: dict[str, list[_Name]] = {d: [] for d in documents}
        for doc in documents.values():
            for n in _names_of(doc):
                toks = frozenset(name_tokens(n))
                if toks and all(x.toks != toks for x in self.names[doc.doc_id]):
                    self.names[doc.doc_id].append(_Name(doc.doc_id, n, toks))
        self.union = {d: frozenset().union(*(n.toks for n in ns)) for d, ns in self.names.items()}
        df: dict[str, int] = {}
        for u in self.union.values():
            for t in u:
                df[t] = df.get(t, 0) + 1
        n_docs = max(1, len(documents))
        self._unknown = 1.0 + math.log(n_docs + 1)
        self.weight = {t: 1.0 + math.log(n_docs / c) for t, c in df.items()}
        self.locators: dict[str, list[str]] = {}
        for c in chunks or []:
            if c.locator:
                self.locators.setdefault(c.doc_id, []).append(c.locator)

    def _w(self, toks) -> float:
        return sum(self.weight.get(t, self._unknown) for t in toks)

    def scores(self, text: str) -> dict[str, float]:
        """F1 of weighted token overlap between the text and each document's best-matching name."""
        c = name_tokens(text)
        out = {}
        for doc_id, names in self.names.items():
            u = self.union[doc_id]
            cc = {t for t in c if not (_YEAR.match(t) and t not in u)}  # a citation's year is not part of a name
            if not cc or not names:
                continue
            prec = self._w(cc & u) / self._w(cc)
            rec = max(self._w(cc & n.toks) / self._w(n.toks) for n in names)
            if prec and rec:
                out[doc_id] = 2 * prec * rec / (prec + rec)
        return out

    def match(self, text: str, threshold: float = 0.6) -> list[str]:
        """Documents the text names: every one scoring within a hair of the best (a shared publisher names several)."""
        s = self.scores(text)
        if not s:
            return []
        best = max(s.values())
        if best < threshold:
            return []
        return [d for d in self.documents if s.get(d, 0.0) >= best - 0.05]

    def by_paragraph(self, ref: str) -> list[str]:
        """Documents whose text or passage locators hold this paragraph number (or a number in this range)."""
        nums = re.findall(_PARA_NUM, ref)
        if not nums:
            return []
        lo, hi = _num_key(nums[0]), _num_key(nums[-1])
        out = []
        for doc_id, doc in self.documents.items():
            found = any(lo <= _num_key(n) <= hi for n in re.findall(rf"(?<![\d.]){_PARA_NUM}(?![\d])", doc.text))
            locs = [n for loc in self.locators.get(doc_id, []) for n in re.findall(_PARA_NUM, loc)]
            if found or any(lo <= _num_key(n) <= hi for n in locs):
                out.append(doc_id)
        return out

    def title(self, doc_id: str) -> str:
        return self.documents[doc_id].title if doc_id in self.documents else doc_id


def _num_key(n: str) -> tuple[int, ...]:
    return tuple(int(p) for p in n.split("."))


def _names_of(doc: Document) -> list[str]:
    out = [doc.title, *doc.aliases]
    out += [p for p in re.split(r"\s*[:–—|]\s*", doc.title) if len(name_tokens(p)) >= 2]
    if doc.publisher:
        out.append(doc.publisher)
        m = re.match(r"(.*?)\s*\(([^)]+)\)\s*$", doc.publisher)
        if m:
            out += [m.group(1), m.group(2)]
    if doc.author:
        out.append(doc.author)
        if len(doc.author.split()) > 1:
            out.append(doc.author.split()[-1])
    return [n for n in out if n.strip()]


# ---------------------------------------------------------------- sources list


def split_sources(text: str, cat: Catalogue) -> tuple[str, list[SourceEntry]]:
    """Cut a trailing Sources/References list off the text; return (body, parsed entries)."""
    heads = list(_SOURCES_HEAD.finditer(text))
    if not heads:
        return text, []
    m = heads[-1]
    inline, rest = m.group(2).strip(), text[m.end():]
    raw = ([inline] if inline else []) + rest.split("\n")
    if inline and _MARKER.search(inline):  # "Sources: [1] … [2] …" on one line
        raw = [p for p in re.split(r"(?=\[\d{1,3}\])", inline) if p.strip()] + rest.split("\n")
    entries: list[SourceEntry] = []
    for line in raw:
        line = line.strip()
        if not line:
            continue
        num = _ENTRY_NUM.match(line)
        n = int(num.group(1) or num.group(2)) if num else len(entries) + 1
        body = line[num.end():] if num else re.sub(r"^[-*•]\s*", "", line)
        entries.append(SourceEntry(n, body.strip(), cat.match(body, threshold=0.5)))
    return text[:m.start()], entries


# ---------------------------------------------------------------- claims


def split_claims(text: str, cat: Catalogue) -> tuple[list[ParsedClaim], list[SourceEntry]]:
    """Claims to check in a text (headings and the Sources list skipped), plus the parsed Sources list."""
    body, sources = split_sources(text, cat)
    numbered = {e.number: e for e in sources}
    claims: list[ParsedClaim] = []
    for s, e in _sentence_spans(body):
        if _is_heading(body, s, e) or not_a_claim(body[s:e], cat):
            continue
        for ps, pe in _split_long(body, s, e):
            claims.append(parse_claim(body[ps:pe], cat, numbered, ps))
    return _inherit_trailing([c for c in claims if _states_something(c, cat)], body), sources


@functools.lru_cache(maxsize=1)
def _furniture() -> tuple[re.Pattern, re.Pattern, int]:
    """Greetings, sign-offs and header fields (not_claims.yaml) as two patterns, and the longest such line."""
    data = yaml.safe_load(Path(__file__).with_name("not_claims.yaml").read_text(encoding="utf-8"))

    def alt(phrases: list[str]) -> str:
        return "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))

    openers = re.compile(rf"^\W*(?:{alt(data['openers'])})\b(?!\s+to\b)", re.I)
    fields = re.compile(rf"^\W*(?:{alt(data['fields'])})\s*:", re.I)
    return openers, fields, int(data["max_words"])


def not_a_claim(sentence: str, cat: Catalogue) -> bool:
    """A greeting, sign-off, header field, question or lone reference: nothing the guidance could support."""
    openers, fields, max_words = _furniture()
    text = sentence.strip()
    if fields.match(text) or (openers.match(text) and len(words(text)) <= max_words):
        return True
    if re.search(r"\?[\"”’)\]]*$", text):
        return True  # a question asks; it claims nothing
    return _only_names_sources(text, cat)


def _only_names_sources(text: str, cat: Catalogue) -> bool:
    """'Care Act 2014 guidance, para 6.64.' or 'See SCIE (2015).': every word names a source, a year or a paragraph."""
    stripped = _PARA_REF.sub(" ", _URL.sub(" ", text))
    stripped = re.sub(r"^\W*(?:see(?:\s+also)?|source|ref(?:erence)?|cf)\b\.?:?", " ", stripped, flags=re.I)
    toks = [t for t in name_tokens(stripped) if not _YEAR.match(t)]
    names = frozenset().union(*cat.union.values()) if cat.union else frozenset()
    return all(t in names for t in toks)


def _states_something(claim: ParsedClaim, cat: Catalogue) -> bool:
    """Once its citations are stripped, the claim still says something beyond naming a source."""
    return bool(claim.body.strip()) and not _only_names_sources(claim.body, cat)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        # "….[1] Next sentence": the splitter does not cut after a marker, so cut here.
        cut = s
        for m in re.finditer(r"[.!?][\"”’)]*((?:\s*\[\d[^\]]*\])+)(?=\s+[A-Z“\"‘(])", text[s:e]):
            spans.append((cut, s + m.end()))
            cut = s + m.end()
        spans.append((_skip_space(text, cut), e))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        frag = _strip_citations(text[s:e])
        # A citation left alone after the full stop ("… support.” (SCIE, 2015).") belongs to the sentence before.
        if merged and not re.search(r"[A-Za-z]{2}", frag) and "\n\n" not in text[merged[-1][1]:s]:
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _strip_citations(text: str) -> str:
    return _PAREN.sub(" ", _MARKER.sub(" ", text))


def _is_heading(text: str, s: int, e: int) -> bool:
    line_start = text.rfind("\n", 0, s) + 1
    line = text[line_start:text.find("\n", e) if text.find("\n", e) >= 0 else len(text)].strip()
    sent = text[s:e].strip()
    if line.startswith("#") or re.fullmatch(r"(\*\*|__).*(\*\*|__):?", sent):
        return True
    if sent.endswith(":"):
        return True  # a lead-in to a list, not a claim
    return len(words(sent)) < 4 and not re.search(r"[.!?][\"”’)\]]*$", sent)


def _split_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Cut a long sentence at '; ' or ', and/but' when both sides are full assertions (conservative)."""
    sent = text[s:e]
    if len(words(sent)) < 14:
        return [(s, e)]
    cuts = []
    for m in re.finditer(r";\s+|,\s+(?:and|but|while|whereas)\s+", sent):
        if _inside_brackets_or_quotes(sent, m.start()):
            continue
        left, right = sent[:m.start()], sent[m.end():]
        if len(words(_strip_citations(left))) < 5 or len(words(_strip_citations(right))) < 5:
            continue
        head = [w.lower() for w in words(right)[:4]]
        if m.group().strip() == ";" or (_AUX & set(head[1:])):
            cuts.append((m.start(), m.end()))
    if not cuts:
        return [(s, e)]
    out, pos = [], 0
    for a, b in cuts:
        out.append((s + pos, s + a))
        pos = b
    out.append((s + pos, e))
    return out


def _inside_brackets_or_quotes(text: str, i: int) -> bool:
    before = text[:i]
    return (before.count("(") > before.count(")") or before.count("“") > before.count("”")
            or before.count('"') % 2 == 1)


def _inherit_trailing(claims: list[ParsedClaim], text: str) -> list[ParsedClaim]:
    """Parts cut from one sentence share the citation at its end when they have none of their own."""
    for a, b in zip(claims, claims[1:]):
        joined = re.fullmatch(r"\s*(?:;|,\s*(?:and|but|while|whereas))\s*", text[a.end:b.start])
        if joined and not a.cites and b.cites:
            a.cites = list(b.cites)
    return claims


def parse_claim(text: str, cat: Catalogue, numbered: dict[int, SourceEntry] | None = None,
                offset: int = 0) -> ParsedClaim:
    """Find the citations in one claim and the body left to judge once they are stripped."""
    numbered = numbered or {}
    cites: list[Cite] = []
    body = text

    def marker(m: re.Match) -> str:
        nums = _expand_numbers(m.group(1))
        docs = [d for n in nums if n in numbered for d in numbered[n].doc_ids]
        cites.append(Cite(m.group(0), "marker", list(dict.fromkeys(docs))))
        return " "

    body = _MARKER.sub(marker, body)
    body = _PAREN.sub(lambda m: _paren(m, cat, cites), body)
    body = _PARA_REF.sub(lambda m: _para_free(m, cat, cites), body)
    body = _bare_para(body, cat, cites)
    body = _frames(body, cat, cites)
    body = re.sub(r"(\*\*|__)", "", body)
    body = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", body)).strip()
    body = re.sub(r"^[,;:\s]+|(?<=[.!?])[,;:\s.]+$", "", body)
    return ParsedClaim(text.strip(), offset, offset + len(text.rstrip()), body, cites)


def _expand_numbers(spec: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*,\s*", spec.strip()):
        rng = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if rng:
            lo, hi = int(rng.group(1)), int(rng.group(2))
            out += list(range(lo, min(hi, lo + 50) + 1))
        elif part.isdigit():
            out.append(int(part))
    return out


def _paren(m: re.Match, cat: Catalogue, cites: list[Cite]) -> str:
    inner = m.group(1) if m.group(1) is not None else m.group(2)
    para = _PARA_REF.search(inner)
    rest = _PARA_REF.sub(" ", inner)
    docs = cat.match(rest) if name_tokens(rest) else []
    if para:
        by_para = cat.by_paragraph(para.group(1))
        docs = [d for d in docs if d in by_para] or docs or by_para
    elif not docs and not _looks_like_citation(inner):
        return m.group(0)  # "(SBAs)", "(or asset-based)": part of the claim, not a citation
    cites.append(Cite(m.group(0), "para" if para and not name_tokens(rest) else "source", docs))
    return " "


def _looks_like_citation(inner: str) -> bool:
    """An unknown source still reads like a citation: 'Smith, 2019', 'NICE 2018', 'et al.'."""
    if re.search(r"\bet al\b", inner):
        return True
    return bool(re.search(r"[A-Z][\w.&’' -]*,?\s+(?:19|20)\d\d[a-z]?\b", inner)) and len(words(inner)) <= 8


def _para_free(m: re.Match, cat: Catalogue, cites: list[Cite]) -> str:
    tail = re.match(r"\s+of\s+(?:the\s+)?(?P<src>[^,.;()]{3,80})", m.string[m.end():])
    docs = cat.by_paragraph(m.group(1))
    text = m.group(0)
    if tail:
        named = cat.match(tail.group("src"))
        if named:
            docs = [d for d in docs if d in named] or named
    cites.append(Cite(text.strip(), "para", docs))
    return " "


def _bare_para(body: str, cat: Catalogue, cites: list[Cite]) -> str:
    """'6.64 of the Care Act guidance': a bare number counts only when a library document is named after it."""
    pat = re.compile(rf"(?:\bsee\s+)?\b({_PARA_NUM})\s+of\s+(?:the\s+)?(?P<src>[^,.;()]{{3,80}})")
    for m in list(pat.finditer(body)):
        src = m.group("src")
        words_ = src.split()
        for k in range(len(words_), 0, -1):  # the longest leading phrase that names a document
            named = cat.match(" ".join(words_[:k]))
            if named:
                by_para = cat.by_paragraph(m.group(1))
                end = m.start("src") + len(" ".join(words_[:k]))
                cites.append(Cite(body[m.start():end], "para", [d for d in named if d in by_para] or named))
                body = body[:m.start()] + " " + body[end:]
                break
    return body


def _frames(body: str, cat: Catalogue, cites: list[Cite]) -> str:
    """Strip a reporting frame ('According to SCIE, …', 'Ewan King writes that …') and record it as a citation."""
    for kind, pat in _FRAMES:
        m = pat.search(body)
        if not m:
            continue
        src = m.group("src").strip()
        if len(src.split()) > 9:
            continue
        docs = cat.match(src, threshold=0.75)  # stricter: a sentence's subject is usually not a source
        generic = bool(_GENERIC_SOURCE.match(src)) or not name_tokens(src)
        according = kind == "prefix" and m.group("frame").lower().startswith("according to")
        if not (docs or generic or according):
            continue
        if docs or according:
            cites.append(Cite(m.group("frame").strip(), "attribution", docs))
        if kind == "suffix":
            return body[:m.start()] + (m.group("end") or ".")
        return body[m.end():]
    return body


_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


def number_words(text: str) -> str:
    """Spell-out numbers to digits ('ten' -> '10') so figures compare either way."""
    return _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1).lower()], text)
