"""`unspin eval compare`: the source comparison on the rewrite pairs (data/annotations/compare_pairs.jsonl).

Each pair's rewrite and source go through `unspin compare` as a user's would. A gold unit takes the prediction
of the predicted unit that overlaps it most (a gold unit no prediction overlaps counts as missed). Scored:

- per **kind** (verbatim, trimmed, paraphrase, changed, not-in-source): precision over the gold units whose
  prediction has that kind, recall over the gold units of that kind;
- per **change** (number, actor, negation = added or removed, hedge-removed, …): a gold unit counts as a true
  positive when its prediction names that change, precision over the units whose prediction names it;
- **headline elements**: accuracy of found / different / absent, given the gold element's text;
- **omissions**: the share of the annotators' omitted slices that the top five omissions overlap;
- the time per pair (both analyses and the comparison, warm).

Intervals: 95 % percentile bootstrap over pairs (2,000 resamples, seed 0).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Annotated

import typer

from unspin.cli_options import DataOption
from unspin.eval.compare_pairs import CHANGES, KINDS, ComparePair
from unspin.eval.compare_pairs import sentences as split_sentences
from unspin.model import AlignedUnit, Article

if TYPE_CHECKING:
    from unspin.pipeline import Pipeline

# The change labels scored; negation is one label whichever way it went.
SCORED_CHANGES = ("number", "date", "actor", "negation", "hedge-removed", "hedge-added", "modal-strengthened")
RESAMPLES = 2000


def _change_label(change: str) -> str:
    return "negation" if change.startswith("negation") else change


@dataclass
class PairResult:
    pair: str
    # label -> [tp, predicted, gold]
    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    elements: list[tuple[str, str]] = field(default_factory=list)  # (gold, predicted)
    omitted_found: int = 0
    omitted_gold: int = 0
    seconds: float = 0.0
    confusion: list[tuple[str, str]] = field(default_factory=list)


# When several predicted units fall inside one gold unit (the parse split a quote of three sentences), the gold
# unit takes the strongest of their kinds and the union of their changes.
SEVERITY = ("verbatim", "paraphrase", "trimmed", "not-in-source", "changed")


def _inside(units: list[AlignedUnit], start: int, end: int) -> list[AlignedUnit]:
    """Predicted units that lie mostly inside ``[start, end)``, or the one overlapping it most."""
    over = [(min(end, u.span.end) - max(start, u.span.start), u) for u in units]
    over = [(n, u) for n, u in over if n > 0]
    inside = [u for n, u in over if 2 * n >= u.span.end - u.span.start]
    if inside:
        return inside
    return [max(over, key=lambda x: x[0])[1]] if over else []


def _predicted(units: list[AlignedUnit]) -> tuple[str, set[str]]:
    if not units:
        return "missed", set()
    kind = max((u.kind for u in units), key=SEVERITY.index)
    return kind, {_change_label(c.kind) for u in units for c in u.changes}


def score_pair(pair: ComparePair, pipeline: Pipeline) -> PairResult:
    from unspin.comparison import compare_articles
    from unspin.comparison.elements import check_elements

    t0 = time.perf_counter()
    report = compare_articles(
        pipeline,
        Article(title=pair.title, body=pair.body),
        Article(title=pair.source_title, body=pair.source_text),
    )
    result = PairResult(pair.pair, seconds=time.perf_counter() - t0)
    comparison = report.comparison
    assert comparison is not None
    for gold in pair.units:
        pred_kind, pred_changes = _predicted(_inside(comparison.units, gold.start, gold.end))
        gold_changes = {_change_label(c) for c in gold.changes}
        result.confusion.append((gold.kind, pred_kind))
        for kind in KINDS:
            c = result.counts[kind]
            c[0] += gold.kind == kind == pred_kind
            c[1] += pred_kind == kind
            c[2] += gold.kind == kind
        for change in SCORED_CHANGES:
            c = result.counts["change:" + change]
            c[0] += change in gold_changes and change in pred_changes
            c[1] += change in pred_changes
            c[2] += change in gold_changes
    sentences = list(split_sentences(comparison.source_body))
    # The gold element's text, looked up by the comparison's element check (a one-word capitalised element is an
    # actor). The source's sentences come from the rough splitter here, not the parse: the Report keeps no
    # sentence list, and splitting the source again costs less than parsing it again.
    kinds = ["actor" if el.text[:1].isupper() and " " not in el.text.strip() else "" for el in pair.elements]
    got = check_elements(
        [(el.text, k) for el, k in zip(pair.elements, kinds, strict=True)],
        comparison.source_body,
        sentences,
        pipeline.models.get("encoder").embed,
    )
    result.elements = [(el.status, r.status) for el, r in zip(pair.elements, got, strict=True)]
    for s, e in pair.omitted:
        result.omitted_gold += 1
        result.omitted_found += any(o.span.start < e and s < o.span.end for o in comparison.omissions)
    return result


def _prf(tp: float, pred: float, gold: float) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _interval(results: list[PairResult], stat, seed: int = 0) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    values = sorted(stat([rng.choice(results) for _ in results]) for _ in range(RESAMPLES))
    return round(values[int(0.025 * RESAMPLES)], 4), round(values[int(0.975 * RESAMPLES) - 1], 4)


def summarise(results: list[PairResult]) -> dict[str, object]:
    labels = [*KINDS, *("change:" + c for c in SCORED_CHANGES)]
    scores: dict[str, object] = {}
    for label in labels:

        def total(rs: list[PairResult], label: str = label) -> list[int]:
            return [sum(r.counts[label][i] for r in rs) for i in range(3)]

        tp, pred, gold = total(results)
        precision, recall, f = _prf(tp, pred, gold)
        scores[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f, 4),
            "precision_95": _interval(results, lambda rs, t=total: _prf(*t(rs))[0]),
            "recall_95": _interval(results, lambda rs, t=total: _prf(*t(rs))[1]),
            "gold": gold,
            "predicted": pred,
        }
    elements = [e for r in results for e in r.elements]
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for res in results:
        for g, p in res.confusion:
            confusion[g][p] += 1

    def element_accuracy(rs: list[PairResult]) -> float:
        els = [e for r in rs for e in r.elements]
        return sum(g == p for g, p in els) / len(els) if els else 0.0

    def absent_prf(rs: list[PairResult]) -> tuple[float, float, float]:
        els = [e for r in rs for e in r.elements]
        tp = sum(g == p == "absent" for g, p in els)
        return _prf(tp, sum(p == "absent" for _, p in els), sum(g == "absent" for g, _ in els))

    def omission_recall(rs: list[PairResult]) -> float:
        gold = sum(r.omitted_gold for r in rs)
        return sum(r.omitted_found for r in rs) / gold if gold else 0.0

    return {
        "pairs": len(results),
        "units": sum(len(r.confusion) for r in results),
        "scores": scores,
        "confusion": {g: dict(v) for g, v in sorted(confusion.items())},
        "headline_elements": {
            "accuracy": round(element_accuracy(results), 4),
            "accuracy_95": _interval(results, element_accuracy),
            "elements": len(elements),
            "absent_precision": round(absent_prf(results)[0], 4),
            "absent_recall": round(absent_prf(results)[1], 4),
            "absent_gold": sum(g == "absent" for g, _ in elements),
            "absent_predicted": sum(p == "absent" for _, p in elements),
        },
        "omissions_recall_at_5": {
            "recall": round(omission_recall(results), 4),
            "recall_95": _interval(results, omission_recall),
            "gold": sum(r.omitted_gold for r in results),
        },
        "seconds_per_pair": {
            "median": round(median(r.seconds for r in results), 3) if results else 0.0,
            "max": round(max((r.seconds for r in results), default=0.0), 3),
        },
    }


def evaluate_compare(pairs: list[ComparePair], pipeline: Pipeline | None = None) -> dict[str, object]:
    from unspin.comparison import compare_articles
    from unspin.pipeline import Pipeline

    pipeline = pipeline or Pipeline()
    if pairs:  # load the models before the clock starts: a user's second comparison is warm
        compare_articles(
            pipeline, Article(title="", body=pairs[0].body), Article(title="", body=pairs[0].source_text)
        )
    return summarise([score_pair(p, pipeline) for p in pairs])


__all__ = ["CHANGES", "evaluate_compare", "score_pair", "summarise"]


PAIRS_FILE = "data/annotations/compare_pairs.jsonl"
SECOND_PASS_FILE = "data/annotations/compare_pairs.second_pass.jsonl"


def compare_command(
    data: DataOption = None,
    pairs: Annotated[
        Path, typer.Option(help="The rewrite pairs (guideline: docs/annotation/compare-guideline.md).")
    ] = Path(PAIRS_FILE),
    split: Annotated[str, typer.Option(help="dev (tune) or test (once per design), or all.")] = "dev",
    limit: Annotated[int | None, typer.Option(help="Score only the first N pairs (quick checks).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Source comparison on the rewrite pairs: precision and recall of each kind and change, headline
    elements, omissions, time per pair."""
    import json

    from unspin.datasets import data_dir
    from unspin.eval.compare_pairs import load_pairs

    if split not in ("dev", "test", "all"):
        raise typer.BadParameter(f"unknown split '{split}'; choose dev, test or all", param_hint="--split")
    loaded = load_pairs(pairs, data_dir(data), None if split == "all" else split)[: limit or None]
    if not loaded:
        raise typer.BadParameter(f"no pairs of split '{split}' in {pairs}", param_hint="--split")
    result = {"task": "source-comparison", "split": split, **evaluate_compare(loaded)}
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(
        f"Source comparison, {split}: {result['pairs']} pairs, {result['units']} units (95 % intervals)"
    )
    scores = result["scores"]
    assert isinstance(scores, dict)
    for label, m in scores.items():
        typer.echo(
            f"  {label:<28} P {m['precision']:.3f} ({m['precision_95'][0]:.3f}-{m['precision_95'][1]:.3f})  "
            f"R {m['recall']:.3f} ({m['recall_95'][0]:.3f}-{m['recall_95'][1]:.3f})  "
            f"gold {m['gold']}  predicted {m['predicted']}"
        )
    typer.echo(f"  headline elements: {result['headline_elements']}")
    typer.echo(f"  omissions: {result['omissions_recall_at_5']}")
    typer.echo(f"  seconds per pair: {result['seconds_per_pair']}")
    typer.echo(f"  confusion (gold -> predicted): {result['confusion']}")


def compare_agreement_command(
    pairs: Annotated[
        Path, typer.Option(help="The adjudicated pairs (first pass kept as first_pass).")
    ] = Path(PAIRS_FILE),
    second: Annotated[Path, typer.Option(help="The second, blind pass.")] = Path(SECOND_PASS_FILE),
) -> None:
    """Inter-annotator agreement of the rewrite pairs: Cohen's kappa on the unit kind and on headline elements,
    F1 of each change between the two passes."""
    import json

    from unspin.eval.compare_pairs import agreement

    for path in (pairs, second):
        if not path.is_file():
            raise typer.BadParameter(f"{path}: no such file")
    typer.echo(json.dumps(agreement(pairs, second), indent=2))
