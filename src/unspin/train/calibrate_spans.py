"""Tune the span model's decode threshold and calibrate its scores on held-out training articles."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from unspin.datasets.ptc import TECHNIQUES_2020, LabelledArticle
from unspin.eval.scorers import span_f1
from unspin.eval.techniques import overlap_share
from unspin.models.span_ensemble import SpanEnsemble
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


def _fit_temperature(model: SpanModel | SpanEnsemble, encoded: list[tuple[LabelledArticle, Any]]) -> float:
    """Temperature of the technique probabilities with the least held-out negative log-likelihood on gold spans."""
    model.temperature = 1.0
    logits, targets = [], []
    for a, enc in encoded:
        if a.spans:
            p = model.technique_probs(a.text, enc, [(s, e) for s, e, _ in a.spans])
            logits.append(np.log(np.clip(p, 1e-9, 1)))
            targets += [TECHNIQUES_2020.index(t) for _, _, t in a.spans]
    lg, tg = np.concatenate(logits), np.array(targets)
    nll = {
        t: -np.log(softmax(lg, t)[np.arange(len(tg)), tg] + 1e-12).mean() for t in np.arange(0.5, 3.01, 0.1)
    }
    return float(round(min(nll, key=lambda t: nll[t]), 2))


def _platt_of(
    decoded: list[tuple[LabelledArticle, list[tuple[int, int, float]]]],
) -> tuple[float, float]:
    """Platt scaling of span scores: a span is right when gold covers at least half of it."""
    raw, correct = [], []
    for a, spans in decoded:
        for s, e, score in spans:
            raw.append(score)
            correct.append(overlap_share(s, e, a.spans) >= 0.5)
    return _platt(raw, correct)


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
    platt = _platt_of([(a, model.decode(a.text, enc, best, best_gap, best_min)) for a, enc in encoded])
    temperature = _fit_temperature(model, encoded)
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


def calibrate_ensemble(
    folder: Path, members: list[Path], heldout: list[LabelledArticle]
) -> dict[str, object]:
    """Write ensemble.json for span models stored beside ``folder``: hysteresis thresholds, merge gap and
    minimum length with the best held-out SI F1, Platt scaling of span scores, temperature of the averaged
    technique probabilities. Every member must have held out the same articles."""
    names = [m.name for m in members]
    if any(m.resolve().parent != folder.resolve().parent for m in members):
        raise ValueError(f"the members {names} must be artifact folders beside {folder}")
    held = {
        tuple(json.loads((m / "training.json").read_text(encoding="utf-8"))["heldout_ids"]) for m in members
    }
    if len(held) != 1 or set(next(iter(held))) != {a.id for a in heldout}:
        raise ValueError(f"the members {names} did not all hold out the articles being calibrated on")
    model = SpanEnsemble(folder, {"members": names})
    encoded = [(a, model.encode(a.text)) for a in heldout]
    probs = {a.id: model.char_probs(a.text, enc) for a, enc in encoded}
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in heldout}
    scores: dict[tuple[float, float, int, int], float] = {}
    for hi, lo, gap, min_chars in itertools.product(THRESHOLDS, THRESHOLDS, GAPS, MIN_CHARS):
        if lo > hi:
            continue
        pred = {
            a.id: [(s, e) for s, e, _ in model.decode(a.text, enc, hi, gap, min_chars, lo, probs[a.id])]
            for a, enc in encoded
        }
        scores[(hi, lo, gap, min_chars)] = span_f1(gold, pred).f1
    best = max(scores, key=lambda k: scores[k])
    hi, lo, gap, min_chars = best
    decoded = [(a, model.decode(a.text, enc, hi, gap, min_chars, lo, probs[a.id])) for a, enc in encoded]
    meta = {
        "members": names,
        "threshold": hi,
        "extend_threshold": lo,
        "merge_gap": gap,
        "min_chars": min_chars,
        "platt": list(_platt_of(decoded)),
        "temperature": _fit_temperature(model, encoded),
        "heldout_articles": len(heldout),
        "heldout_si_f1": round(scores[best], 4),
        "heldout_si_f1_top10": {
            "/".join(map(str, k)): round(v, 4) for k, v in sorted(scores.items(), key=lambda kv: -kv[1])[:10]
        },
    }
    (folder / "ensemble.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
