"""Claim-to-case verification: retrieval proposes cases, the verifier decides which say the same thing.

Retrieval (kb/retrieval.py) ranks cases by topic: BM25 and e5 cosine. That is how a sentence about a
minister's interview came to be "refuted" by a case about Russia respecting its partners. A case's verdict
now passes to a claim only when the claim-matcher (models/claim_matcher.py) accepts the pair; a case that
retrieval found but the verifier did not accept is at most a *related case*, shown without a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unspin.kb.retrieval import Match, retrieve
from unspin.kb.store import Entry, KnowledgeBase
from unspin.models.claim_match_features import (
    SENTENCE_COSINE,
    CaseText,
    headline_for,
    headline_options,
    is_cyrillic,
    pair_features,
    prefetch_verbs,
)
from unspin.models.claim_matcher import ClaimMatcher
from unspin.models.e5_embedder import CachedEncoder

CANDIDATES_PER_QUERY = 5  # cases verified per claim: the verifier, not the retrieval rank, decides
# A case the verifier rejected is still worth a "related case" line when the two are this close by the
# verifier, in wording (retrieval similarity) or in meaning (e5 cosine: what a sentence in another language
# has); below all three it is noise.
RELATED_PROBABILITY = 0.15
RELATED_SIMILARITY = 0.45
# e5 cosine of a Russian translation of a demo case with its English entry: 0.87; nearest wrong entry 0.80.
RELATED_DENSE = 0.85


@dataclass
class VerifiedMatch:
    match: Match
    probability: float  # P(same claim) from the verifier
    same_claim: bool
    verifiable: bool = True  # False: a sentence the verifier cannot read (another script)

    @property
    def entry(self) -> Entry:
        return self.match.entry

    @property
    def related(self) -> bool:
        # The verifier's probability means something only for a sentence it reads (English): for another
        # script, a case is related by its wording or its e5 meaning alone.
        return not self.same_claim and (
            (self.verifiable and self.probability >= RELATED_PROBABILITY)
            or self.match.similarity >= RELATED_SIMILARITY
            or (self.match.dense or 0.0) >= RELATED_DENSE
        )


def case_text(entry: Entry) -> CaseText:
    return CaseText(title=entry.title or entry.claim, text=entry.claim, year=entry.date[:4])


def verify(
    matcher: ClaimMatcher,
    encoder: CachedEncoder | None,
    claim: str,
    matches: list[Match],
    query_vector: np.ndarray | None = None,
) -> list[VerifiedMatch]:
    """The verifier's view of each retrieved case, best first.

    A case without a stored vector (a store never `kb embed`-ed) is embedded here with ``encoder``: the
    verifier's evidence includes the e5 cosine, and a small store is cheap to embed on the fly. The encoder
    also gives the token states of the claim and of each case headline, which the alignment features read.
    """
    if not matches:
        return []
    prefetch_verbs([claim, *(h for m in matches for h in headline_options(case_text(m.entry)))])
    if query_vector is not None and encoder is not None:
        for m in matches:
            if m.dense is None:
                m.dense = float(
                    np.dot(_case_vector(m.entry, encoder), np.asarray(query_vector, dtype=np.float32))
                )
    cases = [case_text(m.entry) for m in matches]
    headlines = [headline_for(claim, c) for c in cases]
    if encoder is not None and matcher.reads_alignment:
        claim_states, *headline_states = encoder.token_states([claim, *headlines])
        x = np.stack(
            [
                pair_features(claim, c, m.dense, claim_states, hs)
                for m, c, hs in zip(matches, cases, headline_states, strict=True)
            ]
        )
    else:  # no alignment features (a model without them, or no encoder: the pairs then look unaligned)
        x = np.stack([pair_features(claim, c, m.dense) for m, c in zip(matches, cases, strict=True)])
    # The verifier was trained on English pairs and its word features (actors, predicate, negation) cannot
    # read another script: such a sentence finds cases across languages, but only as related cases.
    verifiable = not is_cyrillic(claim)
    if matcher.reads_sentence_cosine:
        _sentence_cosines(matcher, claim, headlines, x, verifiable)
    p = matcher.predict_proba(x)[:, 1]
    out = [
        VerifiedMatch(m, float(pi), verifiable and bool(pi >= matcher.threshold), verifiable)
        for m, pi in zip(matches, p, strict=True)
    ]
    return sorted(out, key=lambda v: -v.probability)


def _sentence_cosines(
    matcher: ClaimMatcher, claim: str, headlines: list[str], x: np.ndarray, verifiable: bool
) -> None:
    """Fill in the sentence encoder's cosine for the pairs that could still be accepted.

    The sentence encoder (12 layers, 768 wide) costs ~0.1 s a sentence on one core, so it reads only the pairs
    whose probability would reach the threshold at the most favourable cosine (``ClaimMatcher.ceiling``;
    skipping the others cannot change a decision) and whose probability with the cosine at its training mean
    is at least the model's ``sentence_floor`` (chosen by the trainer under every labelled pair it accepts:
    nearly every retrieved pair can pass at cosine 1, and reading them all took ~3 s an article). The others'
    probability is read with the feature at its training mean, as if the encoder had said nothing unusual.
    """
    col = SENTENCE_COSINE
    x[:, col] = matcher.mean[col]
    possible = (matcher.ceiling(x, col, -1.0, 1.0) >= matcher.threshold) & (
        matcher.predict_proba(x)[:, 1] >= matcher.sentence_floor
    )
    encoder = matcher.sentence_encoder
    if not verifiable or encoder is None or not possible.any():
        return
    rows = np.flatnonzero(possible)
    vectors = encoder.embed([claim, *(headlines[i] for i in rows)])
    x[rows, col] = vectors[1:] @ vectors[0]


def verified_matches(
    kb: KnowledgeBase,
    claim: str,
    query_vector: np.ndarray | None,
    matcher: ClaimMatcher,
    encoder: CachedEncoder | None,
    candidates: int = CANDIDATES_PER_QUERY,
) -> list[VerifiedMatch]:
    """Retrieve ``candidates`` cases for ``claim`` (hybrid when a vector is given) and verify each."""
    matches = retrieve(kb, claim, limit=candidates, query_vector=query_vector)
    return verify(matcher, encoder, claim, matches, query_vector)


def _case_vector(entry: Entry, encoder: CachedEncoder) -> np.ndarray:
    """The case's e5 vector (the encoder remembers recent texts, so a case is embedded once in a while)."""
    from unspin.kb.embeddings import entry_text

    return np.asarray(encoder.embed([entry_text(entry)])[0], dtype=np.float32)
