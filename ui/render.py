"""HTML and Markdown for the app. Every document text and user input passes through esc() first."""

from __future__ import annotations

import difflib
import html
import re

from assistant.prompts.generate import STAGES
from assistant.types import (
    Answer,
    CheckReport,
    ClaimResult,
    DocInfo,
    Passage,
    PromptSet,
    QuoteCheck,
)

PRIVACY_SCAN_CHARS = 100_000  # the live personal-details warning reads this much of a text box
CONTEXT_CHARS = 600  # most text shown either side of a quote when its paragraph is very long
VERDICTS = {  # label, symbol: the verdict is written out, never shown by colour alone
    "supported": ("Supported", "✓"),
    "misattributed": ("Misattributed", "⚠"),
    "unsupported": ("Unsupported", "?"),
    "contradicted": ("Contradicted", "✗"),
}


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def notice(message: str, kind: str = "error") -> str:
    """An inline message (errors, empty results) that screen readers announce."""
    role = "alert" if kind == "error" else "status"
    return f'<div class="sa-notice sa-{kind}" role="{role}">{esc(message)}</div>'


def locator_text(locator: str) -> str:
    """A passage's locator as practitioners cite it: 'para 6.64', 'paras 6.64–6.66', 'p. 9', 'para 6.64, p. 9'."""
    loc = (locator or "").strip()
    if not loc or not loc[0].isdigit():
        return loc
    head, _, page = loc.partition(", ")
    head = f"paras {head}" if re.search(r"[–-]", head) else f"para {head}"
    return f"{head}, {page}" if page else head


def where(item) -> str:
    """'Publisher · Section · para 6.64' for anything with provenance fields (never character offsets)."""
    title = getattr(item, "title", "") or ""
    section = getattr(item, "section", "") or ""
    section = " › ".join(p for p in re.split(r"\s+[>›]\s+", section) if p and p != title)
    parts = [getattr(item, "publisher", "") or "", section, locator_text(getattr(item, "locator", "") or "")]
    return " · ".join(p for p in parts if p)


# ---------------------------------------------------------------- quotes in context


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph(s) around [start, end): from the blank line before to the blank line after."""
    before = text.rfind("\n\n", 0, start)
    after = text.find("\n\n", end)
    lo = 0 if before < 0 else before + 2
    hi = len(text) if after < 0 else after
    return max(lo, start - CONTEXT_CHARS), min(hi, end + CONTEXT_CHARS)


def quote_in_context(doc_text: str | None, quote: str, start: int, end: int) -> str:
    """The quote marked inside its paragraph; the bare quote if the offsets no longer match the document."""
    if not doc_text or doc_text[start:end] != quote:
        return f'<p class="sa-context"><mark>{esc(quote)}</mark></p>'
    lo, hi = paragraph_bounds(doc_text, start, end)
    head = ("… " if lo > 0 and doc_text[lo - 1] not in "\n" else "") + doc_text[lo:start]
    tail = doc_text[end:hi] + (" …" if hi < len(doc_text) and doc_text[hi] not in "\n" else "")
    return (f'<p class="sa-context">{_lines(head)}<mark>{_lines(quote)}</mark>{_lines(tail)}</p>')


def _lines(text: str) -> str:
    """Escaped text keeping paragraph breaks and list lines; other single newlines are just wrapping."""
    out = esc(text).replace("\n\n", "<br><br>")
    return _LIST_LINE.sub("<br>", out)


_LIST_LINE = re.compile(r"\n(?=[ \t]*(?:[-•*]|\d+[.)])\s)")


# ---------------------------------------------------------------- ask


def answer_message(ans: Answer, turn: int = 0) -> str:
    """The chat bubble: answer text with its markers as links to their sources, then follow-up and notice lines."""
    parts = [_marker_links(esc(ans.answer), turn, {c.marker for c in ans.citations})]
    if ans.searched_query and ans.searched_query.strip() != ans.question.strip():
        parts.append(f"*Searched for: {esc(ans.searched_query)}*")
    parts += [f"> Note: {esc(n)}" for n in ans.notices]
    if ans.removed:  # the notice says how many in one line; the sentences themselves stay folded
        items = "".join(f"<li>{esc(r)}</li>" for r in ans.removed)
        s = "sentence" if len(ans.removed) == 1 else "sentences"
        parts.append(f'<details class="sa-removed"><summary>Show the {len(ans.removed)} removed {s}</summary>'
                     f"<ul>{items}</ul></details>")
    if ans.citations:
        parts.append("*Select a marker such as [1] to see its source, quoted in its paragraph.*")
    return "\n\n".join(parts)


def draft_message(text: str) -> str:
    """An LLM's answer while it is being written: plain text (its markers are not links yet), marked as a draft
    that is checked against the guidance before it stands."""
    body = esc(text.strip()) or "…"
    return (f'<p class="sa-draft-label" role="status">Writing an answer… it is checked against the guidance '
            f"before it is shown as the answer.</p>\n\n{body}")


def cite_id(turn: int, marker: str) -> str:
    """The HTML id of a citation card: one per answer (turn) and marker, so older answers' markers still work."""
    tail = re.sub(r"\W", "", marker or "") or "x"
    return f"cite-{turn}-{tail}"


def _marker_links(escaped: str, turn: int, markers: set[str]) -> str:
    def link(m: re.Match) -> str:
        marker = m.group(0)
        if marker not in markers:
            return marker
        n = marker[1:-1]
        return (f'<a href="#{cite_id(turn, marker)}" class="sa-ref" aria-label="source {n}" '
                f'title="Show source {n}">{marker}</a>')
    return re.sub(r"\[\d+\]", link, escaped)


def sources_panel(ans: Answer | None, doc_texts: dict[str, str], turn: int = 0, selected: str | None = None) -> str:
    """Citation cards (quote marked in its paragraph), or the closest passages when the answer abstained."""
    if ans is None:
        return '<div class="sa-sources"><p class="sa-muted">Sources for each answer appear here.</p></div>'
    out = ['<div class="sa-sources">']
    out.append(f'<p class="sa-for">Sources for: <q>{esc(ans.question)}</q></p>')
    if ans.searched_query and ans.searched_query.strip() != ans.question.strip():
        out.append(f'<p class="sa-searched">Searched for: <q>{esc(ans.searched_query)}</q></p>')
    if ans.abstained:
        out.append('<p class="sa-abstained" role="status">The guidance in the library does not answer this '
                   'question, so no answer is given.</p>')
        out.append(passages_list(ans.closest, "Closest passages (they do not answer the question)"))
    else:
        out.append(f"<h3>Sources ({len(ans.citations)})</h3>")
        chosen = selected or (ans.citations[0].marker if ans.citations else None)
        for c in ans.citations:
            out.append(citation_card(c, doc_texts.get(c.doc_id), opened=c.marker == chosen, turn=turn))
    out.append("</div>")
    return "\n".join(out)


_PARA_START = re.compile(r"\s*(?:para(?:graph)?\.?\s*)?(\d{1,3}(?:\.\d{1,3}){1,3})[.)]?\s+\S")


def quote_locator(c, doc_text: str | None) -> str:
    """The paragraph number of the paragraph holding the quote, when its passage spans several ('paras 6.63–6.64'
    narrowed to '6.64'); otherwise the passage's own locator."""
    loc = c.locator or ""
    if not doc_text or not re.match(r"\d", loc) or doc_text[c.start:c.end] != c.quote:
        return loc
    para_start = doc_text.rfind("\n\n", 0, c.start + 1)
    m = _PARA_START.match(doc_text, 0 if para_start < 0 else para_start + 2)
    if not m or m.group(1) not in re.findall(r"\d{1,3}(?:\.\d{1,3}){1,3}", loc) and "–" not in loc:
        return loc
    page = loc.partition(", ")[2]
    return f"{m.group(1)}, {page}" if page else m.group(1)


def citation_card(c, doc_text: str | None, opened: bool = False, turn: int = 0) -> str:
    """One citation as a <details> card: summary says where, the body shows the marked paragraph."""
    marker = esc(c.marker or "•")
    link = (f' · <a href="{esc(c.url)}" rel="noopener noreferrer" target="_blank">Open {esc(c.title)} online</a>'
            if _safe_url(c.url) else "")
    n = esc((c.marker or "").strip("[]"))
    meta = f'<p class="sa-meta">{link.removeprefix(" · ")}</p>' if link else ""
    return (f'<details class="sa-cite" id="{cite_id(turn, c.marker)}"{" open" if opened else ""}>'
            f'<summary><span class="sa-marker" aria-label="source {n}">{marker}</span> <strong>{esc(c.title)}</strong>'
            f'<span class="sa-where">{esc(where(c.model_copy(update={"locator": quote_locator(c, doc_text)})))}'
            f"</span></summary>"
            f'{quote_in_context(doc_text, c.quote, c.start, c.end)}{meta}'
            f"</details>")


def _safe_url(url: str) -> bool:
    return bool(url) and url.lower().startswith(("https://", "http://"))


def passages_list(passages: list[Passage], heading: str) -> str:
    if not passages:
        return f"<h3>{esc(heading)}</h3><p class='sa-muted'>No passages found.</p>"
    items = [f'<li class="sa-passage"><strong>{esc(p.title)}</strong> <span class="sa-where">'
             f'{esc(where(p))}</span>'
             f'<p class="sa-text">{_lines(p.text)}</p></li>' for p in passages]
    return f'<h3>{esc(heading)}</h3><ol class="sa-passages">{"".join(items)}</ol>'


# ---------------------------------------------------------------- prompts


def safeguarding_banner(ps: PromptSet) -> str:
    sg = ps.safeguarding
    if not sg.flag:
        return ""
    reasons = "".join(f"<li>{esc(r)}</li>" for r in sg.reasons)
    if sg.level == "amber":  # a weaker signal: a short note with what was noticed, not the red banner
        return (f'<div class="sa-safeguarding sa-amber" role="alert"><h3>Pause and consider: safeguarding</h3>'
                f"<p>{esc(sg.guidance)}</p><p>What was noticed:</p><ul>{reasons}</ul></div>")
    return (f'<div class="sa-safeguarding" role="alert"><h3>⚠ Safeguarding: act on this first</h3>'
            f"<p>{esc(sg.guidance)}</p><ul>{reasons}</ul></div>")


def prompts_html(ps: PromptSet) -> str:
    """Banner, details picked up, then prompts grouped by stage with rationale and citations."""
    out = [safeguarding_banner(ps)]
    picked = [(k, v) for k, v in ps.details.items() if v]
    details = "; ".join(f"{esc(k)}: {esc(', '.join(v))}" for k, v in picked) or "none"
    out.append(f'<p class="sa-details"><strong>Details picked up:</strong> {details}</p>')
    number = 0
    for stage in STAGES:
        group = [p for p in ps.prompts if p.stage == stage]
        if not group:
            continue
        out.append(f'<section class="sa-stage"><h3>{esc(stage.capitalize())}</h3><ol start="{number + 1}">')
        for p in group:
            number += 1
            out.append(_prompt_item(p))
        out.append("</ol></section>")
    return f'<div class="sa-prompts">{"".join(out)}</div>'


def _prompt_item(p) -> str:
    mine = ' <span class="sa-tag">uses a detail you gave</span>' if p.personalised else ""
    cites = "".join(f'<li><strong>{esc(c.title)}</strong> <span class="sa-where">{esc(where(c))}</span>'
                    f"<blockquote>{esc(c.quote)}</blockquote></li>" for c in p.citations)
    guidance = (f"<details><summary>Guidance behind this ({len(p.citations)})</summary><ul>{cites}</ul></details>"
                if p.citations else "")
    return (f'<li class="sa-prompt"><div class="sa-question">{esc(p.text)}{mine}</div>'
            f'<div class="sa-rationale">{esc(p.rationale)}</div>{guidance}</li>')


# ---------------------------------------------------------------- check


def check_html(report: CheckReport, doc_texts: dict[str, str]) -> str:
    counts = report.counts()
    summary = " ".join(f'<span class="sa-count sa-v-{v}">{esc(VERDICTS[v][0])}: {counts.get(v, 0)}</span>'
                       for v in VERDICTS)
    if not report.claims:
        return notice("No claims found: paste sentences that state something about the guidance.", "info")
    cards = "".join(claim_card(n, c, doc_texts) for n, c in enumerate(report.claims, 1))
    return (f'<div class="sa-check"><p class="sa-summary" role="status"><strong>{len(report.claims)} '
            f'claim{"s" if len(report.claims) != 1 else ""} checked.</strong> {summary}</p>{cards}</div>')


def claim_card(n: int, c: ClaimResult, doc_texts: dict[str, str]) -> str:
    label, symbol = VERDICTS[c.verdict]
    rows = []
    if c.cited:
        rows.append(f"<dt>Cited</dt><dd>{esc(c.cited)}</dd>")
    if c.quote:
        rows.append(f"<dt>Quotation</dt><dd>{quote_check(c.quote)}</dd>")
    if c.reason:
        rows.append(f"<dt>Why</dt><dd>{esc(c.reason)}</dd>")
    if c.fix:
        rows.append(f"<dt>What to do</dt><dd>{esc(c.fix)}</dd>")
    if c.evidence:
        e = c.evidence[0]
        rows.append(f'<dt>Evidence</dt><dd><strong>{esc(e.title)}</strong> <span class="sa-where">{esc(where(e))}'
                    f"</span>{quote_in_context(doc_texts.get(e.doc_id), e.quote, e.start, e.end)}</dd>")
    return (f'<article class="sa-claim sa-v-{c.verdict}"><header><span class="sa-verdict">{symbol} {label}</span>'
            f' <span class="sa-n">Claim {n}</span></header><blockquote>{esc(c.text)}</blockquote>'
            f'<dl>{"".join(rows)}</dl></article>')


def quote_check(q: QuoteCheck) -> str:
    status = {"verbatim": "word for word in the guidance", "altered": "altered: words differ from the guidance",
              "not_found": "not found in the guidance"}[q.status]
    out = f"<strong>{esc(status)}</strong>"
    if q.status == "altered" and q.matched:
        out += f'<p class="sa-diff">{word_diff(q.text, q.matched)}</p>'
    if q.changed:
        out += f'<p class="sa-changed">Changed: {esc("; ".join(q.changed))}</p>'
    return out


def word_diff(given: str, source: str) -> str:
    """The quote as given, with words it changed struck out (<del>) and the guidance's words inserted (<ins>)."""
    a, b = given.split(), source.split()
    out = []
    # Compared as folded words: a curly or straight apostrophe, a dash or a trailing comma is never a change.
    fa, fb = [_fold_word(w) for w in a], [_fold_word(w) for w in b]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=fa, b=fb, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(esc(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{esc(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{esc(' '.join(b[j1:j2]))}</ins>")
    return " ".join(out)


_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "‑": "-",
                            "\u00a0": " ", "…": "..."})


def _fold_word(word: str) -> str:
    return word.translate(_TYPOGRAPHY).strip(".,;:!?'\"()[]").lower()


# ---------------------------------------------------------------- reframe


def reframe_html(r) -> str:
    """The text with deficit phrases marked (hover for why), a phrase table and the suggested rewrite."""
    if not r.hits:
        return notice("No deficit phrases found in this text.", "info")
    marked, pos = [], 0
    for h in r.hits:
        marked.append(_lines(r.text[pos:h.start]))
        marked.append(f'<mark class="sa-deficit" title="{esc(h.reason)}">{_lines(r.text[h.start:h.end])}</mark>')
        pos = h.end
    marked.append(_lines(r.text[pos:]))
    rows = "".join(f"<tr><td>{esc(h.phrase)}</td><td>{esc(' / '.join(h.alternatives))}</td><td>{esc(h.reason)}</td></tr>"
                   for h in r.hits)
    return (f'<div class="sa-reframe"><h3>Your text ({len(r.hits)} phrase{"s" if len(r.hits) != 1 else ""} '
            f'marked)</h3><p class="sa-marked">{"".join(marked)}</p>'
            f'<table class="sa-table"><thead><tr><th>Phrase</th><th>Try instead</th><th>Why</th></tr></thead>'
            f'<tbody>{rows}</tbody></table><h3>Suggested rewrite</h3><p class="sa-suggested">{_lines(r.suggested)}</p></div>')


# ---------------------------------------------------------------- library


DOC_COLUMNS = ["Title", "Publisher", "Date", "Audience", "Passages", "Added"]


def doc_rows(infos: list[DocInfo]) -> list[list]:
    """One row of plain values per document, in DOC_COLUMNS order."""
    return [[i.title or i.doc_id, i.publisher or "not stated", i.date or "not stated", ", ".join(i.audience) or "—",
             i.chunks, i.added[:10]] for i in infos]


def documents(infos: list[DocInfo]) -> str:
    """The library as a table; on a narrow screen each row becomes a card (labels from data-label, in CSS)."""
    if not infos:
        return notice("The library is empty: add guidance files below, or rebuild the index.", "info")
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in DOC_COLUMNS)
    rows = "".join("<tr>" + "".join(f'<td data-label="{esc(c)}">{esc(v)}</td>' for c, v in zip(DOC_COLUMNS, r))
                   + "</tr>" for r in doc_rows(infos))
    return (f'<table class="sa-table sa-docs"><caption>Indexed documents ({len(infos)})</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def ingest_result(rows: list[tuple[str, str, str]]) -> str:
    """Per-file upload outcome: name, status, detail."""
    if not rows:
        return notice("No files were given: choose one or more guidance files first.", "info")
    body = "".join(f'<tr class="sa-{esc(s)}"><td>{esc(n)}</td><td><strong>{esc(s)}</strong></td><td>{esc(d)}</td></tr>'
                   for n, s, d in rows)
    return (f'<table class="sa-table sa-ingest"><thead><tr><th>File</th><th>Result</th><th>Detail</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


# ---------------------------------------------------------------- limits and problems in the chat


def counter(used: int, limit: int) -> str:
    """'120 of 2,000 characters' under the question box (kept current as you type by app.js)."""
    over = used > limit
    return (f'<p class="sa-hint">Enter sends; Shift+Enter starts a new line.</p>'
            f'<p class="sa-counter{" sa-over" if over else ""}" data-limit="{limit}">'
            f"{used:,} of {limit:,} characters{' — too long to send' if over else ''}</p>")


def chat_problem(message: str) -> str:
    """A reply in the chat saying why a question was not answered."""
    return f"**Not answered.** {esc(message)}"


# ---------------------------------------------------------------- personal details


def privacy_notice(text: str | None, external: bool = False) -> str:
    """A visible warning when typed text holds personal details (names, NHS numbers, …); empty otherwise."""
    from assistant.safety.privacy import warning

    message = warning((text or "")[:PRIVACY_SCAN_CHARS], external)  # longer text is refused on submit anyway
    if not message:
        return ""
    return (f'<div class="sa-notice sa-warning sa-pii" role="status"><strong>Personal details:</strong> '
            f"{esc(message)}</div>")
