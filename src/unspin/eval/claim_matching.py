"""`unspin eval claim-matching`: does a claim inherit a case's verdict only when both assert the same thing?

Two measures:
- precision and recall of "same claim" on the labelled test pairs (data/annotations/claim_matching.jsonl),
  with 95 % bootstrap intervals (resampling source texts, since a text's pairs are not independent);
- the false-refute rate: the share of sentences of mainstream news (PolNeAR test articles, FNC-1 test
  bodies) that would get a verdict from the full EUvsDisinfo knowledge base. "Before" is the previous rule
  (retrieval similarity >= the old claim threshold 0.29), "after" the verifier.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.eval.claim_pairs import ANNOTATIONS, EmbeddingCache, load_pairs, pair_matrix
from unspin.eval.claim_sources import fnc1_bodies, polnear_texts, sentences
from unspin.kb.retrieval import retrieve
from unspin.kb.store import SqliteKB
from unspin.kb.verifier import verify
from unspin.models.claim_matcher import ClaimMatcher
from unspin.models.e5_embedder import CachedEncoder
from unspin.models.registry import ModelRegistry

OLD_CLAIM_THRESHOLD = 0.29  # the retrieval-similarity rule the verifier replaces
BOOTSTRAP = 1000


@dataclass
class Interval:
    value: float
    low: float
    high: float


@dataclass
class ClaimMatchingResult:
    pairs: int
    positives: int
    precision: Interval
    recall: Interval
    old_precision: Interval
    old_recall: Interval
    mainstream_sentences: int
    false_refute_rate: Interval
    old_false_refute_rate: Interval


def _pr(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    tp = float((pred & gold).sum())
    return tp / max(1, pred.sum()), tp / max(1, gold.sum())


def bootstrap_pr(
    pred: np.ndarray, gold: np.ndarray, groups: list[str], seed: int = 17
) -> tuple[Interval, Interval]:
    """Precision and recall with 95 % percentile intervals, resampling whole groups (source texts)."""
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    keys = sorted(by_group)
    rng = random.Random(seed)
    ps, rs = [], []
    for _ in range(BOOTSTRAP):
        idx = [i for k in rng.choices(keys, k=len(keys)) for i in by_group[k]]
        p, r = _pr(pred[idx], gold[idx])
        ps.append(p)
        rs.append(r)
    p, r = _pr(pred, gold)
    return (
        Interval(p, float(np.percentile(ps, 2.5)), float(np.percentile(ps, 97.5))),
        Interval(r, float(np.percentile(rs, 2.5)), float(np.percentile(rs, 97.5))),
    )


def rate_interval(flags: list[bool], groups: list[str], seed: int = 17) -> Interval:
    by_group: dict[str, list[bool]] = {}
    for f, g in zip(flags, groups, strict=True):
        by_group.setdefault(g, []).append(f)
    keys = sorted(by_group)
    rng = random.Random(seed)
    rates = []
    for _ in range(BOOTSTRAP):
        sample = [f for k in rng.choices(keys, k=len(keys)) for f in by_group[k]]
        rates.append(sum(sample) / max(1, len(sample)))
    value = sum(flags) / max(1, len(flags))
    return Interval(value, float(np.percentile(rates, 2.5)), float(np.percentile(rates, 97.5)))


def mainstream_sentences(data: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """(article key, sentence) of PolNeAR test articles and FNC-1 test bodies (``limit`` articles of each)."""
    pol = sorted(k for k in polnear_texts(data) if k.startswith("test/"))[:limit]
    fnc = sorted(k for k in fnc1_bodies(data) if k.startswith("test/"))[:limit]
    out = []
    for key, text in [(f"polnear:{k}", polnear_texts(data)[k]) for k in pol] + [
        (f"fnc1:{k}", fnc1_bodies(data)[k]) for k in fnc
    ]:
        out += [(key, text[s:e]) for s, e in sentences(text)]
    return out


def false_refutes(
    kb: SqliteKB,
    items: list[tuple[str, str]],
    matcher: ClaimMatcher,
    encoder: CachedEncoder,
    cache: EmbeddingCache,
) -> tuple[list[bool], list[bool]]:
    """(old rule, verifier): whether each sentence would get a verdict from the knowledge base."""
    vectors = cache.embed([t for _, t in items])
    old, new = [], []
    for (_, text), vec in zip(items, vectors, strict=True):
        matches = retrieve(kb, text, limit=5, query_vector=vec)
        old.append(any(m.lexical >= OLD_CLAIM_THRESHOLD for m in retrieve(kb, text, limit=2)))
        new.append(any(v.same_claim for v in verify(matcher, encoder, text, matches, vec)))
    return old, new


def evaluate_claim_matching(
    data: Path, kb_path: Path, annotations: Path = ANNOTATIONS, articles: int | None = None
) -> ClaimMatchingResult:
    kb = SqliteKB(kb_path)
    cache = EmbeddingCache()
    models = ModelRegistry()
    matcher, encoder = models.get("claim_matcher"), models.get("encoder")
    test = [p for p in load_pairs(data, annotations) if p.split == "test"]
    x = pair_matrix(test, kb, cache)
    gold = np.array([p.label == "same-claim" for p in test])
    groups = [f"{p.claim_source}:{p.claim_row_id}" for p in test]
    precision, recall = bootstrap_pr(matcher.accepts(x), gold, groups)
    # The old rule: lexical retrieval similarity at or above the claim threshold.
    old_pred = np.array([x_lex >= OLD_CLAIM_THRESHOLD for x_lex in _old_similarity(kb, test)])
    old_precision, old_recall = bootstrap_pr(old_pred, gold, groups)
    items = mainstream_sentences(data, articles)
    old, new = false_refutes(kb, items, matcher, encoder, cache)
    keys = [k for k, _ in items]
    return ClaimMatchingResult(
        pairs=len(test),
        positives=int(gold.sum()),
        precision=precision,
        recall=recall,
        old_precision=old_precision,
        old_recall=old_recall,
        mainstream_sentences=len(items),
        false_refute_rate=rate_interval(new, keys),
        old_false_refute_rate=rate_interval(old, keys),
    )


def _old_similarity(kb: SqliteKB, pairs: list) -> list[float]:
    from unspin.kb.retrieval import similarity, stems

    out = []
    for p in pairs:
        e = kb.get(p.case_id)
        out.append(similarity(stems(p.claim), stems(f"{e.title} {e.claim}")) if e else 0.0)
    return out
