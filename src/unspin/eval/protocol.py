"""The validation protocol's statistics: every reported score carries a bootstrap interval over articles.

Why articles: paragraphs and spans of one article share an author, a topic and an annotator, so they are not
independent; resampling whole articles gives the spread a score would show on another sample of articles of
the same kind (docs/BENCHMARKS.md, "Validation protocol"). The interval says nothing about a shift in source,
time or annotation batch: that is what the protocol's separate splits are for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

RESAMPLES = 2000
LEVEL = 0.95

Counts = tuple[int, int, int]  # true positives, false positives, false negatives


def multilabel_counts(
    gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]], classes: Sequence[str]
) -> Counts:
    """Micro-averaged (tp, fp, fn) of multi-label rows over a label inventory (labels outside it ignored, as in
    ``scorers.multilabel_f1``)."""
    inventory = set(classes)
    tp = fp = fn = 0
    for g_row, p_row in zip(gold, pred, strict=True):
        g, p = set(g_row) & inventory, set(p_row) & inventory
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    return tp, fp, fn


def micro_f1(tp: float, fp: float, fn: float) -> float:
    """2tp / (2tp + fp + fn), 1 when nothing is gold or predicted (sklearn's zero_division=1)."""
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def micro_f1_interval(
    per_article: Sequence[Counts], resamples: int = RESAMPLES, seed: int = 0, level: float = LEVEL
) -> tuple[float, float]:
    """Percentile interval of micro-F1 when the articles (each with its summed counts) are resampled with
    replacement."""
    rows = np.asarray(per_article, dtype=np.float64).reshape(-1, 3)
    if not len(rows):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    sums = rows[rng.integers(0, len(rows), (resamples, len(rows)))].sum(axis=1)
    tp, fp, fn = sums[:, 0], sums[:, 1], sums[:, 2]
    denom = 2 * tp + fp + fn
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-12), 1.0)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(f1, [tail, 100 - tail])
    return float(lo), float(hi)
