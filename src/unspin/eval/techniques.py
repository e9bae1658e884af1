"""Evaluate the technique span model on PTC with the official SI and TC definitions, plus calibration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unspin.datasets.ptc import LabelledArticle
from unspin.eval.scorers import (
    PRF,
    align_tc,
    bootstrap_interval,
    expected_calibration_error,
    per_class_f1,
    span_counts,
    span_f1,
    tc_micro_f1,
)
from unspin.models.span_ensemble import SpanEnsemble
from unspin.models.span_model import SpanModel, label_lines


@dataclass
class PtcResult:
    si: PRF
    si_interval: tuple[float, float]  # 95 % bootstrap interval of SI F1 over articles
    tc_micro_f1: float
    tc_per_class: dict[str, float]
    span_ece: float
    technique_ece: float
    articles: int
    predicted_spans: int
    gold_spans: int


def overlap_share(s: int, e: int, gold: Sequence[tuple[int, int, str]]) -> float:
    """Share of a predicted span covered by gold spans (used to call a span score right or wrong)."""
    covered = np.zeros(e - s, dtype=bool)
    for gs, ge, _ in gold:
        lo, hi = max(s, gs), min(e, ge)
        if hi > lo:
            covered[lo - s : hi - s] = True
    return float(covered.mean()) if e > s else 0.0


def evaluate_ptc(
    model: SpanModel | SpanEnsemble, articles: list[LabelledArticle], threshold: float | None = None
) -> PtcResult:
    """SI on predicted spans, TC on the gold spans (the official template), ECE of both kinds of score."""
    pred: dict[str, list[tuple[int, int]]] = {}
    gold_labels: list[str] = []
    pred_labels: list[str] = []
    span_scores: list[float] = []
    span_correct: list[bool] = []
    tech_conf: list[float] = []
    tech_correct: list[bool] = []
    keys: list[tuple[str, int, int]] = []
    for a in articles:
        enc: Any = model.encode(a.text)  # what this model's decode and technique_probs take back
        raw = model.decode(a.text, enc, threshold)
        pred[a.id] = [(s, e) for s, e, _ in raw]
        for s, e, score in raw:
            span_scores.append(model.calibrate_score(score))
            span_correct.append(overlap_share(s, e, a.spans) >= 0.5)
        if a.spans:
            spans = [(s, e) for s, e, _ in a.spans]
            probs = model.technique_probs(a.text, enc, spans)
            gold_labels += [g for _, _, g in a.spans]
            pred_labels += label_lines(model.labels, spans, probs)
            keys += [(a.id, s, e) for s, e in spans]
            for (_, _, g), p in zip(a.spans, probs, strict=True):
                tech_conf.append(float(p.max()))
                tech_correct.append(model.labels[int(p.argmax())] == g)
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in articles}
    aligned = align_tc(gold_labels, pred_labels, keys)
    return PtcResult(
        si=span_f1(gold, pred),
        si_interval=bootstrap_interval(span_counts(gold, pred)),
        tc_micro_f1=tc_micro_f1(gold_labels, aligned),
        tc_per_class=per_class_f1(gold_labels, aligned),
        span_ece=expected_calibration_error(span_scores, span_correct),
        technique_ece=expected_calibration_error(tech_conf, tech_correct),
        articles=len(articles),
        predicted_spans=sum(len(v) for v in pred.values()),
        gold_spans=sum(len(v) for v in gold.values()),
    )
