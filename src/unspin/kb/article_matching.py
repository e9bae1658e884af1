"""Which known cases does an article repeat? Each case is scored against the article's sentences, not its words.

The units are the article's check-worthy claims, its title and the sentences of its lead. Each unit is
embedded (one encoder call for all of them), retrieves its candidate cases (BM25 + e5), and the verifier
scores every (unit, case) pair. A case is a known narrative of the article when some unit's pair passes the
verifier; the unit with the best pair is the sentence shown with it. Cases that retrieval found but no
unit's pair passed are *related cases* (at most MAX_RELATED), reported without a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unspin.kb.retrieval import retrieve
from unspin.kb.store import KnowledgeBase
from unspin.kb.verifier import CANDIDATES_PER_QUERY, VerifiedMatch, case_text, verify
from unspin.models.claim_match_features import headline_options, prefetch_verbs
from unspin.models.claim_matcher import ClaimMatcher
from unspin.models.e5_embedder import CachedEncoder

MAX_RELATED = 3
MAX_NARRATIVES = 5
LEAD_SENTENCES = 3


@dataclass
class Unit:
    """One sentence-sized query: a claim (with its id), the title, or a lead sentence."""

    text: str
    field: str
    start: int
    end: int
    claim_id: str | None = None


@dataclass
class CaseMatch:
    unit: Unit
    verified: VerifiedMatch


@dataclass
class ArticleMatches:
    narratives: list[CaseMatch]  # best unit per accepted case, ranked by the verifier
    related: list[CaseMatch]  # retrieved, not accepted: no verdict
    claim_hits: list[CaseMatch]  # every accepted (claim, case) pair: what a claim's verdict rests on


def match_article(
    kb: KnowledgeBase,
    units: list[Unit],
    vectors: list[np.ndarray | None],
    matcher: ClaimMatcher,
    encoder: CachedEncoder | None,
) -> ArticleMatches:
    best: dict[str, CaseMatch] = {}
    claim_hits: list[CaseMatch] = []
    candidates = [
        retrieve(kb, unit.text, limit=CANDIDATES_PER_QUERY, query_vector=vec)
        for unit, vec in zip(units, vectors, strict=True)
    ]
    # Tag every sentence and candidate headline of the article in one spaCy batch (see prefetch_verbs).
    prefetch_verbs(
        [u.text for u in units]
        + [h for found in candidates for m in found for h in headline_options(case_text(m.entry))]
    )
    for unit, vec, found in zip(units, vectors, candidates, strict=True):
        for v in verify(matcher, encoder, unit.text, found, vec):
            m = CaseMatch(unit, v)
            if v.same_claim and unit.claim_id is not None:
                claim_hits.append(m)
            old = best.get(v.entry.id)
            if old is None or v.probability > old.verified.probability:
                best[v.entry.id] = m
    ranked = sorted(best.values(), key=lambda m: -m.verified.probability)
    return ArticleMatches(
        narratives=[m for m in ranked if m.verified.same_claim][:MAX_NARRATIVES],
        related=[m for m in ranked if not m.verified.same_claim and m.verified.related][:MAX_RELATED],
        claim_hits=claim_hits,
    )
