"""`unspin train claim-ranker`: the claim-retrieval reranker (models/claim-retrieval-v1), numpy only.

Rows are (tweet, candidate) pairs of the CheckThat! 2020 **train** tweets: every candidate that retrieval
proposes (BM25, e5 and mpnet top 50 each), labelled 1 when the qrels list it. The L2 strength is chosen on the
2020 dev tweets by MAP@5; the test tweets (the 2022 dev tweets) are never read here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from unspin.eval import claim_retrieval as cr
from unspin.models.claim_matcher import fit_logistic
from unspin.models.claim_ranker import FEATURES, ClaimRanker, candidate_features

L2_GRID = (0.1, 1.0, 10.0, 100.0)
# Chosen on 2020 dev MAP@5 (pool-order ties; score order in brackets): these five 0.917 (0.865); all eleven
# 0.910 (0.858); without the number and name shares 0.910 (0.859); the five and the stem cosine 0.915 (0.862).
# The lexical features add nothing the BM25 share does not already say.
TRAINED_FEATURES = ("mpnet", "mpnet_gap", "e5", "e5_gap", "bm25_share")


def _rows(task: cr.Task, found: dict[str, cr.QueryCandidates]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    columns = [FEATURES.index(f) for f in TRAINED_FEATURES]
    xs, ys, groups = [], [], []
    for n, q in enumerate(sorted(task.qrels)):
        qc = found[q]
        xs.append(candidate_features(qc.text, qc.candidates)[:, columns])
        ys.append(np.array([1.0 if c in task.qrels[q] else 0.0 for c in qc.candidates.ids]))
        groups.append(np.full(len(qc.candidates.ids), n))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(groups)


def _ranker(fit: tuple[np.ndarray, np.ndarray, np.ndarray, float]) -> ClaimRanker:
    mean, scale, w, b = fit
    return ClaimRanker(list(TRAINED_FEATURES), mean.tolist(), scale.tolist(), w.tolist(), b)


def train_claim_ranker(train: cr.Task, dev: cr.Task, cache_dir: Path, out: Path) -> dict[str, object]:
    """Fit on ``train``, choose L2 on ``dev`` MAP@5, write ``out``/model.json; returns the record."""
    found_train = cr.retrieve_candidates(train, cache_dir)
    found_dev = cr.retrieve_candidates(dev, cache_dir)
    x, y, _ = _rows(train, found_train)
    # Each query weighs the same: one positive among ~100 candidates, so positives get the negatives' mass.
    weight = np.where(y > 0, (1 - y).sum() / max(1.0, y.sum()), 1.0)
    trials = []
    for l2 in L2_GRID:
        ranker = _ranker(fit_logistic(x, y, weight, l2=l2))
        rankings = cr.rank(found_dev, "ranker", ranker, cr.same_claims(dev.vclaims))
        m = cr.score({q: [v for v, _ in r] for q, r in rankings.items()}, dev.qrels)
        trials.append({"l2": l2, "dev_map@5": m["map@5"].value, "dev_map@1": m["map@1"].value})
    best = max(trials, key=lambda t: (t["dev_map@5"], -t["l2"]))
    mean, scale, w, b = fit_logistic(x, y, weight, l2=float(best["l2"]))
    record: dict[str, object] = {
        "kind": "claim-ranker-logreg",
        "labels": ["other", "same_claim"],
        "thresholds": {},
        "features": list(TRAINED_FEATURES),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "weights": w.tolist(),
        "bias": b,
        "training": {
            "train": train.files,
            "train_queries": len(train.qrels),
            "rows": len(y),
            "positives": int(y.sum()),
            "dev": dev.files,
            "l2_trials": trials,
            "l2": best["l2"],
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record
