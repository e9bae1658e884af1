"""Retrieval over the knowledge base: BM25 candidates from the store, re-ranked by a bounded similarity.

BM25 scores do not compare across queries, so a match threshold cannot be set on them. The re-ranker's
score is a cosine over content-word stems in [0, 1]: the share of meaning-bearing words the query and the
entry have in common, comparable from one query to the next. Short texts reach a high cosine on one or
two common words, so fewer than MIN_SHARED shared stems count as no similarity at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from unspin.kb.store import Entry, KnowledgeBase
from unspin.nlp.stems import stems

CANDIDATES = 30
# e5 cosines of unrelated texts sit around 0.8; the dense score maps [DENSE_FLOOR, 1] onto [0, 1] so it can
# stand beside the lexical similarity in one ranking.
DENSE_FLOOR = 0.80
MIN_SHARED = 3  # fewer shared content words is chance: two short texts about Russia share "russia" and "west"


def dense_score(cosine: float | None) -> float:
    if cosine is None:
        return 0.0
    return float(min(1.0, max(0.0, (cosine - DENSE_FLOOR) / (1.0 - DENSE_FLOOR))))


def similarity(a: set[str], b: set[str]) -> float:
    """Cosine of the two stem sets, 0 unless they share at least MIN_SHARED stems."""
    shared = len(a & b)
    return shared / math.sqrt(len(a) * len(b)) if shared >= MIN_SHARED else 0.0


@dataclass
class Match:
    entry: Entry
    similarity: float  # the score matches are thresholded on: lexical, or the better of lexical and dense
    bm25: float
    lexical: float = 0.0
    dense: float | None = None  # e5 cosine, when the store has vectors and a query vector was given


def retrieve(
    kb: KnowledgeBase,
    text: str,
    limit: int = 5,
    candidates: int = CANDIDATES,
    query_vector: np.ndarray | None = None,
) -> list[Match]:
    """The entries most similar to ``text``: BM25 candidates (plus, with a query vector, the nearest
    entries by embedding) re-ranked by the better of the stem cosine and the rescaled embedding cosine."""
    query = stems(text)
    pool: dict[str, Match] = {}
    for hit in kb.search(text, limit=candidates):
        e = hit.entry
        lex = similarity(query, stems(f"{e.title} {e.claim}"))
        pool[e.id] = Match(e, lex, hit.score, lex)
    if query_vector is not None:
        for e, _cos in kb.dense_search(query_vector, limit=candidates):
            if e.id not in pool:
                lex = similarity(query, stems(f"{e.title} {e.claim}"))
                pool[e.id] = Match(e, lex, 0.0, lex)
        for eid, cos in kb.dense_scores(query_vector, list(pool)).items():
            m = pool[eid]
            m.dense = cos
            m.similarity = max(m.lexical, dense_score(cos))
    out = sorted(pool.values(), key=lambda m: (-m.similarity, -m.bm25))
    return out[:limit]
