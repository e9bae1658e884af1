"""Errors a user can act on: each names the input and what was wrong with it."""

from __future__ import annotations


class UnspinError(Exception):
    """Base class: the message is shown to the user as one line, without a traceback."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class IngestError(UnspinError):
    """The input could not be turned into an Article (missing, empty, binary, too big, unreachable...)."""


class DataError(UnspinError, FileNotFoundError):
    """A labelled corpus (the data directory or a file of it) is missing: train and eval cannot run."""
