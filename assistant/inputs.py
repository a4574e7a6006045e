"""Checking what a user typed before any stage sees it: text, not empty, within its limit."""

from __future__ import annotations

from typing import Any

from assistant.errors import InputError
from assistant.textutil import clean_user_text


def validate_query(text: Any, limit: int, what: str = "question") -> str:
    """Clean a user's query; raise InputError saying what to do if it cannot be used."""
    if not isinstance(text, str):
        raise InputError(f"The {what} must be text.")
    text = clean_user_text(text).strip()
    short = what in ("question", "query", "search query")
    if not text:
        hint = "type a few words about what you are looking for" if short else f"paste or type the {what}"
        raise InputError(f"The {what} is empty — {hint}.")
    if len(text) > limit:
        setting = "ASSISTANT_MAX_QUESTION_CHARS" if short else "ASSISTANT_MAX_TEXT_CHARS"
        raise InputError(f"The {what} is {len(text):,} characters long; the limit is {limit:,}. "
                         f"Shorten it to the part you need (or raise {setting}).")
    return text
