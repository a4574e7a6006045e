"""User-facing errors: each message says what happened and what to do."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: the CLI prints the message on one line, the app shows it."""

    exit_code = 2


class InputError(AssistantError):
    """The user's input cannot be used as given (empty, too long, malformed)."""


class NoIndexError(AssistantError):
    def __init__(self, where: str):
        super().__init__(
            f"No index at {where} — run `assistant ingest` to build it from corpus/ "
            "(or start the app, which builds it on first run)."
        )


class IndexBusyError(AssistantError):
    def __init__(self, lock_path: str):
        super().__init__(
            f"Another ingest is writing this index (lock {lock_path}). "
            "Wait for it to finish, then try again."
        )


class LoaderError(AssistantError):
    """A file could not be turned into a Document; the message is the reason."""


class SettingsError(AssistantError):
    """A setting is unknown or invalid."""


class LLMError(AssistantError):
    """The optional LLM backend is misconfigured or unreachable."""


class ServerError(AssistantError):
    """The Chroma server (server mode) cannot be reached, or holds an incomplete library."""
