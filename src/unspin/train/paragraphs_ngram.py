"""Train the fast n-gram paragraph-technique, framing and genre heads on SemEval-2023 Task 3 (six languages).

Same split as the e5 heads (train/paragraphs.py): 80 % of each language's train articles to fit, 20 % held out
for `unspin eval semeval2023`. The decision thresholds (by default calibrated probabilities with one shared
threshold, train/decision.py) and the genre head's C come from 4-fold cross-validation grouped by article
inside the 80 %, never from the held-out part.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

from unspin.datasets.semeval2023 import (
    LANGUAGES,
    ParagraphArticle,
    inventory,
    load_semeval2023,
    split_by_article,
)
from unspin.features import paragraph_lines
from unspin.models.checkworthiness import BLOCK, ngram_counts
from unspin.models.ngram_paragraph_model import MAX_ARTICLE_CHARS, MIN_DF, NgramFeaturizer
from unspin.train.decision import calibrated_thresholds
from unspin.train.folds import genre_probabilities
from unspin.train.paragraphs import GENRES, best_thresholds, heads_meta, oof_probabilities

GENRE_C = (1.0, 10.0, 30.0, 100.0)


def fit_featurizer(paragraphs: list[str]) -> NgramFeaturizer:
    """Columns seen in at least MIN_DF paragraphs; smoothed IDF as sklearn computes it."""
    df: Counter[int] = Counter()
    for text in paragraphs:
        word, char = ngram_counts(text)
        df.update(word.keys())
        df.update(k + BLOCK for k in char)
    columns = np.array(sorted(k for k, n in df.items() if n >= MIN_DF), dtype=np.int64)
    counts = np.array([df[int(k)] for k in columns], dtype=np.float64)
    idf = np.log((1 + len(paragraphs)) / (1 + counts)) + 1.0
    return NgramFeaturizer(columns, idf.astype(np.float32))


def _fit_one(x, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    if not 0 < y.sum() < len(y):
        return np.zeros(x.shape[1], dtype=np.float32), -10.0  # a label never seen is never predicted
    clf = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=1000).fit(x, y)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def fit_multilabel(x, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    from joblib import Parallel, delayed

    x = x.astype(np.float64)  # liblinear's dtype; joblib would otherwise hand workers a read-only copy
    fitted = Parallel(n_jobs=2, max_nbytes=None)(delayed(_fit_one)(x, y[:, j], c) for j in range(y.shape[1]))
    return np.stack([w for w, _ in fitted]), np.array([b for _, b in fitted], dtype=np.float32)


def oof_thresholds(
    x, y: np.ndarray, groups: np.ndarray, c: float, decision: str = "per-label"
) -> tuple[np.ndarray, float]:  # type: ignore[no-untyped-def]
    """Thresholds on out-of-fold probabilities by the ``decision`` rule (train/decision.py: "per-label" or
    "calibrated"), and the micro-F1 they reach."""
    probs = oof_probabilities(x, y, groups, lambda a, b: fit_multilabel(a, b, c))
    if decision == "calibrated":
        thresholds = calibrated_thresholds(probs, y)[0]
    elif decision == "per-label":
        thresholds = best_thresholds(probs, y)
    else:
        raise ValueError(f"unknown decision rule {decision!r}: per-label or calibrated")
    pred = probs >= thresholds
    return thresholds, float(2 * (pred & (y == 1)).sum() / max(1, pred.sum() + y.sum()))


def _genre_c(x, y: np.ndarray, groups: np.ndarray) -> tuple[float, dict[str, float]]:  # type: ignore[no-untyped-def]
    """C of the genre head by macro-F1 over 4 article folds."""
    from sklearn.metrics import f1_score

    scores = {}
    for c in GENRE_C:
        pred = genre_probabilities(x, y, groups, c, len(GENRES)).argmax(axis=1)
        scores[str(c)] = round(float(f1_score(y, pred, average="macro")), 4)
    best = max(GENRE_C, key=lambda c: scores[str(c)])
    return best, scores


def article_text(a: ParagraphArticle) -> str:
    return "\n".join(t for _, t in paragraph_lines(a))[:MAX_ARTICLE_CHARS]


def train(
    data_dir: Path, out_dir: Path, *, seed: int = 13, c: float = 1.0, decision: str = "calibrated"
) -> dict:
    """Fit on the 80 % parts of all six languages; write weights.npz and meta.json. ``decision``: how
    technique and frame thresholds are chosen (train/decision.py)."""
    from sklearn.linear_model import LogisticRegression

    techniques, frames = inventory(data_dir, "techniques_subtask3"), inventory(data_dir, "frames_subtask2")
    fit = [a for lang in LANGUAGES for a in split_by_article(load_semeval2023(data_dir, lang), seed=seed)[0]]
    para_text, para_y, para_g = [], [], []
    for a in fit:
        for line, text in paragraph_lines(a):
            if line in a.techniques:
                para_text.append(text)
                para_y.append([1 if t in a.techniques[line] else 0 for t in techniques])
                para_g.append(f"{a.language}-{a.id}")
    featurizer = fit_featurizer(para_text)
    px, py, pg = featurizer.matrix(para_text), np.array(para_y), np.array(para_g)
    tech_thr, tech_inner = oof_thresholds(px, py, pg, c, decision)
    tech_w, tech_b = fit_multilabel(px, py, c)
    framed = [a for a in fit if a.frames is not None]
    fx = featurizer.matrix([article_text(a) for a in framed])
    fy = np.array([[1 if f in (a.frames or []) else 0 for f in frames] for a in framed])
    frame_thr, frame_inner = oof_thresholds(
        fx, fy, np.array([f"{a.language}-{a.id}" for a in framed]), c, decision
    )
    frame_w, frame_b = fit_multilabel(fx, fy, c)
    genred = [a for a in fit if a.genre in GENRES]
    gx = featurizer.matrix([article_text(a) for a in genred])
    gy = np.array([GENRES.index(a.genre or "") for a in genred])
    genre_c, genre_cv = _genre_c(gx, gy, np.array([f"{a.language}-{a.id}" for a in genred]))
    genre = LogisticRegression(C=genre_c, class_weight="balanced", max_iter=3000).fit(gx, gy)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Stored uncompressed: 2.5 MB more (20.9 MB against 18.4 MB), but it loads in ~40 ms instead of ~190 ms,
    # which every cold start of `unspin analyze` pays.
    np.savez(
        out_dir / "weights.npz",
        columns=featurizer.columns.astype(np.int32),
        idf=featurizer.idf.astype(np.float16),
        technique_w=tech_w.astype(np.float16),
        technique_b=tech_b,
        frame_w=frame_w.astype(np.float16),
        frame_b=frame_b,
        genre_w=genre.coef_.astype(np.float16),
        genre_b=genre.intercept_.astype(np.float32),
    )
    meta = heads_meta(
        techniques,
        frames,
        tech_thr,
        frame_thr,
        seed=seed,
        C=c,
        decision_rule=decision,
        genre_C=genre_c,
        genre_cv_macro_f1=genre_cv,
        inner_oof_micro_f1={"techniques": round(tech_inner, 4), "frames": round(frame_inner, 4)},
        columns=featurizer.dim,
        min_df=MIN_DF,
        paragraphs=len(para_text),
        articles=len(framed),
    )
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta
