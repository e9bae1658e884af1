"""Tune the span model's decode threshold and calibrate its scores on held-out training articles."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np

from unspin.datasets.ptc import TECHNIQUES_2020, LabelledArticle
from unspin.eval.scorers import span_f1
from unspin.eval.techniques import overlap_share
from unspin.models.span_model import SpanModel, softmax

THRESHOLDS = [round(0.3 + 0.05 * i, 2) for i in range(9)]  # 0.30 … 0.70
GAPS = [0, 5, 10, 20, 40]  # characters between two runs on one line that still make one span
MIN_CHARS = [1, 4, 10, 16]


def _platt(raw: list[float], correct: list[bool]) -> tuple[float, float]:
    """Logistic regression of correctness on logit(raw score), by Newton's method."""
    if len(set(correct)) < 2:
        return 1.0, 0.0
    z = np.array([math.log(max(r, 1e-6) / max(1 - r, 1e-6)) for r in raw])
    y = np.array(correct, dtype=float)
    x = np.stack([z, np.ones_like(z)], axis=1)
    w = np.array([1.0, 0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y)
        hess = x.T @ (x * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        w -= np.linalg.solve(hess, grad)
    return float(w[0]), float(w[1])


def calibrate(folder: Path, heldout: list[LabelledArticle]) -> dict[str, object]:
    """Write calibration.json: the SI threshold with the best held-out F1, Platt scaling, TC temperature."""
    (folder / "calibration.json").unlink(missing_ok=True)
    model = SpanModel(folder)
    encoded = [(a, model.encode(a.text)) for a in heldout]
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in heldout}
    scores: dict[str, float] = {}
    for tau, gap, min_chars in itertools.product(THRESHOLDS, GAPS, MIN_CHARS):
        pred = {
            a.id: [(s, e) for s, e, _ in model.decode(a.text, enc, tau, gap, min_chars)] for a, enc in encoded
        }
        scores[f"{tau}/{gap}/{min_chars}"] = span_f1(gold, pred).f1
    best_key = max(scores, key=lambda k: scores[k])
    best, best_gap, best_min = float(best_key.split("/")[0]), *map(int, best_key.split("/")[1:])
    raw, correct = [], []
    for a, enc in encoded:
        for s, e, score in model.decode(a.text, enc, best, best_gap, best_min):
            raw.append(score)
            correct.append(overlap_share(s, e, a.spans) >= 0.5)
    platt = _platt(raw, correct)
    # Temperature of the technique head: minimise the held-out negative log-likelihood on gold spans.
    logits, targets = [], []
    for a, enc in encoded:
        if a.spans:
            model.temperature = 1.0
            p = model.technique_probs(a.text, enc, [(s, e) for s, e, _ in a.spans])
            logits.append(np.log(np.clip(p, 1e-9, 1)))
            targets += [TECHNIQUES_2020.index(t) for _, _, t in a.spans]
    lg, tg = np.concatenate(logits), np.array(targets)
    nll = {
        t: -np.log(softmax(lg, t)[np.arange(len(tg)), tg] + 1e-12).mean() for t in np.arange(0.5, 3.01, 0.1)
    }
    temperature = float(round(min(nll, key=lambda t: nll[t]), 2))
    meta = {
        "labels": list(TECHNIQUES_2020),
        "threshold": best,
        "merge_gap": best_gap,
        "min_chars": best_min,
        "platt": list(platt),
        "temperature": temperature,
        "heldout_articles": len(heldout),
        "heldout_si_f1": round(scores[best_key], 4),
        "heldout_si_f1_top10": dict(sorted(scores.items(), key=lambda kv: -kv[1])[:10]),
    }
    (folder / "calibration.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
