"""Check-worthiness evaluation on the sets' official test splits.

ClaimBuster: F1 of the check-worthy class at the model's threshold. CLEF 2019 task 1: MAP over the
test debates (the official primary measure). CLEF 2020 task 5: the redistribution keeps no debate ids,
so its test lines are ranked as one list (AP of that ranking, which is not the official per-debate MAP).
CLEF 2020 task 1 (tweets): MAP over its one topic, as the official scorer computes it.
"""

from __future__ import annotations

from pathlib import Path

from unspin.datasets.checkworthiness import SETS, load_checkworthiness
from unspin.eval.scorers import binary_f1, expected_calibration_error, mean_average_precision
from unspin.models.checkworthiness import CheckworthinessModel


def evaluate_checkworthiness(model: CheckworthinessModel, data: Path) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in SETS:
        rows = load_checkworthiness(data, name, "test")
        p = [float(x) for x in model.predict_proba([s.text for s in rows])]
        y = [s.label for s in rows]
        if name == "claimbuster":
            prf = binary_f1(y, [int(x >= model.threshold) for x in p])
            out[name] = {
                "f1": round(prf.f1, 4),
                "precision": round(prf.precision, 4),
                "recall": round(prf.recall, 4),
                "ece": round(expected_calibration_error(p, [bool(v) for v in y]), 4),
            }
            continue
        groups: dict[str, tuple[list[int], list[float]]] = {}
        for s, score in zip(rows, p, strict=True):
            groups.setdefault(s.group, ([], []))
            groups[s.group][0].append(s.label)
            groups[s.group][1].append(score)
        out[name] = {"map": round(mean_average_precision(groups.values()), 4), "rankings": len(groups)}
    return out
