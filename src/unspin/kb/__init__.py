"""Knowledge base of known claims (debunked narratives, fact-checks): store, importers, retrieval."""

from __future__ import annotations

from pathlib import Path

from unspin.kb.store import Entry, Hit, ImportResult, KBError, KnowledgeBase, SqliteKB, default_path


def open_kb(path: str | Path | None = None) -> SqliteKB:
    """The knowledge base at ``path``, $UNSPIN_KB, or the default under the user's data directory."""
    return SqliteKB(Path(path) if path else default_path())


__all__ = ["Entry", "Hit", "ImportResult", "KBError", "KnowledgeBase", "SqliteKB", "default_path", "open_kb"]
