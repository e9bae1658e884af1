"""Knowledge base of known claims (debunked narratives, fact-checks): store, importers, retrieval."""

from __future__ import annotations

from pathlib import Path

from unspin.kb.store import (
    Entry,
    Hit,
    ImportRejected,
    ImportResult,
    KBError,
    KnowledgeBase,
    SqliteKB,
    default_path,
)


def open_kb(path: str | Path | None = None, *, read_only: bool = False) -> SqliteKB:
    """The knowledge base at ``path``, $UNSPIN_KB, or the default under the user's data directory.

    ``read_only``: for commands that only read (search, stats, outlet, export): a missing file is a KBError,
    never created.
    """
    return SqliteKB(Path(path) if path else default_path(), read_only=read_only)


__all__ = [
    "Entry",
    "Hit",
    "ImportRejected",
    "ImportResult",
    "KBError",
    "KnowledgeBase",
    "SqliteKB",
    "default_path",
    "open_kb",
]
