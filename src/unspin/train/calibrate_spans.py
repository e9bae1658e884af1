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
from unspin.models.span_ensemble import SpanEnsemble, average_char_probs, hysteresis_runs, space_mask
from unspin.models.span_model import SpanModel, merge_runs, softmax

THRESHOLDS = [round(0.3 + 0.05 * i, 2) for i in range(9)]  # 0.30 … 0.70
GAPS = [0, 5, 10, 20, 40]  # characters between two runs on one line that still make one span
MIN_CHARS = [1, 4, 10, 16]
# The first of two members' weight (the second gets the rest), tuned with the decoding by --tune-weights.
FIRST_MEMBER_WEIGHTS = [0.3, 0.4, 0.5, 0.6, 0.7]


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


Decoding = tuple[float, float, int, int]  # threshold, extend threshold, merge gap, minimum characters


def _decoding_grid(
    articles: list[LabelledArticle], probs: dict[str, tuple[np.ndarray, np.ndarray]]
) -> dict[Decoding, float]:
    """SI F1 over ``articles`` for every hysteresis decoding setting, from their character probabilities."""
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in articles}
    scores: dict[Decoding, float] = {}
    spaces = {a.id: space_mask(a.text) for a in articles}
    for hi, lo in itertools.product(THRESHOLDS, THRESHOLDS):
        if lo > hi:
            continue
        runs = {a.id: hysteresis_runs(a.text, *probs[a.id], hi, lo, spaces[a.id]) for a in articles}
        for gap, min_chars in itertools.product(GAPS, MIN_CHARS):
            pred = {  # merge_runs extends the runs it is given: each setting merges copies
                a.id: [(s, e) for s, e, _ in merge_runs(a.text, [r[:] for r in runs[a.id]], gap, min_chars)]
                for a in articles
            }
            scores[(hi, lo, gap, min_chars)] = span_f1(gold, pred).f1
    return scores


def member_encoder(member: Path) -> str:
    """The pretrained encoder a member was trained from (the first members' training.json did not say)."""
    meta = json.loads((member / "training.json").read_text(encoding="utf-8"))
    return str(meta.get("encoder", "minilm"))


def calibrate_ensemble(
    folder: Path, members: list[Path], heldout: list[LabelledArticle], *,
    oof: Path | None = None, train_articles: list[LabelledArticle] | None = None, tune_weights: bool = False,
) -> dict[str, object]:  # fmt: skip
    """Write ensemble.json for span models stored beside ``folder``: hysteresis thresholds, merge gap and
    minimum length with the best SI F1, Platt scaling of span scores, temperature of the averaged technique
    probabilities. Every member must have held out the same articles.

    Without ``oof`` the decoding and Platt scaling are tuned on the members' held-out articles. With ``oof``
    (a folder with one subfolder per member, named as the member, of `unspin train span-folds` files made with
    the member's recipe) they are tuned on the out-of-fold
    probabilities of all ``train_articles``; the temperature still comes from the held-out articles, as the
    fold files hold no technique probabilities.
    """
    names = [m.name for m in members]
    if any(m.resolve().parent != folder.resolve().parent for m in members):
        raise ValueError(f"the members {names} must be artifact folders beside {folder}")
    held = {
        tuple(json.loads((m / "training.json").read_text(encoding="utf-8"))["heldout_ids"]) for m in members
    }
    if len(held) != 1 or set(next(iter(held))) != {a.id for a in heldout}:
        raise ValueError(f"the members {names} did not all hold out the articles being calibrated on")
    if tune_weights and len(members) != 2:
        raise ValueError(f"--tune-weights needs exactly two members, not {len(members)}")
    model = SpanEnsemble(folder, {"members": names})
    encoded = [(a, model.encode(a.text)) for a in heldout]
    if oof is None:
        tuned = heldout
        per_member = [
            {a.id: m.char_probs(a.text, enc[i]) for a, enc in encoded} for i, m in enumerate(model.members)
        ]
    else:
        from unspin.train.span_folds import load_oof

        if not train_articles:
            raise ValueError("out-of-fold calibration needs the PTC train articles")
        tuned = train_articles
        per_member = [load_oof(oof / m.name, member_encoder(m), tuned) for m in members]
    # Per candidate weighting: its best SI F1, that decoding, the whole grid, and the averaged probabilities.
    results = []
    for weights in [[w, round(1 - w, 2)] for w in FIRST_MEMBER_WEIGHTS] if tune_weights else [None]:
        probs = {a.id: average_char_probs([pm[a.id] for pm in per_member], weights) for a in tuned}
        scores = _decoding_grid(tuned, probs)
        best = max(scores, key=lambda k: scores[k])
        results.append((weights, scores[best], best, scores, probs))
    model.weights, _, best, scores, probs = max(results, key=lambda r: r[1])  # ties: the lower weight
    hi, lo, gap, min_chars = best
    decoded = [(a, model.decode(a.text, [], hi, gap, min_chars, lo, probs[a.id])) for a in tuned]
    meta = {
        "members": names,
        "threshold": hi,
        "extend_threshold": lo,
        "merge_gap": gap,
        "min_chars": min_chars,
        "platt": list(_platt_of(decoded)),
        "temperature": _fit_temperature(model, encoded),
        "tuned_on": "out-of-fold PTC train" if oof is not None else "held-out PTC train",
        "tuned_articles": len(tuned),
        "tuned_si_f1": round(scores[best], 4),
        "tuned_si_f1_top10": {
            "/".join(map(str, k)): round(v, 4) for k, v in sorted(scores.items(), key=lambda kv: -kv[1])[:10]
        },
        "heldout_articles": len(heldout),
    }
    if tune_weights:
        meta["weights"] = model.weights
        meta["best_by_first_member_weight"] = {  # the weight 0.5 row is what equal weights would have chosen
            str(w[0]): {"si_f1": round(f1, 4), "decoding": "/".join(map(str, decoding))}
            for w, f1, decoding, _, _ in results
            if w is not None
        }
    if oof is not None:  # the members' own held-out articles, decoded as tuned: for comparison with v1
        held_probs = {a.id: model.char_probs(a.text, enc) for a, enc in encoded}
        gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in heldout}
        pred = {
            a.id: [(s, e) for s, e, _ in model.decode(a.text, enc, hi, gap, min_chars, lo, held_probs[a.id])]
            for a, enc in encoded
        }
        meta["heldout_si_f1"] = round(span_f1(gold, pred).f1, 4)
    else:
        meta["heldout_si_f1"] = meta["tuned_si_f1"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ensemble.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
