"""Probe (not shipped): does a classifier over a gold span's own text add to the span model's technique head?

    PYTHONPATH=src python experiments/tc_span_text.py --data ../shared/data

Step 1 chooses C and the span model's weight on the 37 PTC train articles that `ptc-spans-minilm-v4` never saw
(the classifier fitted on the other 334); step 2 refits the classifier on all 371 train articles and reads PTC
dev once with the chosen weight. Scores are span accuracy on gold spans (one label per span). Results:
docs/RESEARCH_LOG.md ("Tried for PTC TC").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from unspin.datasets.ptc import LabelledArticle, load_ptc
from unspin.models.registry import ModelRegistry, default_folder

WEIGHTS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def span_rows(articles: list[LabelledArticle]) -> tuple[list[str], list[str], np.ndarray]:
    """Span texts, gold labels, and (log count of the text in its article, log length) / 5."""
    texts, labels, extra = [], [], []
    for a in articles:
        for s, e, g in a.spans:
            t = a.text[s:e]
            count = a.text.lower().count(t.lower().strip()) if len(t.strip()) > 2 else 1
            texts.append(t)
            labels.append(g)
            extra.append((np.log1p(count) / 5, np.log1p(len(t)) / 5))
    return texts, labels, np.asarray(extra)


class SpanTextClassifier:
    def __init__(self, c: float) -> None:
        self.words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True)
        self.lr = LogisticRegression(C=c, max_iter=3000)

    def fit(self, texts: list[str], labels: list[str], extra: np.ndarray) -> SpanTextClassifier:
        x = hstack([self.words.fit_transform(texts), self.chars.fit_transform(texts), csr_matrix(extra)])
        self.lr.fit(x.tocsr(), labels)
        return self

    def probs(self, texts: list[str], extra: np.ndarray, order: list[str]) -> np.ndarray:
        x = hstack([self.words.transform(texts), self.chars.transform(texts), csr_matrix(extra)])
        p = self.lr.predict_proba(x.tocsr())
        return p[:, [list(self.lr.classes_).index(label) for label in order]]


def model_probs(model, articles: list[LabelledArticle]) -> np.ndarray:  # type: ignore[no-untyped-def]
    out = [
        model.technique_probs(a.text, model.encode(a.text), [(s, e) for s, e, _ in a.spans])
        for a in articles
        if a.spans
    ]
    return np.vstack(out)


def accuracy(p: np.ndarray, gold: list[str], order: list[str]) -> float:
    return float((p.argmax(1) == np.array([order.index(g) for g in gold])).mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = ap.parse_args()
    train = load_ptc(args.data, "train")
    held = set(json.loads((default_folder("span_tagger") / "training.json").read_text())["heldout_ids"])
    fit, heldout = [a for a in train if a.id not in held], [a for a in train if a.id in held]
    model = ModelRegistry().get("span_tagger")
    order = list(model.labels)

    xf, yf, ef = span_rows(fit)
    xh, yh, eh = span_rows(heldout)
    pm = model_probs(model, heldout)
    best = (-1.0, 0.0, 0.0)
    for c in (1.0, 3.0, 10.0):
        pl = SpanTextClassifier(c).fit(xf, yf, ef).probs(xh, eh, order)
        scores = {w: accuracy(w * pm + (1 - w) * pl, yh, order) for w in WEIGHTS}
        print(f"held-out ({len(heldout)} articles, {len(yh)} spans), C {c}: {json.dumps(scores)}")
        best = max(best, max((s, w, c) for w, s in scores.items()))
    _, w, c = best
    print(f"chosen: span model weight {w}, C {c}")

    dev = load_ptc(args.data, "dev")
    xa, ya, ea = span_rows(train)
    xd, yd, ed = span_rows(dev)
    pl = SpanTextClassifier(c).fit(xa, ya, ea).probs(xd, ed, order)
    pm = model_probs(model, dev)
    print(
        f"PTC dev ({len(yd)} spans): span model {accuracy(pm, yd, order):.4f}, "
        f"blend {accuracy(w * pm + (1 - w) * pl, yd, order):.4f}"
    )


if __name__ == "__main__":
    main()
