"""Personal details in what a practitioner types: find them, redact them, warn about them, keep them out of logs.

Detection is deliberately precise rather than exhaustive: guidance text (paragraph numbers, years,
"section 42", "26 March") must never be flagged, so names need a title, written dates need a
"born"/"DOB" cue and NHS numbers must pass their check digit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.settings import Settings, get_settings


@dataclass
class PIIHit:
    """One personal detail: its kind, its span in the text, and the text itself."""

    kind: str
    start: int
    end: int
    text: str


# kind -> (placeholder, phrase used in the warning). Order is the priority when two detections overlap.
KINDS: dict[str, tuple[str, str]] = {
    "email": ("[EMAIL]", "an email address"),
    "nhs_number": ("[NHS NUMBER]", "an NHS number"),
    "ni_number": ("[NI NUMBER]", "a National Insurance number"),
    "date_of_birth": ("[DATE OF BIRTH]", "a date of birth"),
    "phone": ("[PHONE]", "a phone number"),
    "postcode": ("[POSTCODE]", "a postcode"),
    "address": ("[ADDRESS]", "a street address"),
    "name": ("[NAME]", "a name"),
    "date": ("[DATE]", "a full date"),
}

_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_NUMERIC_DATE = r"(?:0?[1-9]|[12]\d|3[01])(?P<sep>[/.-])(?:0?[1-9]|1[0-2])(?P=sep)(?:19|20)\d\d"
_WRITTEN_DATE = (rf"(?:(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+(?:19|20)\d\d"
                 rf"|{_MONTHS}\.?\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d)")
_DOB_CUE = r"(?:\bborn(?:\s+on|\s+in)?|\bD\.?O\.?B\b\.?|\bdate\s+of\s+birth)\s*(?:[:=-]|\bis\b|\bwas\b)?\s*"

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_NHS = re.compile(r"(?<![\d.,/-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d.,/-]\d|\d)")
_NI = re.compile(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_DOB = re.compile(rf"{_DOB_CUE}({_NUMERIC_DATE}|{_WRITTEN_DATE}|(?:19|20)\d\d\b)", re.IGNORECASE)
_DATE = re.compile(rf"(?<![\d/.-]){_NUMERIC_DATE}(?![\d/])")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)(?:[1237]|8[0]0)[\d \-)]{7,13}\d(?!\d)")
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW]|\d{1,2}|[A-HK-Y]\d[ABEHMNPRV-Y]|[A-HK-Y]\d{1,2}) ?\d[ABD-HJLNP-UW-Z]{2})\b")
_STREET_TYPES = ("Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Court|Ct|Crescent|Cres|Place|Pl|"
                 "Gardens|Grove|Terrace|Hill|Square|Walk|Mews|Row|Rise|Parade|Park|View|Green|Vale|Wharf")
_ADDRESS = re.compile(
    r"\b(?:(?:Flat|Apartment|Apt|Unit)\s+\d{1,4}[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
    rf"(?:[A-Z][a-z'’]+\s+){{1,3}}(?:{_STREET_TYPES})\b\.?")
_TITLES = "Mrs|Mr|Ms|Miss|Mx|Dr|MRS|MR|MISS"
_NAME_WORD = r"[A-Z][a-z]*(?:[A-Z][a-z]+)?(?:['’-][A-Z][a-z]+)*\b"
# Capitalised words that can follow a name (sentence starts, headings) but are not part of it.
_NOT_NAME = ("And|Or|But|The|This|That|Is|Was|Has|Had|Said|Says|Who|When|Where|What|Why|How|If|From|With|"
             f"For|To|At|In|On|Of|By|Team|Ward|Surgery|Practice|{_TITLES}")
_NAME = re.compile(rf"\b(?:{_TITLES})\.?\s+(?:[A-Z]\.?\s+){{0,2}}(?!(?:{_NOT_NAME})\b){_NAME_WORD}"
                   rf"(?:\s+(?!(?:{_NOT_NAME})\b){_NAME_WORD}){{0,2}}")

_NI_BAD_FIRST, _NI_BAD_SECOND = set("DFIQUV"), set("DFIOQUV")
_NI_BAD_PREFIX = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nhs_number_valid(number: str) -> bool:
    """True when a 10-digit NHS number (spaces or hyphens allowed) passes its modulus-11 check digit."""
    digits = re.sub(r"[ -]", "", number)
    if not re.fullmatch(r"\d{10}", digits) or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def ni_number_valid(number: str) -> bool:
    """True when a National Insurance number has an allowed prefix, six digits and a suffix A-D."""
    compact = re.sub(r"\s", "", number).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact):
        return False
    first, second = compact[0], compact[1]
    return first not in _NI_BAD_FIRST and second not in _NI_BAD_SECOND and compact[:2] not in _NI_BAD_PREFIX


def _phone_ok(text: str) -> bool:
    # A UK number is 0 + 9 or 10 digits nationally (+44 replaces the 0).
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    national = digits[2:] if text.startswith("+44") else digits[1:]
    return len(national) in (9, 10)


def _matches(kind: str, pattern: re.Pattern, text: str, group: int = 0,
             keep: Callable[[str], bool] | None = None) -> Iterator[PIIHit]:
    for m in pattern.finditer(text):
        s, e = m.span(group)
        value = text[s:e]
        if keep is None or keep(value):
            yield PIIHit(kind, s, e, value)


def _candidates(text: str) -> Iterator[PIIHit]:
    yield from _matches("email", _EMAIL, text)
    yield from _matches("nhs_number", _NHS, text, keep=nhs_number_valid)
    yield from _matches("ni_number", _NI, text, keep=ni_number_valid)
    yield from _matches("date_of_birth", _DOB, text, group=1)
    yield from _matches("phone", _PHONE, text, keep=_phone_ok)
    yield from _matches("postcode", _POSTCODE, text)
    yield from _matches("address", _ADDRESS, text)
    yield from _matches("name", _NAME, text)
    yield from _matches("date", _DATE, text)


def find_pii(text: str) -> list[PIIHit]:
    """Personal details in text: non-overlapping, in order of position."""
    priority = {k: i for i, k in enumerate(KINDS)}
    taken = bytearray(len(text))  # 1 where a higher-priority detection already sits: linear in the text
    chosen: list[PIIHit] = []
    for hit in sorted(_candidates(text), key=lambda h: (priority[h.kind], h.start)):
        if taken.find(1, hit.start, hit.end) < 0:
            taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)


def redact(text: str) -> str:
    """The text with each personal detail replaced by a typed placeholder such as [NHS NUMBER]."""
    out, pos = [], 0
    for hit in find_pii(text):
        out += [text[pos:hit.start], KINDS[hit.kind][0]]
        pos = hit.end
    return "".join(out) + text[pos:]


def warning(text: str, external: bool = False) -> str | None:
    """A one-line warning naming the kinds of personal detail found, or None when there are none.

    external: the text is about to go to an external LLM (it is redacted first, and the warning says so).
    """
    kinds = list(dict.fromkeys(h.kind for h in find_pii(text)))
    if not kinds:
        return None
    listed = ", ".join(KINDS[k][1] for k in kinds)
    where = ("They are replaced by placeholders before anything is sent to the language model"
             if external else "The assistant keeps everything on this machine")
    return f"This looks like it contains personal details ({listed}). {where}; remove them before sharing outputs."


def safe_log_text(text: str, settings: Settings | None = None) -> str:
    """The text for a log line only when ASSISTANT_LOG_USER_TEXT is on; otherwise just its length."""
    settings = settings or get_settings()
    if settings.log_user_text:
        return text
    return f"<{len(text or '')} chars withheld>"
