"""Train the sentence-level technique heads for languages without a span model (SemEval-2023 span files).

Each language's train set is split by article with the same seed as the paragraph heads: 80 % to fit, 20 %
held out for `unspin eval sentence-spans`. A sentence is labelled with a technique when a gold span of it covers
at least half of the sentence or half of the span. The reporting threshold of the "any technique" head is the
one with the best SI F1 (partial overlap, as SemEval-2020) on out-of-fold predictions inside the 80 %.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from unspin.datasets.semeval2023 import NON_ENGLISH, inventory, load_spans, split_by_article
from unspin.eval.scorers import span_f1
from unspin.features import EmbeddedSentences, embed_sentences, gold_spans, predicted_spans
from unspin.train.paragraphs import fit_multilabel, oof_probabilities

LANGUAGES = NON_ENGLISH  # English has the PTC span model (and its 2023 set holds PTC dev)
THRESHOLDS = [round(0.05 * i, 2) for i in range(4, 19)]  # 0.20 … 0.90


def sentence_labels(
    sentences: list[tuple[int, int]], spans: list[tuple[int, int, str]], techniques: list[str]
) -> np.ndarray:
    """(sentences x techniques) 0/1: a gold span covers half of the sentence or half of itself inside it."""
    y = np.zeros((len(sentences), len(techniques)), dtype=np.int8)
    for i, (s, e) in enumerate(sentences):
        for gs, ge, tech in spans:
            inter = min(e, ge) - max(s, gs)
            if tech in techniques and inter > 0 and inter >= 0.5 * min(e - s, ge - gs):
                y[i, techniques.index(tech)] = 1
    return y


def _fit_binary(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """The "any technique" head, unweighted so that its probability is the reported span score."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=2000).fit(x, y[:, 0])
    return clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32)


def train(
    data_dir: Path, out_dir: Path, *, cache: Path | None = None, seed: int = 13, c: float = 1.0
) -> dict[str, Any]:
    """Fit the two heads on the 80 % parts of the five languages; write heads.npz and meta.json."""
    techniques = inventory(data_dir, "techniques_subtask3")
    data: list[EmbeddedSentences] = []
    for lang in LANGUAGES:
        fit, _ = split_by_article(load_spans(data_dir, lang), seed=seed)
        data += embed_sentences(fit, cache)
    x = np.concatenate([d.features for d in data])
    y = np.concatenate([sentence_labels(d.sentences, d.article.spans, techniques) for d in data])
    y_any = (y.sum(axis=1) > 0).astype(np.int8)[:, None]
    groups = np.concatenate([[f"{d.article.language}-{d.article.id}"] * len(d.sentences) for d in data])
    oof = oof_probabilities(x, y_any, groups, lambda a, b: _fit_binary(a, b, c))[:, 0]
    gold = gold_spans(data)
    scores = {t: span_f1(gold, predicted_spans(data, oof, t)).f1 for t in THRESHOLDS}
    threshold = max(scores, key=lambda t: scores[t])
    any_w, any_b = _fit_binary(x, y_any, c)
    tech_w, tech_b = fit_multilabel(x, y, c)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez(out_dir / "heads.npz", any_w=any_w[0], any_b=any_b[0], technique_w=tech_w, technique_b=tech_b)
    meta = {
        "techniques": techniques,
        "threshold": threshold,
        "languages": list(LANGUAGES),
        "seed": seed,
        "C": c,
        "articles": len(data),
        "sentences": len(x),
        "sentences_with_a_technique": int(y_any.sum()),
        "oof_si_f1": {str(t): round(v, 4) for t, v in scores.items()},
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta
