"""Model and feature selection for the claim-to-case verifier: grouped out-of-fold scores on train + dev.

Folds are by source text (pairs of one text never straddle a fold; texts with the same sentence are one
group, since the propaganda corpus repeats articles under several row ids). The test split is not read.

    PYTHONPATH=src python experiments/claim_matching/select_model.py ../shared/data build/kb-full.sqlite
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from unspin.eval.claim_pairs import EmbeddingCache, load_pairs, pair_matrix, text_pair_matrix
from unspin.kb.store import SqliteKB
from unspin.models.claim_match_features import FEATURES, SIGNS
from unspin.models.claim_matcher import fit_logistic
from unspin.train.claim_matcher import (
    FNC1_WEIGHT,
    TRAIN_SPLITS,
    WAR_WEIGHT,
    fnc1_pairs,
    grouped_folds,
    sentence_group,
    war_polarity_pairs,
)


def auc(p: np.ndarray, y: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    return float(
        ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum())
        / (len(pos) * len(neg))
    )


def operating_points(p: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """(average precision, best precision at recall >= 0.6, best recall at precision >= 0.9 over >= 8)."""
    order = np.argsort(-p)
    tp = np.cumsum(y[order])
    prec = tp / np.arange(1, len(p) + 1)
    rec = tp / y.sum()
    ap = float((prec * y[order]).sum() / y.sum())
    p60 = float(prec[rec >= 0.6].max()) if (rec >= 0.6).any() else 0.0
    ok = (prec >= 0.9) & (np.arange(1, len(p) + 1) >= 8)
    r90 = float(rec[ok].max()) if ok.any() else 0.0
    return ap, p60, r90


def oof(fit, x, y, groups, aux=None, seeds=(1, 2, 3), k: int = 5) -> np.ndarray:
    """Out-of-fold probabilities, averaged over ``seeds`` fold assignments; ``aux`` (x, y, weight) rows are
    added to every training fold."""
    out = np.zeros(len(y))
    for s in seeds:
        folds = grouped_folds(groups, k, s)
        for f in range(k):
            tr = folds != f
            xt, yt, wt = x[tr], y[tr], np.ones(tr.sum())
            if aux is not None:
                xt, yt, wt = (
                    np.vstack([xt, aux[0]]),
                    np.concatenate([yt, aux[1]]),
                    np.concatenate([wt, aux[2]]),
                )
            out[~tr] += fit(xt, yt, wt)(x[~tr]) / len(seeds)
    return out


def lr(l2: float, signs: np.ndarray | None = None):
    def fit(x, y, weight):
        mean, scale, w, b = fit_logistic(x, y, weight, l2=l2, signs=signs)
        return lambda z: 1 / (1 + np.exp(-(((z - mean) / scale) @ w + b)))

    return fit


def gb(**kw):
    from sklearn.ensemble import HistGradientBoostingClassifier

    def fit(x, y, weight):
        m = HistGradientBoostingClassifier(random_state=0, **kw).fit(x, y, sample_weight=weight)
        return lambda z: m.predict_proba(z)[:, 1]

    return fit


def main(data: Path, kb_path: Path) -> None:
    pairs = [p for p in load_pairs(data) if p.split in TRAIN_SPLITS]
    cache = EmbeddingCache()
    x = pair_matrix(pairs, SqliteKB(kb_path), cache)
    y = np.array([int(p.label == "same-claim") for p in pairs], dtype=np.float64)
    groups = [sentence_group(p.claim) for p in pairs]
    print(f"{len(pairs)} pairs, {int(y.sum())} same-claim, {len(set(groups))} groups, {x.shape[1]} features")
    fnc, fnc_y = fnc1_pairs(data, 60, 17)
    war, war_y = war_polarity_pairs(data, 100, 17)
    x_aux = text_pair_matrix(fnc + war, cache)
    y_aux = np.array(fnc_y + war_y, dtype=np.float64)
    w_aux = np.array([FNC1_WEIGHT] * len(fnc_y) + [WAR_WEIGHT] * len(war_y))
    old = [i for i, f in enumerate(FEATURES) if not f.startswith("align_") and f != "sentence_cosine"]
    v2 = [i for i, f in enumerate(FEATURES) if f != "sentence_cosine"]
    models = {f"lr l2={l2}": lr(l2) for l2 in (1.0, 3.0, 10.0, 30.0)}
    models |= {"gb depth2": gb(max_depth=2, learning_rate=0.05, max_iter=200, min_samples_leaf=10)}
    designs = (("v1 features", old), ("v2 features", v2), ("v3 features", list(range(len(FEATURES)))))
    for features, cols in designs:
        for with_aux in (False, True):
            aux = (x_aux[:, cols], y_aux, w_aux) if with_aux else None
            signs = np.array([SIGNS[FEATURES[c]] for c in cols], dtype=np.float64)
            signed = {f"lr signed l2={l2}": lr(l2, signs) for l2 in (1.0, 3.0, 10.0)}
            for name, fit in (models | signed).items():
                p = oof(fit, x[:, cols], y, groups, aux)
                ap, p60, r90 = operating_points(p, y)
                print(
                    f"{features} {'+aux' if with_aux else '    '} {name:10s} AUC {auc(p, y):.3f}  AP {ap:.3f}  "
                    f"P@R>=0.6 {p60:.3f}  R@P>=0.9 {r90:.3f}"
                )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
