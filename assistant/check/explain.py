"""Reasons and fix hints in plain English: what differs, and which document (by its title) says what.

The detectors in `mismatch` describe a difference as 'kind: detail' with stemmed words, which is right for
tests and signals but not for a practitioner; these functions turn them into sentences a reader can act on.
"""

from __future__ import annotations

import re


def _quoted(detail: str) -> list[str]:
    return re.findall(r"'([^']+)'", detail)


def difference(mismatch: str) -> str:
    """One detector finding ('number: 10 is not in the passage') as a plain clause about the passage."""
    kind, _, detail = mismatch.partition(": ")
    said = _quoted(detail)
    if kind == "figure" and len(said) >= 2:
        return f"the claim says {said[0]} where the passage says {said[1]}"
    if kind == "number":
        figure = re.sub(r"^'?(.*?)'? is not in the passage$", r"\1", detail)
        return f"the passage does not give the figure {figure}"
    if kind == "entity" and said:
        if "is mentioned" in detail:
            return f"the passage mentions {said[0]}, but not in what it says about this"
        return f"the passage does not mention {said[0]}"
    if kind == "absolute" and said:
        return f"the claim says ‘{said[0]}’, which the passage does not"
    if kind == "modal" and len(said) >= 2:
        return f"the claim says ‘{said[0]}’ where the passage says ‘{said[1]}’"
    if kind == "order":
        return "the passage has the roles the other way round"
    if kind == "negation":
        return "the passage says the opposite"
    return detail


def contradiction(title: str, flip: str, passage: str) -> tuple[str, str]:
    """(reason, fix) for a claim the guidance contradicts."""
    if flip.startswith("figure"):
        return (f"{title[0].upper()}{title[1:]} says otherwise: {difference(flip)}.",
                f"Correct the figure to match {title}: “{passage}”")
    return (f"{title} says the opposite: “{passage}”",
            f"Reverse or remove the claim — {title} says: “{passage}”")


def near_miss(title: str, mismatch: str, passage: str) -> tuple[str, str]:
    """(reason, fix) for a claim whose closest passage differs in one detail."""
    kind = mismatch.partition(": ")[0]
    reason = f"The closest passage, in {title}, differs: {difference(mismatch)}."
    said = _quoted(mismatch)
    fixes = {"absolute": f"Remove ‘{said[0] if said else ''}’ — {title} says: “{passage}”",
             "modal": f"Soften the claim to match {title}: “{passage}”",
             "number": f"Check the figure — {title} says: “{passage}”",
             "figure": f"Check the figure — {title} says: “{passage}”",
             "entity": f"Check the name — {title} says: “{passage}”"}
    return reason, fixes.get(kind, f"Reword the claim to match {title}: “{passage}”")


def off_topic(title: str, passage: str) -> tuple[str, str]:
    """(reason, fix) for a claim no passage supports, the closest being merely on the same topic."""
    return (f"No passage in the library says this. The closest, in {title}, is on the same topic but says something "
            f"else: “{passage}”",
            "Remove the claim, or cite a source outside this library that supports it.")


def change(step: str) -> str:
    """One quotation change ('chance → opportunity', '+word', '-word') in words."""
    if " → " in step:
        given, source = step.split(" → ", 1)
        return f"‘{given}’ where the guidance has ‘{source}’"
    if step.startswith("+"):
        return f"‘{step[1:]}’ added"
    if step.startswith("-"):
        return f"‘{step[1:]}’ left out"
    return step


def altered_quote(title: str, changes: list[str]) -> str:
    """The reason for an altered quotation, naming each change."""
    listed = "; ".join(change(c) for c in changes) or "some words differ"
    return f"The quotation is not word for word what {title} says: {listed}."
