"""FNC-1 evaluation: the official weighted score (as % of the maximum), per-class F1 and macro-F1."""

from __future__ import annotations

from dataclasses import dataclass

from unspin.datasets.fnc1 import STANCES, Fnc1Split
from unspin.eval.scorers import fnc_score, per_class_f1
from unspin.models.stance_model import StanceModel


@dataclass
class StanceResult:
    pairs: int
    score: float
    max_score: float
    relative: float  # score / max_score * 100, the leaderboard's number
    per_class_f1: dict[str, float]
    macro_f1: float
    confusion: dict[str, dict[str, int]]  # gold -> predicted -> count


def evaluate_fnc1(model: StanceModel, split: Fnc1Split, batch: int = 2000) -> StanceResult:
    gold = [p.stance for p in split.pairs]
    pred: list[str] = []
    for i in range(0, len(split.pairs), batch):
        chunk = split.pairs[i : i + batch]
        pred += [r.stance for r in model.predict([p.headline for p in chunk], [split.body(p) for p in chunk])]
    score, best = fnc_score(gold, pred)
    per = per_class_f1(gold, pred)
    per = {s: per.get(s, 0.0) for s in STANCES}
    confusion = {g: dict.fromkeys(STANCES, 0) for g in STANCES}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    return StanceResult(
        len(gold), score, best, 100 * score / best, per, sum(per.values()) / len(per), confusion
    )
