"""Scorers on tiny inputs with answers worked out by hand, and against sklearn where the organisers used it."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import f1_score
from sklearn.preprocessing import MultiLabelBinarizer

from unspin.eval.scorers import (
    align_tc,
    bootstrap_interval,
    expected_calibration_error,
    multilabel_f1,
    single_label_f1,
    span_counts,
    span_f1,
    tc_micro_f1,
)


def test_span_f1_partial_overlap() -> None:
    r = span_f1({"a": [(0, 10)]}, {"a": [(5, 15)]})
    assert (r.precision, r.recall, r.f1) == (0.5, 0.5, 0.5)


def test_span_f1_merges_overlaps_and_counts_misses() -> None:
    # Gold (0,10) and (5,20) merge into (0,20). Prediction (0,10) covers half of it; (30,40) hits nothing.
    r = span_f1({"a": [(0, 10), (5, 20)], "b": [(0, 4)]}, {"a": [(0, 10), (30, 40)]})
    assert r.precision == pytest.approx((10 / 10 + 0) / 2)
    assert r.recall == pytest.approx((10 / 20) / 2)  # article b's span is missed entirely
    assert r.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_span_f1_empty_sides() -> None:
    assert span_f1({}, {}).f1 == 1.0
    assert span_f1({"a": [(0, 3)]}, {}).f1 == 0.0


def test_span_counts_per_article_add_up_to_the_score() -> None:
    gold = {"a": [(0, 10), (5, 20)], "b": [(0, 4)]}
    pred = {"a": [(0, 10), (30, 40)], "c": [(0, 2)]}
    counts = span_counts(gold, pred)
    assert counts == {"a": (1.0, 2, 0.5, 1), "b": (0.0, 0, 0.0, 1), "c": (0.0, 1, 0.0, 0)}
    lo, hi = bootstrap_interval(counts, resamples=500)
    assert 0.0 <= lo <= span_f1(gold, pred).f1 <= hi <= 1.0


def _official_span_counts(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> tuple[float, float]:
    """The organisers' loop: every predicted span against every gold span (after merging overlaps)."""
    from unspin.eval.scorers import _merge

    p_num = r_num = 0.0
    for ps, pe in _merge(pred):
        for gs, ge in _merge(gold):
            inter = max(0, min(pe, ge) - max(ps, gs))
            p_num += inter / (pe - ps)
            r_num += inter / (ge - gs)
    return p_num, r_num


def test_span_counts_sweep_equals_the_official_all_pairs_loop() -> None:
    rng = random.Random(7)

    def spans() -> list[tuple[int, int]]:
        out = []
        for _ in range(rng.randint(0, 25)):
            s = rng.randint(0, 400)
            out.append((s, s + rng.randint(1, 60)))
        return out

    for i in range(300):
        gold, pred = spans(), spans()
        p_num, _, r_num, _ = span_counts({"a": gold}, {"a": pred})["a"]
        assert (p_num, r_num) == _official_span_counts(gold, pred), i  # the same sums, bit for bit


def test_bootstrap_interval_narrows_with_more_articles() -> None:
    rng = random.Random(3)

    def corpus(n: int) -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[int, int]]]]:
        gold, pred = {}, {}
        for i in range(n):
            s = rng.randrange(0, 50)
            gold[str(i)] = [(s, s + 20)]
            pred[str(i)] = [(s + rng.randrange(-15, 15) + 15, s + rng.randrange(-15, 15) + 45)]
        return gold, pred

    small, large = corpus(10), corpus(400)
    lo_s, hi_s = bootstrap_interval(span_counts(*small))
    lo_l, hi_l = bootstrap_interval(span_counts(*large))
    assert hi_l - lo_l < hi_s - lo_s
    assert lo_l <= span_f1(*large).f1 <= hi_l
    assert bootstrap_interval({}) == (0.0, 0.0)


def test_tc_micro_f1_is_accuracy_over_template() -> None:
    assert tc_micro_f1(["A", "B", "B", "C"], ["A", "B", "C", "C"]) == 0.75
    with pytest.raises(ValueError, match="template"):
        tc_micro_f1(["A"], [])


def test_tc_micro_f1_matches_repeated_fragments_in_any_order() -> None:
    # One fragment annotated with two techniques is listed twice; the official scorer aligns within it.
    gold = ["Doubt", "Slogans", "Repetition"]
    keys = [("1", 0, 5), ("1", 0, 5), ("1", 9, 12)]
    assert tc_micro_f1(gold, ["Slogans", "Doubt", "Repetition"], keys) == 1.0
    assert tc_micro_f1(gold, ["Slogans", "Doubt", "Repetition"]) == pytest.approx(1 / 3)
    assert align_tc(gold, ["Slogans", "Flag-Waving", "Doubt"], keys) == ["Flag-Waving", "Slogans", "Doubt"]


def test_single_label_f1_macro_over_seen_labels() -> None:
    macro, micro = single_label_f1(["opinion", "opinion", "reporting"], ["opinion", "reporting", "reporting"])
    assert micro == pytest.approx(2 / 3)
    assert macro == pytest.approx((2 / 3 + 2 / 3) / 2)
    gold = ["reporting", "opinion", "satire", "opinion", "reporting"]
    pred = ["reporting", "satire", "satire", "opinion", "opinion"]
    assert single_label_f1(gold, pred) == pytest.approx(
        (
            f1_score(gold, pred, average="macro", zero_division=0),
            f1_score(gold, pred, average="micro", zero_division=0),
        )
    )


def test_multilabel_f1_matches_official_sklearn_call() -> None:
    classes = ["A", "B", "C", "D"]
    rng = random.Random(3)
    for _ in range(50):
        gold = [rng.sample(classes, rng.randint(0, 3)) for _ in range(rng.randint(1, 8))]
        pred = [rng.sample(classes, rng.randint(0, 3)) for _ in range(len(gold))]
        mlb = MultiLabelBinarizer()
        mlb.fit([classes])
        g, p = mlb.transform(gold), mlb.transform(pred)
        expected = (
            f1_score(g, p, average="micro", zero_division=1),
            f1_score(g, p, average="macro", zero_division=1),
        )
        assert multilabel_f1(gold, pred, classes) == pytest.approx(expected)


def test_multilabel_f1_hand_example() -> None:
    micro, macro = multilabel_f1([["A"], ["A", "B"], []], [["A"], ["B"], ["C"]], ["A", "B", "C", "D"])
    assert micro == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))  # tp 2, fp 1 (C), fn 1 (A)
    assert macro == pytest.approx((2 / 3 + 1 + 0 + 1) / 4)  # D absent everywhere counts 1


def test_ece() -> None:
    assert expected_calibration_error([0.9, 0.9], [True, True]) == pytest.approx(0.1)
    assert expected_calibration_error([0.95, 0.15], [True, False]) == pytest.approx(0.5 * 0.05 + 0.5 * 0.15)


# --- FNC-1 and check-worthiness ----------------------------------------------------------------------
def test_fnc_score_weights() -> None:
    from unspin.eval.scorers import fnc_score

    gold = ["agree", "disagree", "discuss", "unrelated", "unrelated"]
    pred = ["agree", "discuss", "unrelated", "unrelated", "agree"]
    # agree right: 1.0; disagree->discuss: related right 0.25; discuss->unrelated: 0; unrelated right: 0.25;
    # unrelated->agree: 0. Maximum: 3 related x 1.0 + 2 unrelated x 0.25.
    assert fnc_score(gold, pred) == (1.5, 3.5)
    with pytest.raises(ValueError):
        fnc_score(gold, pred[:2])


def test_average_precision_and_map() -> None:
    from unspin.eval.scorers import average_precision, mean_average_precision

    assert average_precision([1, 0, 1, 0]) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert average_precision([0, 0]) == 0.0
    # Two debates: scores rank the lines; MAP is the mean of the two APs.
    groups = [([0, 1, 0], [0.9, 0.8, 0.1]), ([1, 0], [0.2, 0.1])]
    assert mean_average_precision(groups) == pytest.approx((1 / 2 + 1.0) / 2)


def test_binary_f1_of_positive_class() -> None:
    from unspin.eval.scorers import binary_f1

    r = binary_f1([1, 1, 0, 0], [1, 0, 1, 0])
    assert (r.precision, r.recall, r.f1) == (0.5, 0.5, 0.5)
