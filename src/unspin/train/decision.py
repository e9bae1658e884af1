"""Decision rules that turn multi-label head probabilities into labels, chosen on out-of-fold probabilities.

- "per-label": one F1-maximising threshold per label (``paragraphs.best_thresholds``). Each threshold follows
  its label's density in the fit data, so it over-predicts where a corpus was annotated more sparsely, and the
  rare labels' thresholds are fit to a handful of examples.
- "calibrated": one Platt scaling per label (sigmoid(a * logit(p) + b), fitted to the out-of-fold labels: the
  heads are class-balanced logistic regressions, whose raw probabilities overstate rare labels), then a single
  threshold for every label. Measured on splits that are not random articles, it beat the per-label rule
  everywhere (docs/BENCHMARKS.md, "Validation protocol").

A monotone calibration followed by one threshold equals one raw threshold per label, so "calibrated" is stored
exactly like "per-label" (``technique_thresholds`` in the artifact's meta.json) and the runtime is unchanged.
"""

from __future__ import annotations

import numpy as np

SHARED_GRID = np.arange(0.05, 0.96, 0.025)
NEVER = 1.01  # a threshold no probability reaches


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def platt_per_label(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(labels, 2): a and b of each label's Platt scaling; (1, 0) for a label without both classes."""
    from sklearn.linear_model import LogisticRegression

    out = np.tile(np.array([1.0, 0.0]), (y.shape[1], 1))
    for j in range(y.shape[1]):
        if 0 < y[:, j].sum() < len(y):
            clf = LogisticRegression(C=1e4, max_iter=1000).fit(_logit(probs[:, j])[:, None], y[:, j])
            out[j] = clf.coef_[0, 0], clf.intercept_[0]
    return out


def calibrate(probs: np.ndarray, platt: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(platt[:, 0] * _logit(probs) + platt[:, 1])))


def micro_f1_at(pred: np.ndarray, y: np.ndarray) -> float:
    tp = int((pred & (y == 1)).sum())
    return 2 * tp / max(1, int(pred.sum()) + int(y.sum()))


def shared_threshold(calibrated: np.ndarray, y: np.ndarray) -> float:
    """The threshold on calibrated probabilities with the best micro-F1 over all labels."""
    scores = [micro_f1_at(calibrated >= t, y) for t in SHARED_GRID]
    return float(SHARED_GRID[int(np.argmax(scores))])


def raw_thresholds(platt: np.ndarray, threshold: float) -> np.ndarray:
    """Per label, the raw probability whose calibrated value is ``threshold`` (NEVER where a <= 0: the head's
    probability then carries no positive evidence)."""
    a, b = platt[:, 0], platt[:, 1]
    z = np.log(threshold / (1 - threshold))
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = 1 / (1 + np.exp(-(z - b) / a))
    return np.where(a > 0, raw, NEVER).astype(np.float32)


def calibrated_thresholds(probs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """(raw per-label thresholds, the shared calibrated threshold, the Platt parameters)."""
    platt = platt_per_label(probs, y)
    shared = shared_threshold(calibrate(probs, platt), y)
    return raw_thresholds(platt, shared), shared, platt
