"""The validation protocol's bootstrap intervals (unspin.eval.protocol)."""

from __future__ import annotations

import pytest

from unspin.eval.protocol import micro_f1, micro_f1_interval, multilabel_counts
from unspin.eval.scorers import multilabel_f1

CLASSES = ["Doubt", "Loaded_Language", "Repetition"]


def test_counts_give_the_official_micro_f1() -> None:
    gold = [["Doubt"], ["Loaded_Language", "Repetition"], [], ["Unknown_Label"]]
    pred = [["Doubt", "Repetition"], ["Loaded_Language"], ["Doubt"], []]
    tp, fp, fn = multilabel_counts(gold, pred, CLASSES)
    assert (tp, fp, fn) == (2, 2, 1)  # the label outside the inventory is ignored, as by the scorer
    assert micro_f1(tp, fp, fn) == pytest.approx(multilabel_f1(gold, pred, CLASSES)[0])
    assert micro_f1(0, 0, 0) == 1.0


def test_interval_surrounds_the_score_and_narrows_with_more_articles() -> None:
    # Articles of mixed quality: F1 over all of them is 0.5.
    few = [(4, 0, 0), (0, 4, 4), (2, 2, 2), (2, 2, 2)]
    score = micro_f1(*map(sum, zip(*few, strict=True)))
    lo, hi = micro_f1_interval(few)
    assert lo < score < hi
    lo_many, hi_many = micro_f1_interval(few * 25)
    assert lo_many < score < hi_many and hi_many - lo_many < (hi - lo) / 2


def test_interval_of_identical_articles_has_no_width_and_is_reproducible() -> None:
    assert micro_f1_interval([(3, 1, 2)] * 10) == pytest.approx((6 / 9, 6 / 9))
    assert micro_f1_interval([(1, 0, 3), (0, 2, 0)], seed=5) == micro_f1_interval(
        [(1, 0, 3), (0, 2, 0)], seed=5
    )
    assert micro_f1_interval([]) == (0.0, 0.0)
