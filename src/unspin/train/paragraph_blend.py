"""Fit the paragraph blend (models/paragraph_blend.py): the e5 weight of each task and new decision thresholds.

Both members are refitted 4 times on the same article folds (grouped by article, inside the 80 % fit part of
each language, with each member's own regularisation), so every fit-part paragraph and article gets both
members' out-of-fold probabilities. For each task the weight with the best out-of-fold score on the languages
the blend serves (fr, de, it, pl, ru) is kept, with per-label thresholds re-tuned on that blend. The held-out
20 % plays no part; `unspin eval semeval2023 --model` scores it afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from unspin.datasets.semeval2023 import LANGUAGES, NON_ENGLISH, inventory, load_semeval2023, split_by_article
from unspin.eval.scorers import single_label_f1
from unspin.features import embed_articles
from unspin.models.ngram_paragraph_model import NgramParagraphModel
from unspin.models.paragraph_model import features
from unspin.train import paragraphs_ngram
from unspin.train.decision import calibrated_thresholds
from unspin.train.folds import genre_probabilities
from unspin.train.paragraphs import GENRES, best_thresholds, fit_multilabel, oof_probabilities

SERVED = NON_ENGLISH  # English keeps the n-gram heads alone (speed); see the model card
WEIGHTS = [round(0.1 * i, 1) for i in range(11)]  # e5 weight; 0 is the n-gram heads alone, 1 the e5 heads


@dataclass
class Rows:
    """One task's training rows: both members' features, labels, article groups and languages."""

    e5: list[np.ndarray] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    y: list[Any] = field(default_factory=list)
    group: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)

    def add(self, e5: np.ndarray, text: str, y: Any, group: str, lang: str) -> None:
        self.e5.append(e5)
        self.text.append(text)
        self.y.append(y)
        self.group.append(group)
        self.lang.append(lang)


def gather(data_dir: Path, seed: int, cache: Path | None) -> tuple[Rows, Rows, Rows]:
    """(paragraph rows, frame rows, genre rows) of every language's fit part."""
    techniques, frames = inventory(data_dir, "techniques_subtask3"), inventory(data_dir, "frames_subtask2")
    paras, framed, genred = Rows(), Rows(), Rows()
    for lang in LANGUAGES:
        fit, _ = split_by_article(load_semeval2023(data_dir, lang), seed=seed)
        for e in embed_articles(fit, cache):
            a, group = e.article, f"{lang}-{e.article.id}"
            pf, article_vector = features(e.vectors)
            for i, (line, text) in enumerate(zip(e.lines, e.texts, strict=True)):
                if line in a.techniques:
                    paras.add(pf[i], text, [int(t in a.techniques[line]) for t in techniques], group, lang)
            text = paragraphs_ngram.article_text(a)
            if a.frames is not None:
                framed.add(article_vector, text, [int(f in a.frames) for f in frames], group, lang)
            if a.genre in GENRES:
                genred.add(article_vector, text, GENRES.index(a.genre or ""), group, lang)
    return paras, framed, genred


def oof_genre(x: Any, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    """Out-of-fold genre probabilities (articles x genres) of a class-balanced multinomial head."""
    return genre_probabilities(x, y, groups, c, len(GENRES))


def micro_f1(probs: np.ndarray, y: np.ndarray, thresholds: np.ndarray) -> float:
    pred = probs >= thresholds
    return float(2 * (pred & (y == 1)).sum() / max(1, pred.sum() + y.sum()))


def thresholds_by(decision: str, probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Thresholds by the ``decision`` rule (train/decision.py): "per-label" or "calibrated"."""
    if decision == "calibrated":
        return calibrated_thresholds(probs, y)[0]
    if decision == "per-label":
        return best_thresholds(probs, y)
    raise ValueError(f"unknown decision rule {decision!r}: per-label or calibrated")


def choose_multilabel(
    e5: np.ndarray, ngram: np.ndarray, y: np.ndarray, decision: str = "per-label"
) -> tuple[float, np.ndarray, dict[str, float]]:
    """(e5 weight, thresholds, out-of-fold micro-F1 per weight), thresholds chosen on each blend by the
    ``decision`` rule."""
    scores: dict[str, float] = {}
    best: tuple[float, float, np.ndarray] = (-1.0, 0.0, np.zeros(0))
    for w in WEIGHTS:
        blended = w * e5 + (1 - w) * ngram
        thresholds = thresholds_by(decision, blended, y)
        f1 = micro_f1(blended, y, thresholds)
        scores[str(w)] = round(f1, 4)
        if f1 > best[0]:
            best = (f1, w, thresholds)
    return best[1], best[2], scores


def choose_genre(e5: np.ndarray, ngram: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, float]]:
    """(e5 weight, out-of-fold macro-F1 per weight) of the genre blend's arg-max."""
    scores = {
        str(w): round(single_label_f1(list(y), list(np.argmax(w * e5 + (1 - w) * ngram, axis=1)))[0], 4)
        for w in WEIGHTS
    }
    best = max(WEIGHTS, key=lambda w: (scores[str(w)], -abs(w - 0.5)))
    return best, scores


def train(
    data_dir: Path,
    out_dir: Path,
    e5_member: Path,
    ngram_member: Path,
    *,
    cache: Path | None = None,
    seed: int = 13,
    decision: str = "calibrated",
) -> dict[str, Any]:
    """Write out_dir/blend.json; the members must be artifact folders beside out_dir. ``decision``: how the
    technique and frame thresholds are chosen (train/decision.py)."""
    thresholds_by(decision, np.zeros((2, 1)), np.array([[0], [1]]))  # an unknown rule fails before the work
    if (
        e5_member.resolve().parent != out_dir.resolve().parent
        or ngram_member.resolve().parent != out_dir.resolve().parent
    ):
        raise ValueError(
            f"the members {e5_member} and {ngram_member} must be artifact folders beside {out_dir}"
        )
    e5_meta = json.loads((e5_member / "thresholds.json").read_text(encoding="utf-8"))
    ngram_meta = json.loads((ngram_member / "meta.json").read_text(encoding="utf-8"))
    featurizer = NgramParagraphModel(ngram_member).featurizer
    paras, framed, genred = gather(data_dir, seed, cache)
    chosen: dict[str, Any] = {"weights": {}, "oof_scores": {}}
    for task, rows in (("techniques", paras), ("frames", framed)):
        y, groups = np.array(rows.y), np.array(rows.group)
        p_e5 = oof_probabilities(
            np.array(rows.e5), y, groups, lambda a, b: fit_multilabel(a, b, float(e5_meta["C"]))
        )
        p_ng = oof_probabilities(
            featurizer.matrix(rows.text), y, groups,
            lambda a, b: paragraphs_ngram.fit_multilabel(a, b, float(ngram_meta["C"])),
        )  # fmt: skip
        served = np.isin(np.array(rows.lang), SERVED)
        w, thresholds, scores = choose_multilabel(p_e5[served], p_ng[served], y[served], decision)
        chosen["weights"][task] = w
        chosen[f"{task[:-1]}_thresholds"] = [round(float(t), 3) for t in thresholds]
        chosen["oof_scores"][f"{task} micro-F1"] = scores
    y, groups = np.array(genred.y), np.array(genred.group)
    g_e5 = oof_genre(np.array(genred.e5), y, groups, float(e5_meta["genre_C"]))
    g_ng = oof_genre(featurizer.matrix(genred.text), y, groups, float(ngram_meta["genre_C"]))
    served = np.isin(np.array(genred.lang), SERVED)
    chosen["weights"]["genre"], chosen["oof_scores"]["genre macro-F1"] = choose_genre(
        g_e5[served], g_ng[served], y[served]
    )
    meta = {
        "members": {"e5": e5_member.name, "ngram": ngram_member.name},
        "languages": list(SERVED),
        **chosen,
        "decision_rule": decision,
        "tuned_on": "out-of-fold probabilities (4 article folds) of the 80 % fit part, served languages",
        "seed": seed,
        "paragraphs": int(np.isin(np.array(paras.lang), SERVED).sum()),
        "articles": int(np.isin(np.array(framed.lang), SERVED).sum()),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "blend.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta
