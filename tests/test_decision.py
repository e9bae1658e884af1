"""Decision rules for multi-label heads (unspin.train.decision): calibrated probabilities, one threshold."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from conftest import run_cli
from test_paragraphs import _bundle
from unspin.train.decision import NEVER, calibrate, calibrated_thresholds, micro_f1_at, raw_thresholds
from unspin.train.paragraphs import best_thresholds


def _balanced_head_output(rng: np.random.Generator, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Labels of different rarity with the inflated probabilities a class-balanced head gives rare labels."""
    rates = np.array([0.3, 0.1, 0.03])
    y = (rng.random((n, 3)) < rates).astype(int)
    signal = np.where(y == 1, 1.5, -1.5) + rng.normal(0, 1.2, (n, 3))
    probs = 1 / (1 + np.exp(-(signal + 1.0)))  # shifted up, as balancing the classes does
    return probs, y


def test_raw_thresholds_reproduce_calibrated_probabilities_with_one_threshold() -> None:
    probs, y = _balanced_head_output(np.random.default_rng(0))
    raw, shared, platt = calibrated_thresholds(probs, y)
    by_calibration = calibrate(probs, platt) >= shared
    by_raw = probs >= raw
    assert 0.05 <= shared <= 0.95 and (platt[:, 0] > 0).all()
    assert (by_calibration != by_raw).mean() < 1e-3  # only float ties at the boundary may differ
    # Calibrated against the labels, the inflated rare label needs a higher raw probability than the common one.
    assert raw[2] > raw[0]


def test_calibrated_rule_predicts_close_to_the_true_density_where_per_label_thresholds_overshoot() -> None:
    probs, y = _balanced_head_output(np.random.default_rng(1))
    raw, _, _ = calibrated_thresholds(probs, y)
    fresh_probs, fresh_y = _balanced_head_output(np.random.default_rng(2))
    calibrated = fresh_probs >= raw
    per_label = fresh_probs >= best_thresholds(probs, y)
    assert abs(calibrated.sum() - fresh_y.sum()) / fresh_y.sum() < 0.5
    assert micro_f1_at(calibrated, fresh_y) >= micro_f1_at(per_label, fresh_y) - 0.02


def test_a_head_without_positive_evidence_never_fires() -> None:
    platt = np.array([[2.0, -1.0], [0.0, 0.5], [-1.0, 0.0]])
    raw = raw_thresholds(platt, 0.3)
    assert 0 < raw[0] < 1 and raw[1] == raw[2] == np.float32(NEVER)


def test_ngram_training_with_the_calibrated_rule(tmp_path: Path) -> None:
    from unspin.train.paragraphs_ngram import train

    data = _bundle(tmp_path)
    meta = train(data, tmp_path / "ngram", decision="calibrated")
    assert meta["decision_rule"] == "calibrated" and len(meta["technique_thresholds"]) == 23
    assert json.loads((tmp_path / "ngram" / "meta.json").read_text())["decision_rule"] == "calibrated"
    bad = run_cli(
        "train", "paragraphs-ngram", "--data", str(data), "--decision", "bogus", "--out", str(tmp_path / "x")
    )
    assert bad.returncode == 2 and "per-label or calibrated" in bad.stderr


def test_the_blend_chooses_its_weight_and_thresholds_by_the_decision_rule() -> None:
    import pytest

    from unspin.train.paragraph_blend import WEIGHTS, choose_multilabel

    rng = np.random.default_rng(3)
    probs, y = _balanced_head_output(rng)
    noisy = np.clip(probs + rng.normal(0, 0.15, probs.shape), 0.001, 0.999)  # a weaker second member
    w, thresholds, scores = choose_multilabel(probs, noisy, y, "calibrated")
    assert w in WEIGHTS and set(scores) == {str(x) for x in WEIGHTS}
    assert w >= 0.5  # the better member weighs more
    blended = w * probs + (1 - w) * noisy
    np.testing.assert_array_equal(thresholds, calibrated_thresholds(blended, y)[0])
    assert scores[str(w)] == round(micro_f1_at(blended >= thresholds, y), 4) == max(scores.values())
    _, per_label, _ = choose_multilabel(probs, noisy, y, "per-label")
    assert not np.array_equal(per_label, thresholds)
    with pytest.raises(ValueError, match="unknown decision rule 'bogus'"):
        choose_multilabel(probs, noisy, y, "bogus")
