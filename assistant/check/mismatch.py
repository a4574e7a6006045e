"""Explicit mismatches between a claim and one passage: figures, names, negation, modals and absolutes.

Plain-string checks, no model: each returns what differs ('kind: detail') so the UI can show why a
claim that is merely on the same topic as a passage is not supported by it.
"""

from __future__ import annotations

import functools
import re

from assistant.check.claims import number_words
from assistant.check.quotes import strip_quote_marks
from assistant.textutil import STOPWORDS, tokens, words

_NEG = re.compile(r"\b(?:not|no|never|cannot|without|nor|none|neither)\b|n['’]t\b|\brather than\b|\binstead of\b"
                  r"|\baway from\b", re.I)
_ADDITIVE = re.compile(r"\bnot (?:only|just|merely|simply|solely)\b(?=[^.;]*\bbut\b)", re.I)
_CLAUSE_PUNCT = re.compile(r"[,;:()\[\]–—]|\s-\s|[.!?](?:\s|$)")
_CLAUSE_WORD = re.compile(r"\b(?:that|which|who|whose|what|how|whether|where|when|while|but|and|or|because|"
                          r"although|though|whereas|so that|rather than|instead of)\b", re.I)
_FROM_TO = re.compile(r"\b(?:change|changes|changing|shift|shifts|shifting|move|moves|moving|transition|"
                      r"transformation)\s+(?:away\s+)?from\s+(.{3,160}?)\s+to(?:wards)?\s+", re.I)
_FROM = re.compile(r"\b(?:change|changes|changing|shift|shifts|shifting|move|moves|moving|transition|"
                   r"transformation)\s+(?:away\s+)?from\s+", re.I)
_NEG_WORDS = frozenset(tokens("not no never cannot without nor none neither rather instead away can't don't "
                              "doesn't isn't aren't won't", keep_stopwords=True)) | {"n't"}
_STRONG = {"must": "must", "will": "will", "shall": "shall", "always": "always", "have to": "have to",
           "has to": "has to", "required": "required", "is required": "required", "are required": "required"}
_WEAK = re.compile(r"\b(?:may|might|can|could|should|help|helps|often|sometimes|some|promotes?|enables?|"
                   r"encourages?|aims?|opportunity|potential|likely)\b", re.I)
_ABSOLUTES = [("only", "solely", "exclusively", "alone"), ("all",), ("every", "each", "everyone", "everybody"),
              ("always",), ("never",), ("entirely", "completely", "wholly", "totally", "fully"),
              ("ensure", "ensures", "ensured", "guarantee", "guarantees", "guaranteed", "proves", "proven")]
_NUMBER = re.compile(r"\b\d+(?:\.\d+)?\b")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_MONTH = re.compile(rf"(?<=\d\s)(?:{_MONTHS})\b|\b(?:{_MONTHS})(?=\s+\d)")
# Opposite directions: a claim with one where the passage has only the other says the opposite.
_RISE = frozenset(tokens("grow grows growing grown rise rises rising rose increase increases increasing expand "
                         "expanding improve improves improving strengthen strengthening"))
_FALL = frozenset(tokens("fall falls falling fell decline declines declining decrease decreases decreasing shrink "
                         "shrinking reduce reduces reducing weaken weakening worsen worsening"))
_CAPWORD = r"[A-Z][\w’'&.-]*"
_ENTITY = re.compile(rf"{_CAPWORD}(?:(?:\s+(?:of|for|and|the|on|&))*\s+{_CAPWORD})*")


_IRREGULAR = dict(pair.split(":") for pair in (
    "grown:grow grew:grow made:make given:give gave:give written:write wrote:write taken:take took:take "
    "shown:show known:know knew:know seen:see saw:see done:do found:find brought:bring thought:think "
    "began:begin begun:begin led:lead held:hold kept:keep left:leave meant:mean paid:pay ran:run sent:send "
    "spent:spend built:build became:become felt:feel told:tell understood:understand chosen:choose chose:choose "
    "children:child people:person").split())


@functools.lru_cache(maxsize=65536)
def _content_tokens(text: str) -> tuple[str, ...]:
    return tuple(_IRREGULAR.get(t, t) for t in tokens(number_words(strip_quote_marks(text))) if t not in _NEG_WORDS)


def content_tokens(text: str) -> list[str]:
    """Stemmed content words (numbers spelled out become digits), without quote marks or stopwords."""
    return list(_content_tokens(text))


def _match(t: str, pool: set[str]) -> bool:
    """Same stem, or a long shared prefix ('bureaucratic' ~ 'bureaucratised')."""
    if t in pool:
        return True
    if len(t) < 6:
        return False
    return any(len(w) >= 6 and _prefix(t, w) >= max(6, min(len(t), len(w)) - 3) for w in pool)


def _prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def overlap(a: set[str], b: set[str]) -> set[str]:
    return {t for t in a if _match(t, b)}


def lexical_coverage(claim: str, window: str) -> float:
    """Share of the claim's distinct content words found in the window."""
    c = set(content_tokens(claim))
    return len(overlap(c, set(content_tokens(window)) | _initials(window))) / len(c) if c else 0.0


def number_mismatches(claim: str, window: str) -> list[str]:
    """Figures and years in the claim that the window does not have ('ten' counts as 10).

    A figure of the same kind as one the window gives instead (a duration, a share, a year) is a conflict:
    'figure: …' rather than 'number: …', so the claim can be judged contradicted, not merely unsupported.
    """
    have = set(_NUMBER.findall(number_words(window)))
    nums = [n for n in dict.fromkeys(_NUMBER.findall(number_words(re.sub(r"\bone\b", "", claim, flags=re.I))))]
    theirs = _figures(window)
    out = []
    for n in nums:
        if n in have:
            continue
        mine = [f for f in _figures(claim) if f[1] == n]
        rival = next((t for f in mine for t in theirs if t[0] == f[0] and t[1] not in
                      set(_NUMBER.findall(number_words(claim)))), None)
        out.append(f"figure: the claim says '{mine[0][2]}' where the passage says '{rival[2]}'" if rival
                   else f"number: {n} is not in the passage")
    months = set(re.findall(_MONTHS, window))
    return out + [f"number: '{m}' is not in the passage" for m in dict.fromkeys(_DATE_MONTH.findall(claim))
                  if months and m not in months]


FIGURE = re.compile(r"(?P<cur>£\s?)?\b(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>%|per\s?cent\b|(?:working\s+)?(?:minute|hour|day|week|"
                     r"fortnight|month|year|decade)s?\b)?", re.I)


def _figures(text: str) -> list[tuple[str, str, str]]:
    """(kind, number, as written) for each figure with a kind: a duration, a share, money or a year."""
    out = []
    spelled = number_words(text)
    for m in FIGURE.finditer(spelled):
        n, unit = m.group("n"), (m.group("unit") or "").lower()
        if unit in ("%",) or unit.startswith("per"):
            kind = "share"
        elif unit:
            kind = "duration"
        elif m.group("cur"):
            kind = "money"
        elif re.fullmatch(r"(?:19|20)\d\d", n):
            kind = "year"
        else:
            continue
        out.append((kind, n, m.group().strip()))
    return out


def find_entities(text: str, common: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Capitalised names (people, organisations, places); a sentence's first word counts only if not a common word."""
    out = []
    for m in _ENTITY.finditer(text):
        ent = m.group().strip(".’'")
        first_word = not text[:m.start()].strip() or re.search(r"[.!?:;“\"(]\s*$", text[:m.start()])
        parts = ent.split()
        if first_word and (parts[0].lower() in STOPWORDS or parts[0].lower() in common):
            parts = parts[1:]
            while parts and parts[0].lower() in STOPWORDS:
                parts = parts[1:]
        if parts and not (len(parts) == 1 and parts[0].lower() in STOPWORDS):
            out.append(" ".join(parts))
    return list(dict.fromkeys(out))


def _initials(text: str) -> set[str]:
    """Acronyms the window spells out: 'Social Care Institute for Excellence' -> 'scie'."""
    out = set()
    for m in _ENTITY.finditer(text):
        caps = [w for w in m.group().split() if w[0].isupper()]
        for i in range(len(caps)):
            for j in range(i + 2, len(caps) + 1):
                out.add("".join(w[0] for w in caps[i:j]).lower())
    return out


def entity_present(entity: str, window: str, terms: dict[str, str] | None = None) -> bool:
    """The entity's words are in the window, or it is an acronym the window spells out or the corpus defines."""
    toks = set(tokens(entity))
    if toks and toks <= set(tokens(window)):
        return True
    if re.fullmatch(r"[A-Z]{2,6}s?(?:['’]s)?", entity):
        acro = re.sub(r"(?:['’]s|s)$", "", entity).lower() if not entity.isupper() else entity.lower()
        if acro in _initials(window) or entity.lower() in _initials(window):
            return True
        expansion = (terms or {}).get(acro)
        return bool(expansion) and set(tokens(expansion)) <= set(tokens(window))
    return False


def entity_mismatches(claim: str, window: str, common: set[str] | frozenset[str] = frozenset(),
                      terms: dict[str, str] | None = None) -> list[str]:
    """Names in the claim that the window never mentions."""
    out = []
    for ent in find_entities(claim, common):
        acro = re.sub(r"(?:['’]s|s)$", "", ent).lower()
        if terms and acro in terms and terms[acro].islower():
            continue  # an abbreviation of a common term ("SBA"), not a name
        if not entity_present(ent, window, terms):
            out.append(f"entity: '{ent}' is not in the passage")
    return out


def _polarity(text: str) -> tuple[set[str], set[str]]:
    """(asserted, negated) content tokens: a negation covers its clause; 'rather than X' and 'from X to Y' cover X."""
    text = _ADDITIVE.sub(" ", text)
    scopes: list[tuple[int, int]] = []
    for m in _NEG.finditer(text):
        cue = m.group().lower()
        if cue in ("rather than", "instead of", "away from"):
            end = _next_boundary(text, m.end(), words_too=False)
            scopes.append((m.end(), end))
        else:
            scopes.append((_prev_boundary(text, m.start()), _next_boundary(text, m.end())))
    for m in _FROM_TO.finditer(text):
        scopes.append(m.span(1))
    for m in _FROM.finditer(text):  # 'a shift from X' with no 'to': X is still what is left behind
        if not any(a <= m.end() <= b + 1 for a, b in scopes):
            scopes.append((m.end(), _next_boundary(text, m.end(), words_too=False)))
    negated = "".join(text[a:b] + " " for a, b in scopes)
    kept, pos = [], 0
    for a, b in sorted(scopes):
        if a > pos:
            kept.append(text[pos:a])
        pos = max(pos, b)
    kept.append(text[pos:])
    return set(content_tokens(" ".join(kept))), set(content_tokens(negated))


def _prev_boundary(text: str, i: int) -> int:
    cuts = [m.end() for m in _CLAUSE_PUNCT.finditer(text, 0, i)] + [m.start() for m in _CLAUSE_WORD.finditer(text, 0, i)]
    return max(cuts, default=0)


def _next_boundary(text: str, i: int, words_too: bool = True) -> int:
    cuts = [m.start() for m in _CLAUSE_PUNCT.finditer(text, i)]
    if words_too:
        cuts += [m.start() for m in _CLAUSE_WORD.finditer(text, i)]
    return min(cuts, default=len(text))


def negation_flip(claim: str, window: str) -> str | None:
    """The claim asserts what the window negates (or negates what it asserts)."""
    c_pos, c_neg = _polarity(claim)
    w_pos, w_neg = _polarity(window)
    asserted = overlap(c_pos - c_neg, w_neg - w_pos)
    denied = overlap(c_neg - c_pos, w_pos - w_neg)
    if asserted:
        return f"negation: the passage says not/rather than '{', '.join(sorted(asserted))}'"
    if denied:
        return f"negation: the claim denies '{', '.join(sorted(denied))}', which the passage asserts"
    return opposite_direction(claim, window)


def opposite_direction(claim: str, window: str) -> str | None:
    """The claim says rising where the passage says falling, or the reverse ('growing interest' vs 'falling')."""
    c, w = set(content_tokens(claim)), set(content_tokens(window))
    for said, other in ((_RISE, _FALL), (_FALL, _RISE)):
        if c & said and not c & other and w & other and not w & said:
            return f"negation: the claim says '{sorted(c & said)[0]}' where the passage says '{sorted(w & other)[0]}'"
    return None


def order_swap(claim: str, window: str) -> str | None:
    """The same words on either side of a shared verb, swapped ('A replaces B' vs 'B replaces A')."""
    c, w = content_tokens(claim), content_tokens(window)
    for pivot in dict.fromkeys(c):
        if c.count(pivot) != 1 or w.count(pivot) != 1:
            continue
        if pivot.isdigit():
            continue
        ci, wi = c.index(pivot), w.index(pivot)
        # Roles sit next to the verb; figures are checked separately and never count as a role.
        cb, ca, wb, wa = (_roles(c[max(0, ci - _ROLE_SPAN):ci]), _roles(c[ci + 1:ci + 1 + _ROLE_SPAN]),
                          _roles(w[max(0, wi - _ROLE_SPAN):wi]), _roles(w[wi + 1:wi + 1 + _ROLE_SPAN]))
        forward, back = (cb & wa) - wb - ca, (ca & wb) - wa - cb
        if len(forward) >= 2 and len(back) >= 2:
            return f"order: the passage has '{' '.join(sorted(back))}' before '{pivot}', the claim after it"
    return None


_ROLE_SPAN = 4


def _roles(toks: list[str]) -> set[str]:
    return {t for t in toks if not t.replace(".", "").isdigit()}


def modal_strengthened(claim: str, window: str) -> str | None:
    """The claim says must/will/always/required where the window only says may/can/could/should."""
    low_w = window.lower()
    for phrase, word in _STRONG.items():
        if re.search(rf"\b{phrase}\b", claim, re.I) and not re.search(rf"\b{word}\b", low_w):
            weak = _WEAK.search(window)
            if weak:
                return f"modal: '{word}' where the passage says '{weak.group().lower()}'"
    return None


def absolute_added(claim: str, window: str) -> list[str]:
    """Absolutes (always, only, every, all, ensures …) the claim adds and the window does not have."""
    claim = re.sub(r"\bnot (?:only|just)\b", " ", claim, flags=re.I)
    out = []
    for group in _ABSOLUTES:
        used = [w for w in group if re.search(rf"\b{w}\b", claim, re.I)]
        if used and not _qualifies_same(claim, window, set(group)):
            out.append(f"absolute: '{used[0]}' is not in the passage")
    return out


def _qualifies_same(claim: str, window: str, group: set[str]) -> bool:
    """The window has one of these absolutes next to a word the claim's absolute is next to ('only become'),
    not merely somewhere else in the sentence ('but only after …')."""
    near_c, near_w = _around(claim, group), _around(window, group)
    return near_w is not None and (not near_c or bool(overlap(near_c, near_w)))


def _around(text: str, group: set[str]) -> set[str] | None:
    """Content stems up to two words either side of each absolute in the text; None when it has none."""
    ws = words(text.lower())
    hits = [i for i, w in enumerate(ws) if w in group]
    if not hits:
        return None
    near: set[str] = set()
    for i in hits:
        near |= set(content_tokens(" ".join(ws[max(0, i - 2):i] + ws[i + 1:i + 3])))
    return near


def find_mismatches(claim: str, window: str, common: set[str] | frozenset[str] = frozenset(),
                    terms: dict[str, str] | None = None, byline: str = "") -> list[str]:
    """Every explicit mismatch between a claim and one passage window ('kind: detail').

    `byline`: the window's author, who is present in every passage of their own text ('Ewan King welcomes …').
    """
    out = number_mismatches(claim, window) + entity_mismatches(claim, f"{window}\n{byline}", common, terms)
    flip = negation_flip(claim, window) or order_swap(claim, window)
    modal = modal_strengthened(claim, window)
    return out + ([flip] if flip else []) + ([modal] if modal else []) + absolute_added(claim, window)
