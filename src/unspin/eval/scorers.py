"""The shared tasks' official metric definitions, reimplemented without their file handling.

- SemEval-2020 Task 11 SI: span F1 with partial overlap (Da San Martino et al., 2019). Precision sums, over
  every predicted span s and gold span t of the same article, |s ∩ t| / |s| and divides by the number of
  predicted spans; recall sums |s ∩ t| / |t| over the number of gold spans. Overlapping spans are merged
  first, as the official SI scorer does for gold annotations (and requires of submissions).
- SemEval-2020 Task 11 TC: micro-F1 over the gold-span template (one label per gold span: accuracy).
- SemEval-2023 Task 3: subtask 1 macro-F1 (and micro) over the labels present, zero_division=0; subtasks 2
  and 3 multi-label micro- and macro-F1 over the label inventory, zero_division=1 (as the organisers' scorers
  call sklearn.metrics.f1_score).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Spans = Mapping[str, Iterable[tuple[int, int]]]


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s < out[-1][1]:  # overlapping, not merely adjacent
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _prf(p_num: float, p_den: int, r_num: float, r_den: int) -> PRF:
    """compute_prec_rec_f1 of the official scorer, including F1 = 1 when both sides are empty."""
    p = p_num / p_den if p_den > 0 else 0.0
    r = r_num / r_den if r_den > 0 else 0.0
    f1 = 1.0 if p_den == 0 and r_den == 0 else (2 * p * r / (p + r) if p > 0 and r > 0 else 0.0)
    return PRF(p, r, f1)


SpanCounts = tuple[float, int, float, int]  # precision sum, predicted spans, recall sum, gold spans


def span_counts(gold: Spans, pred: Spans) -> dict[str, SpanCounts]:
    """Per article, the sums and counts the SI score is made of (see ``span_f1``)."""
    g = {a: _merge(v) for a, v in gold.items()}
    p = {a: _merge(v) for a, v in pred.items()}
    out: dict[str, SpanCounts] = {}
    for article in sorted(set(g) | set(p)):  # a fixed order: the float sums do not depend on the hash seed
        p_num = r_num = 0.0
        golds = g.get(article, [])
        # Both lists are sorted and disjoint: gold spans that end before a prediction end before the next one.
        first = 0
        for ps, pe in p.get(article, []):
            while first < len(golds) and golds[first][1] <= ps:
                first += 1
            k = first
            while k < len(golds) and golds[k][0] < pe:  # only overlapping pairs add to the sums, in the
                gs, ge = golds[k]  # official scorer's order (prediction, then gold), so the sums are the same
                inter = min(pe, ge) - max(ps, gs)
                p_num += inter / (pe - ps)
                r_num += inter / (ge - gs)
                k += 1
        out[article] = (p_num, len(p.get(article, [])), r_num, len(g.get(article, [])))
    return out


def _prf_of(counts: Iterable[SpanCounts]) -> PRF:
    p_num = p_den = r_num = r_den = 0.0
    for a, b, c, d in counts:
        p_num, p_den, r_num, r_den = p_num + a, p_den + b, r_num + c, r_den + d
    return _prf(p_num, int(p_den), r_num, int(r_den))


def span_f1(gold: Spans, pred: Spans) -> PRF:
    """SemEval-2020 Task 11 SI score (propaganda vs not, partial overlap)."""
    return _prf_of(span_counts(gold, pred).values())


def bootstrap_interval(
    counts: dict[str, SpanCounts], resamples: int = 2000, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile interval of SI F1 when the articles are resampled with replacement.

    The official score is one number; this says how far it could move on another sample of articles of the
    same kind (75 PTC dev articles: about +-0.05), which matters when comparing systems a few points apart.
    """
    import numpy as np

    rows = np.array([counts[a] for a in sorted(counts)], dtype=np.float64)
    if not len(rows):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    f1 = []
    for _ in range(resamples):
        p_num, p_den, r_num, r_den = rows[rng.integers(0, len(rows), len(rows))].sum(axis=0)
        f1.append(_prf(p_num, int(p_den), r_num, int(r_den)).f1)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(f1, [tail, 100 - tail])
    return float(lo), float(hi)


def tc_micro_f1(gold: Sequence[str], pred: Sequence[str], keys: Sequence[Hashable] | None = None) -> float:
    """SemEval-2020 Task 11 TC: predictions one-to-one with the gold template lines.

    ``keys`` name each line's fragment (article, start, end); lines of one fragment are matched in any order,
    as the official scorer's align_annotations does.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(pred)} predictions for {len(gold)} gold spans: the template must be complete")
    if keys is not None:
        pred = align_tc(gold, pred, keys)
    return sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 1.0


def align_tc(gold: Sequence[str], pred: Sequence[str], keys: Sequence[Hashable]) -> list[str]:
    """Predictions reordered within each fragment so that as many as possible equal the gold label."""
    groups: dict[Hashable, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    out = list(pred)
    for idx in groups.values():
        left = [pred[i] for i in idx]
        placed: dict[int, str] = {}
        for i in idx:  # gold lines whose label was predicted somewhere in the group take it first
            if gold[i] in left:
                left.remove(gold[i])
                placed[i] = gold[i]
        for i in idx:
            out[i] = placed[i] if i in placed else left.pop(0)
    return out


def per_class_f1(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """F1 of each label (single-label predictions)."""
    out = {}
    for label in sorted(set(gold) | set(pred)):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == label != g)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label != p)
        out[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return out


def single_label_f1(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """(macro-F1, micro-F1) over the labels seen in gold or predictions, zero_division=0 (subtask 1)."""
    per = per_class_f1(gold, pred)
    macro = sum(per.values()) / len(per) if per else 0.0
    micro = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    return macro, micro


def multilabel_f1(
    gold: Sequence[Iterable[str]], pred: Sequence[Iterable[str]], classes: Sequence[str]
) -> tuple[float, float]:
    """(micro-F1, macro-F1) over a fixed label inventory with zero_division=1 (subtasks 2 and 3).

    Labels outside ``classes`` are ignored, as MultiLabelBinarizer fitted on the inventory ignores them.
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(pred)} predictions for {len(gold)} gold rows")
    inventory = set(classes)
    tp = dict.fromkeys(classes, 0)
    fp = dict.fromkeys(classes, 0)
    fn = dict.fromkeys(classes, 0)
    for g_row, p_row in zip(gold, pred, strict=True):
        g, p = set(g_row) & inventory, set(p_row) & inventory
        for c in g & p:
            tp[c] += 1
        for c in p - g:
            fp[c] += 1
        for c in g - p:
            fn[c] += 1

    def f1(t: int, f_p: int, f_n: int) -> float:
        # sklearn's F = 2tp / (2tp + fp + fn), and zero_division=1 when a label is absent from both sides.
        return 2 * t / (2 * t + f_p + f_n) if t + f_p + f_n else 1.0

    micro = f1(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    macro = sum(f1(tp[c], fp[c], fn[c]) for c in classes) / len(classes)
    return micro, macro


def expected_calibration_error(scores: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width score bins."""
    if not scores:
        return 0.0
    total, n = 0.0, len(scores)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, s in enumerate(scores) if (lo < s <= hi) or (b == 0 and s == 0.0)]
        if idx:
            conf = sum(scores[i] for i in idx) / len(idx)
            acc = sum(1 for i in idx if correct[i]) / len(idx)
            total += len(idx) / n * abs(conf - acc)
    return total


# --- FNC-1 -------------------------------------------------------------------------------------------
_FNC_RELATED = ("agree", "disagree", "discuss")


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """(score, maximum) by the official FNC-1 scorer: 0.25 for getting related vs unrelated right,
    and 0.75 more for the exact stance of a related pair."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(pred)} predictions for {len(gold)} gold rows")
    score = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in _FNC_RELATED and p in _FNC_RELATED:
            score += 0.25
        best += 0.25 if g == "unrelated" else 1.0
    return score, best


# --- check-worthiness ranking ------------------------------------------------------------------------
def average_precision(labels_in_rank_order: Sequence[int]) -> float:
    """AP of one ranking (CLEF CheckThat! definition): mean precision at the rank of each positive."""
    hits, total = 0, 0.0
    for rank, label in enumerate(labels_in_rank_order, start=1):
        if label:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def mean_average_precision(groups: Iterable[tuple[Sequence[int], Sequence[float]]]) -> float:
    """MAP over groups (debates): each group's lines ranked by score, ties kept in line order."""
    aps = []
    for labels, scores in groups:
        order = sorted(range(len(labels)), key=lambda i: -scores[i])
        aps.append(average_precision([labels[i] for i in order]))
    return sum(aps) / len(aps) if aps else 0.0


def binary_f1(gold: Sequence[int], pred: Sequence[int]) -> PRF:
    """Precision, recall and F1 of the positive class."""
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g and p)
    return _prf(tp, sum(1 for p in pred if p), tp, sum(1 for g in gold if g))
