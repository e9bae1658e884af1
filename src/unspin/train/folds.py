"""Out-of-fold predictions, the one loop behind every threshold, weight and C chosen in training: 4 folds
grouped by article (scikit-learn's GroupKFold), so no article's paragraphs sit on both sides of a fold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

FOLDS = 4


def out_of_fold(
    x: Any,
    y: np.ndarray,
    groups: np.ndarray,
    fit_predict: Callable[[Any, np.ndarray, Any], np.ndarray],
    width: int,
) -> np.ndarray:
    """(rows x width) predictions, each row's from ``fit_predict(x_fit, y_fit, x_val)`` of the folds without it."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros((len(y), width), dtype=np.float32)
    for fit_idx, val_idx in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        out[val_idx] = fit_predict(x[fit_idx], y[fit_idx], x[val_idx])
    return out


def genre_probabilities(x: Any, y: np.ndarray, groups: np.ndarray, c: float, classes: int) -> np.ndarray:
    """Out-of-fold genre probabilities (articles x genres) of a class-balanced multinomial logistic head."""
    from sklearn.linear_model import LogisticRegression

    def fit_predict(xf: Any, yf: np.ndarray, xv: Any) -> np.ndarray:
        probs = np.zeros((xv.shape[0], classes), dtype=np.float32)
        seen = sorted(set(yf.tolist()))
        if len(seen) < 2:  # a fold with one genre (tiny data): it is certain
            probs[:, seen[0]] = 1.0
            return probs
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(xf, yf)
        z = np.asarray(xv @ clf.coef_.T + clf.intercept_)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        probs[:, clf.classes_] = z / z.sum(axis=1, keepdims=True)
        return probs

    return out_of_fold(x, y, groups, fit_predict, classes)
