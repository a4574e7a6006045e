"""Small text helpers shared by every stage: hashing, sentences with offsets, tokens, normalisation."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also may might must shall us per via
    said says say one ones its it's whose etc i.e e.g""".split()
)

_INITIAL = re.compile(r"(?:^|[\s(])(?:[A-Z]\.){1,3}$")
_SENT_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*")


@functools.cache
def _abbreviations() -> re.Pattern:
    from pathlib import Path

    import yaml

    words = yaml.safe_load(Path(__file__).with_name("abbreviations.yaml").read_text(encoding="utf-8"))
    return re.compile(r"(?:^|(?<=[\s(\[\"'“‘/-]))(?:" + "|".join(re.escape(w) for w in words) + r")$")


def _holds_sentence(text: str, block_start: int, cut: int, rest: str) -> bool:
    """Does the full stop before `cut` belong to an abbreviation or an initial rather than end a sentence?"""
    before = text[max(block_start, cut - 12):cut]
    if _abbreviations().search(before):
        return True
    # "J. Smith", "by A. N. Other": an initial before a capitalised name, not after a capitalised word
    # ("Annex A. The next…" ends a sentence).
    m = _INITIAL.search(before)
    if m and re.match(r"(?:[A-Z]\.\s*)*[A-Z][a-z]", rest):
        prev = text[max(block_start, cut - 40):cut - len(m.group(0).lstrip(" ("))].split()
        return (not prev or not prev[-1][:1].isupper() or bool(re.fullmatch(r"[A-Z]\.", prev[-1]))
                or prev[-1].rstrip(".") in ("Dr", "Mr", "Mrs", "Ms", "Prof", "Cllr"))
    return False


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences; returns (start, end) offsets with whitespace trimmed.

    Newlines that separate blocks (blank lines, list items, headings) always end a sentence.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text, start, end):
        seg_start = block_start
        for m in _SENT_END.finditer(text, block_start, block_end):
            cut = m.end()
            # "6.64" or "2.0" never matches (no space after the dot); a lower-case next word after
            # a full stop is usually an abbreviation we don't know, so keep going.
            rest = text[cut:block_end].strip()
            if _holds_sentence(text, block_start, cut, rest):
                continue
            if rest[:1].islower() or 0 < len(rest) < 15:
                continue  # "e.g. the…", or a dangling fragment such as a date after a title
            spans.append(_trim(text, seg_start, cut))
            seg_start = cut
        if seg_start < block_end:
            spans.append(_trim(text, seg_start, block_end))
    return [s for s in spans if s[1] > s[0]]


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in re.finditer(r"\n", text[start:end]):
        cut = start + m.start()
        out.append((pos, cut))
        pos = cut + 1
    out.append((pos, end))
    return [b for b in out if text[b[0]:b[1]].strip()]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    # Markdown list bullets and heading marks are not part of the sentence.
    m = re.match(r"(?:[-*•]\s+|#{1,6}\s+)", text[s:e])
    if m:
        s += m.end()
    return s, e


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """English (Porter2/Snowball) stem of a lower-cased word; numbers and short words stay as they are."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    return _stemmer().stemWord(w)


@functools.cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_stopword(word: str) -> bool:
    """Whether a lower-cased word is a function word, also with "'s" on it: "what's", "there's", "who’s" are
    "what is", "there is", "who is", not a word to search for."""
    if word in STOPWORDS:
        return True
    w = word.replace("’", "'")
    return w.endswith("'s") and w[:-2] in STOPWORDS


# Bump when tokens() would split, drop or stem a text differently: an index built before then remakes its keyword
# postings on the next ingest (index.generation.lexical_key holds it), its vectors are kept.
TOKENS_VERSION = "2"


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased, stemmed word tokens for lexical matching (hyphenated words split too)."""
    out = []
    for w in words(text.replace("-", " ").replace("–", " ")):
        lw = w.lower()
        if not keep_stopwords and is_stopword(lw):
            continue
        out.append(stem(lw))
    return out


_QUOTE_MAP = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-",
                            "‑": "-", "\u00a0": " ", "…": "..."})


def normalise(text: str) -> str:
    """Normalise for quote comparison: quote marks, dashes, whitespace, case, unicode form."""
    t = unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP).lower()
    return re.sub(r"\s+", " ", t).strip()


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """normalise() plus, for each output character, the offset of the input character it came from."""
    out_chars: list[str] = []
    index: list[int] = []
    prev_space = True
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", ch).translate(_QUOTE_MAP).lower()
        for c in piece:
            if c.isspace():
                if prev_space:
                    continue
                c, prev_space = " ", True
            else:
                prev_space = False
            out_chars.append(c)
            index.append(i)
    while out_chars and out_chars[-1] == " ":
        out_chars.pop()
        index.pop()
    return "".join(out_chars), index


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def clean_user_text(text: str) -> str:
    """Strip terminal escape sequences and control characters (keeping newlines and tabs) from pasted text."""
    text = _ANSI.sub("", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
