"""Errors a user can act on: each names the input and what was wrong with it."""

from __future__ import annotations

MAX_SHOWN_SOURCE = 200  # a source echoed in a message (the text itself, a URL) is cut to this


def shown(value: str, limit: int = MAX_SHOWN_SOURCE) -> str:
    """``value`` fit for a one-line message: control characters, line breaks and lone surrogates escaped
    (a URL or text that holds a newline must not split the error in two), long values cut."""
    out = "".join(
        c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else repr(c)[1:-1] for c in value[: limit + 1]
    )
    return out[:limit] + "…" if len(value) > limit else out


class UnspinError(Exception):
    """Base class: the message is shown to the user as one line, without a traceback."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{shown(source)}: {shown(reason, 4 * MAX_SHOWN_SOURCE)}")
        self.source = source
        self.reason = reason


class IngestError(UnspinError):
    """The input could not be turned into an Article (missing, empty, binary, too big, unreachable...)."""


class DataError(UnspinError, FileNotFoundError):
    """A labelled corpus (the data directory or a file of it) is missing: train and eval cannot run."""
