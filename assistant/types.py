"""Typed records passed between pipeline stages.

Pydantic models cross module and process boundaries (CLI JSON, the app, the
batch protocol); plain dataclasses are used only for hot internal hits.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

Setting = Literal["adults", "carers", "children-families", "community"]
SETTINGS: tuple[str, ...] = ("adults", "carers", "children-families", "community")
Verdict = Literal["supported", "misattributed", "unsupported", "contradicted"]
QuoteStatus = Literal["verbatim", "altered", "not_found"]


class Heading(BaseModel):
    """A heading inside a cleaned document: where it starts and how deep it is."""

    start: int
    end: int
    level: int
    text: str


class Document(BaseModel):
    """One guidance document after loading and cleaning."""

    doc_id: str = Field(description="Stable id: slug of the file name")
    title: str
    publisher: str = ""
    author: str = ""
    date: str = ""
    url: str = ""
    audience: list[str] = Field(default_factory=list)
    jurisdiction: str = ""
    doc_type: str = ""
    aliases: list[str] = Field(default_factory=list, description="Other names users cite it by")
    source_path: str = ""
    text: str = Field(description="Cleaned text; every offset and quote refers to this")
    pages: list[int] = Field(
        default_factory=list,
        description="For paged sources (PDF): character offset where page i+1 starts",
    )

    @property
    def content_hash(self) -> str:
        from assistant.textutil import sha1

        meta = "|".join([self.title, self.publisher, self.author, self.date, self.url])
        return sha1(meta + "\n" + self.text)


class Chunk(BaseModel):
    """A passage of a few sentences: a verbatim span of its document's cleaned text."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    section: str = Field(default="", description="Heading path, ' > ' separated")
    locator: str = Field(default="", description="Paragraph number such as 6.64, or page")
    title: str = ""
    publisher: str = ""
    url: str = ""

    @property
    def content_hash(self) -> str:
        from assistant.textutil import sha1

        return sha1(self.embed_text)

    @property
    def embed_text(self) -> str:
        """What the embedding model sees: the passage with its title and section for context."""
        head = self.title if not self.section else f"{self.title} — {self.section}"
        return f"{head}\n{self.text}"


class Passage(BaseModel):
    """A retrieved chunk with its scores and rank."""

    rank: int
    chunk_id: str
    doc_id: str
    title: str
    publisher: str = ""
    url: str = ""
    text: str
    score: float = Field(description="Fused retrieval score: standardised cosine similarity plus weighted standardised BM25")
    dense: float = Field(default=0.0, description="Cosine similarity to the query")
    lexical: float = Field(default=0.0, description="BM25 score")
    section: str = ""
    locator: str = ""
    start: int
    end: int


class Citation(BaseModel):
    """A verbatim quote with full provenance, referenced by an inline marker."""

    marker: str = ""
    chunk_id: str
    doc_id: str
    title: str
    publisher: str = ""
    url: str = ""
    quote: str
    start: int
    end: int
    section: str = ""
    locator: str = ""
    source_field: str = Field(default="", description="'' when the quote is from the document's text; 'title', "
                              "'author', 'publisher' or 'date' when it is that detail of the document, verbatim "
                              "(start = end = 0)")


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    doc_ids: list[str] = Field(default_factory=list, description="Optional: the documents an assistant turn "
                               "cited, best first (else they are read from the quotes in its content)")


class Answer(BaseModel):
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    searched_query: str = Field(default="", description="The query actually searched (follow-ups rewritten)")
    closest: list[Passage] = Field(default_factory=list, description="Closest passages when abstaining")
    backend: str = "extractive"
    notices: list[str] = Field(default_factory=list, description="What the user should know (removed sentences…)")
    removed: list[str] = Field(default_factory=list, description="Sentences the LLM wrote that the verifier removed "
                               "(the notice says how many in one line; these are the details)")


class QuoteCheck(BaseModel):
    text: str
    status: QuoteStatus
    doc_id: str | None = None
    matched: str | None = Field(default=None, description="The closest span in the corpus")
    changed: list[str] = Field(default_factory=list, description="Words that differ: 'claim → corpus'")


class Evidence(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    quote: str
    score: float
    start: int = 0
    end: int = 0
    section: str = ""
    locator: str = ""


class ClaimResult(BaseModel):
    text: str
    verdict: Verdict
    cited: str | None = None
    cited_doc_ids: list[str] = Field(default_factory=list)
    supporting_doc_ids: list[str] = Field(default_factory=list)
    quote: QuoteCheck | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    signals: dict[str, float | bool | str | list[str]] = Field(
        default_factory=dict, description="Why: similarity, lexical coverage, mismatches found"
    )
    reason: str = ""
    fix: str = ""


class CheckReport(BaseModel):
    claims: list[ClaimResult]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.claims:
            out[c.verdict] = out.get(c.verdict, 0) + 1
        return out


class SafeguardingCue(BaseModel):
    """One thing noticed in a situation: its words (offsets into the situation), the type it suggests, and how."""

    type: str
    label: str
    words: str
    start: int
    end: int
    source: str = Field(description="'signal table' (a listed phrase) or 'meaning' (close to the indicator bank)")
    strength: str = Field(default="red", description="'red' (strong) or 'amber' (weaker)")


class Safeguarding(BaseModel):
    flag: bool = Field(description="A reminder is shown: red or amber")
    level: str = Field(default="", description="'red' (act on this first), 'amber' (pause and consider) or ''")
    reasons: list[str] = Field(default_factory=list)
    guidance: str = ""
    cues: list[SafeguardingCue] = Field(default_factory=list)
    # Stretches of the situation that read as part of a concern without being cues themselves (an injury's
    # explanation beside a flagged sentence): prompts never reuse their words. Not part of the API.
    _context: list[tuple[int, int]] = PrivateAttr(default_factory=list)

    def concern_spans(self) -> list[tuple[int, int]]:
        return [(c.start, c.end) for c in self.cues] + list(self._context)


class Prompt(BaseModel):
    text: str
    theme: str
    stage: str
    rationale: str
    question_type: str = ""
    approach: str = ""
    prompt_id: str = ""
    personalised: bool = False
    citations: list[Citation] = Field(default_factory=list)


class PromptSet(BaseModel):
    situation: str
    setting: str
    safeguarding: Safeguarding
    prompts: list[Prompt]
    details: dict[str, list[str]] = Field(default_factory=dict, description="Personal details picked up")
    notices: list[str] = Field(default_factory=list, description="What the optional LLM proposed but was not shown")


class DocInfo(BaseModel):
    """One line of `assistant docs`: what is indexed."""

    doc_id: str
    title: str
    publisher: str = ""
    date: str = ""
    audience: list[str] = Field(default_factory=list)
    chunks: int
    added: str
    source_path: str = ""


class IngestReport(BaseModel):
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    skipped: dict[str, str] = Field(default_factory=dict, description="path -> reason")
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
