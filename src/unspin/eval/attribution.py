"""Attribution on PolNeAR: content spans, speakers and cues of direct quotes and reported speech.

The analyser runs as in `unspin analyze` (entities, then quotes) on each article's whole text; its quotes are
scored against the gold attributions. The measures, per type (direct, indirect) and for all attributions:

- **Content, exact**: a predicted quote and a gold content fragment match when their spans are equal once
  quote marks, whitespace and edge punctuation are stripped from both (PolNeAR includes the marks and the
  closing comma of a direct quote, unspin does not). A discontinuous gold content (a quote interrupted by
  "she said") is one fragment per piece, as unspin reports one quote per piece.
- **Content, overlap**: they match when they share at least one character (the "partial match" of Pareti
  et al., 2013). Precision counts the predictions that match some gold fragment, recall the gold fragments
  that some prediction matches.
- **Content, tokens**: word tokens labelled content in both, over those labelled in the prediction
  (precision) and in the gold (recall); PolNeAR is a tag sequence, so this is its token-level F1.
- **Speaker accuracy**: over the gold fragments that have a source and that a prediction overlaps, the share
  whose predicted speaker (or source, when only an outlet is named) is the gold source: the spans overlap,
  or the names share a capitalised word ("Clinton" and "Hillary Clinton").
- **Cue F1** (overlap): the cue words of the prediction, located next to its content, against the gold cues.

Per type, precision is over the predictions of that type and recall over the gold fragments of that type,
each matched against the other side of any type (the type of a found quote is not scored). Intervals: 95 %
percentile bootstrap over articles (1,000 resamples, seed 13).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated

import typer

from unspin.cli_options import DataOption
from unspin.datasets.polnear import QUOTE_MARKS, PolnearArticle
from unspin.model import Article, Quote

TYPES = ("direct", "indirect", "all")
_EDGE = set(QUOTE_MARKS + " \t\n.,;:!?—–-…()[]")
_WORD = re.compile(r"\w+")
_NAME_STOP = {
    "The",
    "A",
    "An",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Sen",
    "Rep",
    "Gov",
    "President",
    "He",
    "She",
    "They",
}
RESAMPLES = 1000
SEED = 13

Span = tuple[int, int]


def normalise(text: str, s: int, e: int) -> Span:
    """The span without surrounding whitespace, quote marks and punctuation."""
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return s, e


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _tokens(text: str, spans: Iterable[Span]) -> set[int]:
    out: set[int] = set()
    for s, e in spans:
        out.update(m.start() for m in _WORD.finditer(text, s, e))
    return out


@dataclass
class Gold:
    span: Span
    type: str
    source: tuple[Span, ...]
    cue: tuple[Span, ...]


@dataclass
class Pred:
    span: Span
    type: str
    who: tuple[Span, str] | None  # the speaker's (or source's) span and name
    cue: Span | None


def gold_units(article: PolnearArticle) -> list[Gold]:
    out = []
    for att in article.attributions:
        kind = "direct" if att.is_direct(article.text) else "indirect"
        for s, e in att.content:
            span = normalise(article.text, s, e)
            if span[1] > span[0]:
                out.append(Gold(span, kind, att.source, att.cue))
    return out


def _locate_cue(text: str, cue: str | None, span: Span) -> Span | None:
    """The occurrence of the cue words nearest to the quote (within 300 characters of it)."""
    if not cue:
        return None
    lo, hi = max(0, span[0] - 300), min(len(text), span[1] + 300)
    best: tuple[int, Span] | None = None
    for m in re.finditer(re.escape(cue), text[lo:hi]):
        s, e = lo + m.start(), lo + m.end()
        d = 0 if _overlaps((s, e), span) else min(abs(s - span[1]), abs(span[0] - e))
        if best is None or d < best[0]:
            best = (d, (s, e))
    return best[1] if best else None


def pred_units(text: str, quotes: Sequence[Quote]) -> list[Pred]:
    out = []
    for q in quotes:
        if q.span.field != "body":
            continue
        span = normalise(text, q.span.start, q.span.end)
        party = q.speaker or q.source
        who = ((party.span.start, party.span.end), party.name) if party else None
        out.append(Pred(span, q.type, who, _locate_cue(text, q.cue, span)))
    return out


def _same_party(text: str, gold: tuple[Span, ...], who: tuple[Span, str] | None) -> bool:
    if who is None or not gold:
        return False
    span, name = who
    if any(_overlaps(span, g) for g in gold):
        return True
    gold_words = {
        w for s, e in gold for w in _WORD.findall(text[s:e]) if w[:1].isupper() and w not in _NAME_STOP
    }
    pred_words = {w for w in _WORD.findall(name) if w[:1].isupper() and w not in _NAME_STOP}
    return bool(gold_words & pred_words)


Counts = dict[str, float]


@dataclass
class ArticleCounts:
    """Per-article numerators and denominators, so that the bootstrap can resample articles."""

    values: dict[str, Counts] = field(default_factory=dict)

    def add(self, key: str, **kv: float) -> None:
        slot = self.values.setdefault(key, {})
        for k, v in kv.items():
            slot[k] = slot.get(k, 0.0) + v


def count_article(text: str, golds: list[Gold], preds: list[Pred]) -> ArticleCounts:
    c = ArticleCounts()
    for kind in TYPES:
        g_k = [g for g in golds if kind == "all" or g.type == kind]
        p_k = [p for p in preds if kind == "all" or p.type == kind]
        c.add(
            f"{kind}.exact",
            p_num=sum(any(p.span == g.span for g in golds) for p in p_k),
            p_den=len(p_k),
            r_num=sum(any(p.span == g.span for p in preds) for g in g_k),
            r_den=len(g_k),
        )
        c.add(
            f"{kind}.overlap",
            p_num=sum(any(_overlaps(p.span, g.span) for g in golds) for p in p_k),
            p_den=len(p_k),
            r_num=sum(any(_overlaps(p.span, g.span) for p in preds) for g in g_k),
            r_den=len(g_k),
        )
        gold_tok, pred_tok = _tokens(text, [g.span for g in golds]), _tokens(text, [p.span for p in preds])
        gk_tok, pk_tok = _tokens(text, [g.span for g in g_k]), _tokens(text, [p.span for p in p_k])
        c.add(
            f"{kind}.tokens",
            p_num=len(pk_tok & gold_tok),
            p_den=len(pk_tok),
            r_num=len(gk_tok & pred_tok),
            r_den=len(gk_tok),
        )
        correct = total = 0
        for g in g_k:
            if not g.source:
                continue
            hits = [p for p in preds if _overlaps(p.span, g.span)]
            if not hits:
                continue
            best = max(hits, key=lambda p: min(p.span[1], g.span[1]) - max(p.span[0], g.span[0]))
            total += 1
            correct += _same_party(text, g.source, best.who)
        c.add(f"{kind}.speaker", num=correct, den=total)
        gold_cues = {cue for g in g_k for cue in g.cue}
        pred_cues = {p.cue for p in p_k if p.cue}
        all_gold_cues = {cue for g in golds for cue in g.cue}
        all_pred_cues = {p.cue for p in preds if p.cue}
        c.add(
            f"{kind}.cue",
            p_num=sum(any(_overlaps(p, g) for g in all_gold_cues) for p in pred_cues),
            p_den=len(pred_cues),
            r_num=sum(any(_overlaps(p, g) for p in all_pred_cues) for g in gold_cues),
            r_den=len(gold_cues),
        )
    return c


def _f1(c: Counts) -> tuple[float, float, float]:
    p = c.get("p_num", 0) / c["p_den"] if c.get("p_den") else 0.0
    r = c.get("r_num", 0) / c["r_den"] if c.get("r_den") else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _accuracy(c: Counts) -> float:
    return c.get("num", 0) / c["den"] if c.get("den") else 0.0


def _pooled(per_article: Sequence[ArticleCounts], key: str) -> Counts:
    total: Counts = {}
    for a in per_article:
        for k, v in a.values.get(key, {}).items():
            total[k] = total.get(k, 0.0) + v
    return total


def _interval(
    per_article: Sequence[ArticleCounts], key: str, score: Callable[[Counts], float]
) -> tuple[float, float]:
    rng = random.Random(SEED)
    n = len(per_article)
    values = sorted(
        score(_pooled([per_article[rng.randrange(n)] for _ in range(n)], key)) for _ in range(RESAMPLES)
    )
    return round(values[int(0.025 * RESAMPLES)], 4), round(values[int(0.975 * RESAMPLES) - 1], 4)


def summarise(per_article: Sequence[ArticleCounts]) -> dict[str, dict[str, object]]:
    """Scores with 95 % intervals for every type and measure."""
    out: dict[str, dict[str, object]] = {}
    for kind in TYPES:
        row: dict[str, object] = {}
        for measure in ("exact", "overlap", "tokens", "cue"):
            key = f"{kind}.{measure}"
            pooled = _pooled(per_article, key)
            p, r, f = _f1(pooled)
            row[measure] = {
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                "f1_95": _interval(per_article, key, lambda c: _f1(c)[2]),
                "gold": int(pooled.get("r_den", 0)),
                "predicted": int(pooled.get("p_den", 0)),
            }
        pooled = _pooled(per_article, f"{kind}.speaker")
        row["speaker"] = {
            "accuracy": round(_accuracy(pooled), 4),
            "accuracy_95": _interval(per_article, f"{kind}.speaker", _accuracy),
            "scored": int(pooled.get("den", 0)),
        }
        out[kind] = row
    return out


def quotes_of(text: str) -> list[Quote]:
    """The analyser's quotes for one article's text, as `unspin analyze` finds them."""
    from unspin.pipeline import Pipeline

    report = Pipeline().analyze(Article(title="", body=text), language="en", only=["entities", "quotes"])
    return list(report.quotes)


def evaluate_attribution(
    articles: Sequence[PolnearArticle], find: Callable[[str], Sequence[Quote]] = quotes_of
) -> dict[str, object]:
    per_article = []
    for art in articles:
        per_article.append(count_article(art.text, gold_units(art), pred_units(art.text, find(art.text))))
    return {"articles": len(articles), "scores": summarise(per_article)}


def attribution_command(
    data: DataOption = None,
    split: Annotated[str, typer.Option(help="PolNeAR split: dev (tune) or test (once per design).")] = "dev",
    limit: Annotated[int | None, typer.Option(help="Score only the first N articles (quick checks).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """PolNeAR attribution: content F1 (exact, overlap, tokens), speaker accuracy and cue F1, by quote type."""
    import json

    from unspin.datasets import data_dir
    from unspin.datasets.polnear import SPLITS, load_polnear

    if split not in SPLITS:
        raise typer.BadParameter(
            f"unknown split '{split}'; choose from {', '.join(SPLITS)}", param_hint="--split"
        )
    result = {
        "task": "polnear-attribution",
        "split": split,
        **evaluate_attribution(load_polnear(data_dir(data), split, limit)),
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"PolNeAR {split} ({result['articles']} articles; 95 % intervals, articles resampled)")
    scores = result["scores"]
    assert isinstance(scores, dict)
    for kind in TYPES:
        row = scores[kind]
        typer.echo(f"  {kind}")
        for measure in ("exact", "overlap", "tokens", "cue"):
            m = row[measure]
            label = "cue (overlap)" if measure == "cue" else f"content {measure}"
            typer.echo(
                f"    {label:<16} P {m['precision']:.4f}  R {m['recall']:.4f}  F1 {m['f1']:.4f} "
                f"({m['f1_95'][0]:.4f}-{m['f1_95'][1]:.4f})  gold {m['gold']}  predicted {m['predicted']}"
            )
        sp = row["speaker"]
        typer.echo(
            f"    speaker accuracy {sp['accuracy']:.4f} ({sp['accuracy_95'][0]:.4f}-{sp['accuracy_95'][1]:.4f}) "
            f"over {sp['scored']} found quotes with a gold source"
        )
