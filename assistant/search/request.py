"""What shape of answer a message asks for, apart from what it asks about: "in 3 bullet points", "list them",
"as a list", or a list-shaped question ("What are the principles of…?"). The request is taken out before the
question is searched or judged (a "3" asked for as a count of bullets is no number to look for)."""

from __future__ import annotations

import re

_COUNT_WORDS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}
# "in 3 bullet points", "bullet points pls", "as a list", "list them": how to show the answer, not what about.
_FORMAT = re.compile(
    r"[\s,;:.–—-]*\b(?:(?:in|as|with|into|using|give me|use)\s+)?(?:a\s+|some\s+)?(?:(\d{1,2}|one|two|three|four|five|"
    r"six|seven|eight|nine|ten)\s+)?(?:short\s+|key\s+|main\s+|quick\s+|brief\s+)?(?:bullet(?:ed)?[\s-]*(?:points?|list)?"
    r"(?:\s+of(?=\s+(?:the|all)\b))?|bullets|dot points|list form)(?:\s+(?:pls|please|thanks|thx))?\b[\s.!]*"
    r"|[\s,;:.–—-]*\b(?:as|in) a (?:short )?list\b[\s.!]*"
    r"|[\s,;:.–—-]*\blist (?:them|these|those|it|pls|please)\b[\s.!]*(?:pls|please)?"
    r"|(?<=[?.])\s*(?:please\s+)?list (?:the |all )?[\w\s'’-]{1,30}$", re.I)
# "what are the 3 kinds of strengths…": the number says how many items, not a number to look for
_ITEMS = (r"(?:principles|features|steps|stages|elements|requirements|components|characteristics|ingredients|parts|"
          r"types|kinds|values|things|ways|qualities|sorts|categories)")
_COUNTED = re.compile(r"^((?:what|which) (?:are|were) the |(?:what|which) |list the )(\d{1,2}|two|three|four|five|six|"
                      r"seven|eight|nine|ten)\s+(?=(?:main |key |core |different |basic )?" + _ITEMS + r"\b)", re.I)
_LIST_VERB = re.compile(r"^\s*(?:please\s+)?(?:list|enumerate|name)\s+(?:all\s+)?(?:the\s+)?", re.I)
_LIST_SHAPE = re.compile(r"^(?:what|which) (?:are|were) (?:the |its |their )?(?:main |key |core |different |basic "
                         r"|essential )?(?:principles|features|steps|stages|elements|requirements|components|"
                         r"characteristics|ingredients|parts|types|kinds|values|things|ways|qualities)\b", re.I)


# "what else is on that list?", "anything more in the list?": the list itself is what is asked for
_ON_LIST = re.compile(r"\b(?:on|in|from|of)\s+(?:that|this|the|your|the same|same)\s+list\b", re.I)


def list_request(question: str) -> tuple[str, int | None, bool]:
    """(the question without its formatting request, how many items it asks for, whether it asks for a list):
    'Summarise in 3 bullet points what a good assessment looks like' → ('Summarise what a good assessment
    looks like', 3, True); 'What are the principles of…?' is list-shaped too."""
    q = question.strip()
    m = _FORMAT.search(q)
    n: int | None = None
    asked = bool(m)
    while m:
        count = m.group(1)
        if count:
            n = int(count) if count.isdigit() else _COUNT_WORDS.get(count.lower())
        q = (q[:m.start()] + " " + q[m.end():]).strip()
        m = _FORMAT.search(q)
    if (c := _COUNTED.match(q)) is not None:
        count = c.group(2)
        n = n or (int(count) if count.isdigit() else _COUNT_WORDS.get(count.lower()))
        q, asked = c.group(1) + q[c.end():], True
    if (v := _LIST_VERB.match(q)) is not None and re.match(r"(?:who|what|which|where|how|when)\b", q[v.end():], re.I):
        q, asked = q[v.end():], True  # "list who the paper is aimed at": the question after "list"
    elif _LIST_VERB.match(q):
        # "which", not "what": "what are the X" would read as a request to define X
        q, asked = _LIST_VERB.sub("which are the ", q, count=1), True
    q = re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", q)).strip(" ,;:-–—") or question
    if asked and re.match(r"(?:all )?the\b", q, re.I):
        q = "what are " + q  # "give me a bullet list of the kinds of assets…": a question, not a search-box query
    if q[-1:] not in "?.!" and question.rstrip()[-1:] == "?":
        q += "?"
    return q, n, asked or bool(_LIST_SHAPE.match(q) or _ON_LIST.search(q))


# "difference between A and B", "compare A vs B", "different for A than for B", "A compared with B".
_SIDE = r"(?:for |in |with |to |from )?(?:the |a |an )?([\w'’ -]{2,40}?)"
_COMPARE = (
    re.compile(r"\bdifferen(?:ce|t)s? between " + _SIDE + r" and " + _SIDE + r"(?:\s*[?.!]|\s+(?:in|according|under|for)\b|$)", re.I),
    re.compile(r"\bcompar(?:e|ing)\s+" + _SIDE + r"\s+(?:vs\.?|versus|and|with|to|against)\s+" + _SIDE
               + r"(?:\s*[?.!]|$)", re.I),
    re.compile(r"\bdifferent (?:for|in|with) " + _SIDE + r" (?:than|from|compared (?:with|to)|to|vs\.?|versus) "
               + _SIDE + r"(?:\s*[?.!-]|\s+(?:services|settings)?\b|$)", re.I),
    re.compile(r"\b(?:in|for) " + _SIDE + r" (?:compared (?:with|to)|versus|vs\.?) (?:in |for |with )?" + _SIDE
               + r"(?:\s*[?.!]|$)", re.I),
    re.compile(r"^" + _SIDE + r"\s+(?:vs\.?|versus)\s+" + _SIDE + r"\s*[?.!]?$", re.I),
)
_TRAILING = re.compile(r"\s+(?:services|settings|ones|one)$", re.I)


def comparison(question: str) -> tuple[str, list[str]] | None:
    """(what is compared, [side A, side B]) for a comparison question, else None:
    'compare personal vs community strengths and assets' → ('strengths and assets', ['personal', 'community'])."""
    q = question.strip()
    for pattern in _COMPARE:
        m = pattern.search(q)
        if not m:
            continue
        sides = [_TRAILING.sub("", s.strip(" -")) for s in m.groups()]
        rest = (q[:m.start()] + " " + q[m.end():]).strip()
        topic = _topic(rest, sides)
        if len(sides) == 2 and all(sides) and sides[0].lower() != sides[1].lower():
            # "personal vs community strengths and assets": the words after B are what both sides share
            tail = sides[1].split()
            if not topic and len(tail) > 1 and len(sides[0].split()) == 1:
                topic, sides[1] = " ".join(tail[1:]), tail[0]
            return topic, sides
    return None


def _topic(rest: str, sides: list[str]) -> str:
    words = re.findall(r"[\w'’-]+", rest)
    asking = {"how", "is", "are", "what", "whats", "what's", "the", "it", "does", "do", "a", "an", "for", "in",
              "between", "compare", "difference", "different", "than", "and", "so", "there", "any", "s"}
    return " ".join(w for w in words if w.lower() not in asking)
