"""`unspin train semeval2025`: the storyline (narrative) heads and the entity-role heads of SemEval-2025 Task 10.

Recipe (docs/BENCHMARKS.md and the model cards): e5 sentence vectors of every train document, cached in
build/; the train part of the committed split (data/splits/semeval2025.json, 20 % of each language's annotated
articles held out by a seeded shuffle, made before any tuning) is all the heads ever see.
- Storylines: the mean sentence vector, standardised; one class-balanced logistic regression per narrative and
  per subnarrative. C, the narrative and subnarrative thresholds and one Platt scaling per level are chosen on
  5-fold out-of-fold predictions of the train part (folds by article), maximising the mean of the two
  samples-F1 scores. The reporting threshold is stricter: the 90th percentile of the best propaganda
  narrative's calibrated probability over the train part's "Other" articles, so that at most one in ten
  articles without a storyline gets one.
- Roles: [sentence, neighbourhood, name, article] vectors per mention; a multinomial logistic regression for
  the main role, one-vs-rest for the fine roles; C and the second-fine-role threshold out of fold.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.semeval2025 import (
    FINE_ROLES,
    MAIN_ROLES,
    OTHER,
    SPLIT_FILE,
    Document,
    label_lists,
    load,
    make_split,
    train_folder,
)
from unspin.models.storyline_features import DocVectors, embed_all, sentence_index
from unspin.models.storylines import article_vector, mention_features, storyline_features

Echo = Callable[[str], None]
FOLDS = 5
SEED = 13
C_GRID = (0.001, 0.003, 0.01, 0.03)
T_GRID = np.round(np.arange(0.1, 0.91, 0.025), 3)


@dataclass
class Corpus:
    docs: list[Document]
    vectors: list[DocVectors]


def write_split(data_dir: Path, path: Path = SPLIT_FILE) -> dict[str, list[str]]:
    docs = load(train_folder(data_dir))
    held = make_split(docs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "task": "SemEval-2025 Task 10 train split, by article",
                "rule": "per language, the annotated article ids sorted, shuffled with random.Random(f'13-{lang}'), "
                "the first 20 % held out (unspin.datasets.semeval2025.make_split)",
                "heldout": held,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return held


def corpus(data_dir: Path, cache: Path | None, part: str, languages: set[str], echo: Echo) -> Corpus:
    """The annotated documents of ``languages`` in the train part or the held-out part of the split."""
    from unspin.datasets.semeval2025 import heldout_ids

    held = heldout_ids()
    docs = [
        d
        for d in load(train_folder(data_dir))
        if (d.annotated or d.mentions) and d.language in languages and ((d.id in held) == (part == "heldout"))
    ]
    return Corpus(docs, embed_all(docs, cache, echo))


def samples_f1(gold: list[set[str]], pred: list[set[str]]) -> float:
    scores = [2 * len(g & p) / (len(g) + len(p)) if g or p else 1.0 for g, p in zip(gold, pred, strict=True)]
    return float(np.mean(scores)) if scores else 0.0


def _fit_ovr(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """One class-balanced logistic regression per column of ``y``: (dims, labels) weights and biases."""
    from sklearn.linear_model import LogisticRegression

    w = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    b = np.full(y.shape[1], -8.0, dtype=np.float32)
    for j in range(y.shape[1]):
        if 0 < y[:, j].sum() < len(y):
            clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(x, y[:, j])
            w[:, j], b[j] = clf.coef_[0], clf.intercept_[0]
    return w, b


def _folds(n: int, k: int = FOLDS, seed: int = SEED) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n) % k


def _platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1e4, max_iter=1000).fit(logits.reshape(-1, 1), y.reshape(-1))
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def _sig(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x, -30, 30)))


def _decide(
    pn: np.ndarray, ps: np.ndarray, narratives: list[str], subs: list[str], tn: float, ts: float
) -> tuple[list[set[str]], list[set[str]]]:
    """The runtime's decision rule (StorylineModel.decide) over many articles."""
    children = {
        i: [j for j, s in enumerate(subs) if s.startswith(n + ": ")] for i, n in enumerate(narratives)
    }
    other = narratives.index(OTHER)
    out_n, out_s = [], []
    for row_n, row_s in zip(pn, ps, strict=True):
        chosen = [i for i in range(len(narratives)) if i != other and row_n[i] >= tn]
        if not chosen:
            out_n.append({OTHER})
            out_s.append({OTHER})
            continue
        sub: set[str] = set()
        for i in chosen:
            kids = children[i]
            if kids:
                above = [j for j in kids if row_s[j] >= ts]
                sub |= {subs[j] for j in (above or [max(kids, key=lambda j: row_s[j])])}
        out_n.append({narratives[i] for i in chosen})
        out_s.append(sub or {OTHER})
    return out_n, out_s


def _label_matrix(docs: list[Document], labels: list[str], attr: str) -> np.ndarray:
    index = {x: i for i, x in enumerate(labels)}
    y = np.zeros((len(docs), len(labels)), dtype=np.int64)
    for r, d in enumerate(docs):
        for x in getattr(d, attr):
            if x in index:
                y[r, index[x]] = 1
    return y


def train_storylines(
    data_dir: Path, train: Corpus, languages: list[str], echo: Echo, negatives: Corpus | None = None
) -> dict:
    """Fit the storyline heads on the train part (and ``negatives``: mainstream articles labelled Other);
    returns the arrays and the metadata of the artifact."""
    narratives, subs = label_lists(data_dir)
    pairs = [(d, v) for d, v in zip(train.docs, train.vectors, strict=True) if d.annotated]
    if negatives is not None:
        pairs += list(zip(negatives.docs, negatives.vectors, strict=True))
    docs = [d for d, _ in pairs]
    x_raw = np.stack([storyline_features(v.vectors) for _, v in pairs])
    mean, scale = x_raw.mean(axis=0), x_raw.std(axis=0) + 1e-6
    x = (x_raw - mean) / scale
    yn, ys = _label_matrix(docs, narratives, "narratives"), _label_matrix(docs, subs, "subnarratives")
    gold_n = [set(d.narratives) for d in docs]
    gold_s = [set(d.subnarratives) for d in docs]
    folds = _folds(len(docs))
    best: tuple[float, float, float, float, tuple[float, float], tuple[float, float], np.ndarray] | None = (
        None
    )
    for c in C_GRID:
        ln, ls = np.zeros(yn.shape), np.zeros(ys.shape)
        for f in range(FOLDS):
            tr, va = folds != f, folds == f
            wn, bn = _fit_ovr(x[tr], yn[tr], c)
            ws, bs = _fit_ovr(x[tr], ys[tr], c)
            ln[va], ls[va] = x[va] @ wn + bn, x[va] @ ws + bs
        keep_n, keep_s = yn.sum(axis=0) > 0, ys.sum(axis=0) > 0
        platt_n = _platt(ln[:, keep_n], yn[:, keep_n])
        platt_s = _platt(ls[:, keep_s], ys[:, keep_s])
        pn, ps = _sig(platt_n[0] * ln + platt_n[1]), _sig(platt_s[0] * ls + platt_s[1])
        for tn in T_GRID:
            for ts in T_GRID[::2]:
                pred_n, pred_s = _decide(pn, ps, narratives, subs, tn, ts)
                f_n, f_s = samples_f1(gold_n, pred_n), samples_f1(gold_s, pred_s)
                score = (f_n + f_s) / 2
                if best is None or score > best[0] + 1e-9:
                    best = (score, c, float(tn), float(ts), platt_n, platt_s, pn)
        if best is not None:
            echo(f"storylines C={c}: best so far {best[0]:.4f} (C={best[1]}, tn={best[2]}, ts={best[3]})")
    assert best is not None
    score, c, tn, ts, platt_n, platt_s, pn = best
    other = narratives.index(OTHER)
    propaganda = np.delete(pn, other, axis=1).max(axis=1)
    is_other = np.array([g == {OTHER} for g in gold_n])
    report = max(tn, float(np.quantile(propaganda[is_other], 0.9))) if is_other.any() else tn
    wn, bn = _fit_ovr(x, yn, c)
    ws, bs = _fit_ovr(x, ys, c)
    meta = {
        "task": "SemEval-2025 Task 10 subtask 2 (narrative classification)",
        "narratives": narratives,
        "subnarratives": subs,
        "languages": [x.lower() for x in languages],
        "narrative_threshold": tn,
        "subnarrative_threshold": ts,
        "report_threshold": round(report, 4),
        "narrative_platt": list(platt_n),
        "subnarrative_platt": list(platt_s),
        "training": {
            "articles": len(docs),
            "per_language": {
                lang: sum(d.language == lang and not d.id.startswith("guardian-") for d in docs)
                for lang in languages
            },
            "mainstream_negatives": sum(d.id.startswith("guardian-") for d in docs),
            "C": c,
            "out_of_fold_mean_samples_f1": round(score, 4),
            "folds": FOLDS,
            "seed": SEED,
            "features": "[mean of the sentence vectors, the first sentence's (title)], e5-small-int8-v1, standardised",
        },
    }
    arrays = {
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "narrative_w": wn,
        "narrative_b": bn,
        "subnarrative_w": ws,
        "subnarrative_b": bs,
    }
    return {"meta": meta, "arrays": arrays}


def role_features(c: Corpus) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Features of every mention and its (document, mention) index."""
    rows, where = [], []
    for di, (d, v) in enumerate(zip(c.docs, c.vectors, strict=True)):
        if not len(v.vectors):
            continue
        art = article_vector(v.vectors)
        for mi, m in enumerate(d.mentions):
            rows.append(
                mention_features(v.vectors, sentence_index(v.spans, m.start), v.names[mi], art, v.states[mi])
            )
            where.append((di, mi))
    return (np.stack(rows) if rows else np.zeros((0, 5 * 384), dtype=np.float32)), where


def fine_list() -> tuple[list[str], list[str]]:
    fine = [f for main in MAIN_ROLES for f in FINE_ROLES[main]]
    return fine, [main for main in MAIN_ROLES for _ in FINE_ROLES[main]]


def decide_roles(
    main_p: np.ndarray, fine_p: np.ndarray, fine_main: list[str], second: float
) -> tuple[list[str], list[list[str]]]:
    fine, _ = fine_list()
    mains, fines = [], []
    for mp, fp in zip(main_p, fine_p, strict=True):
        m = int(np.argmax(mp))
        kids = sorted((j for j, r in enumerate(fine_main) if r == MAIN_ROLES[m]), key=lambda j: -fp[j])
        mains.append(MAIN_ROLES[m])
        fines.append([fine[j] for j in kids[:1] + [j for j in kids[1:2] if fp[j] >= second]])
    return mains, fines


def train_roles(train: Corpus, languages: list[str], echo: Echo) -> dict:
    from sklearn.linear_model import LogisticRegression

    fine, fine_main = fine_list()
    x_raw, where = role_features(train)
    mentions = [train.docs[di].mentions[mi] for di, mi in where]
    mean, scale = x_raw.mean(axis=0), x_raw.std(axis=0) + 1e-6
    x = (x_raw - mean) / scale
    y_main = np.array([MAIN_ROLES.index(m.main) if m.main in MAIN_ROLES else 1 for m in mentions])
    y_fine = np.zeros((len(mentions), len(fine)), dtype=np.int64)
    for r, m in enumerate(mentions):
        for f in m.fine:
            if f in fine:
                y_fine[r, fine.index(f)] = 1
    doc_fold = _folds(len(train.docs))
    folds = np.array([doc_fold[di] for di, _ in where])
    best = None
    for c in C_GRID:
        pm, pf = np.zeros((len(x), 3)), np.zeros(y_fine.shape)
        for k in range(FOLDS):
            tr, va = folds != k, folds == k
            clf = LogisticRegression(C=c, max_iter=3000).fit(x[tr], y_main[tr])
            proba = np.zeros((va.sum(), 3))
            proba[:, clf.classes_] = clf.predict_proba(x[va])
            pm[va] = proba
            wf, bf = _fit_ovr(x[tr], y_fine[tr], c)
            pf[va] = _sig(x[va] @ wf + bf)
        acc = float((pm.argmax(axis=1) == y_main).mean())
        for second in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
            _, fines = decide_roles(pm, pf, fine_main, second)
            emr = float(np.mean([set(p) == set(m.fine) for p, m in zip(fines, mentions, strict=True)]))
            score = acc + emr
            if best is None or score > best[0]:
                best = (score, c, second, acc, emr, pf)
        if best is not None:
            echo(f"roles C={c}: main accuracy {acc:.4f}; best so far C={best[1]}, accuracy {best[3]:.4f}")
    assert best is not None
    score, c, second, acc, emr, pf_best = best
    # A one-hidden-layer network for the main role reads interactions (this name in this context) that the
    # linear head cannot; it is kept only where it beats the linear head out of fold.
    pm_mlp = np.zeros((len(x), 3))
    for k in range(FOLDS):
        tr, va = folds != k, folds == k
        net = _mlp().fit(x[tr], y_main[tr])
        proba = np.zeros((va.sum(), 3))
        proba[:, net.classes_] = net.predict_proba(x[va])
        pm_mlp[va] = proba
    acc_mlp = float((pm_mlp.argmax(axis=1) == y_main).mean())
    _, fines = decide_roles(pm_mlp, pf_best, fine_main, second)
    emr_mlp = float(np.mean([set(p) == set(m.fine) for p, m in zip(fines, mentions, strict=True)]))
    use_mlp = acc_mlp + emr_mlp > score
    echo(f"roles main-role network: accuracy {acc_mlp:.4f}, exact match {emr_mlp:.4f}; used: {use_mlp}")
    hidden: dict[str, np.ndarray] = {}
    if use_mlp:
        net = _mlp().fit(x, y_main)
        hidden = {"main_hidden_w": net.coefs_[0], "main_hidden_b": net.intercepts_[0].astype(np.float32)}
        wm = np.zeros((net.coefs_[1].shape[0], 3), dtype=np.float32)
        bm = np.full(3, -8.0, dtype=np.float32)
        wm[:, net.classes_], bm[net.classes_] = net.coefs_[1], net.intercepts_[1]
        acc, emr = acc_mlp, emr_mlp
    else:
        clf = LogisticRegression(C=c, max_iter=3000).fit(x, y_main)
        wm = np.zeros((x.shape[1], 3), dtype=np.float32)
        bm = np.full(3, -8.0, dtype=np.float32)
        wm[:, clf.classes_], bm[clf.classes_] = clf.coef_.T, clf.intercept_
    wf, bf = _fit_ovr(x, y_fine, c)
    meta = {
        "task": "SemEval-2025 Task 10 subtask 1 (entity framing)",
        "main_roles": list(MAIN_ROLES),
        "fine_roles": fine,
        "fine_main": fine_main,
        "second_fine_threshold": second,
        "languages": [x.lower() for x in languages],
        "training": {
            "mentions": len(mentions),
            "per_language": {
                lang: sum(train.docs[di].language == lang for di, _ in where) for lang in languages
            },
            "C": c,
            "main_head": "one hidden layer of 128 ReLU units (sklearn MLPClassifier, alpha 10)"
            if use_mlp
            else "multinomial logistic regression",
            "out_of_fold_main_accuracy": round(acc, 4),
            "out_of_fold_exact_match_ratio": round(emr, 4),
            "features": "[the mention's contextual state, its sentence, the mean of it and its neighbours, the "
            "mention's own text, the article mean] e5-small-int8-v1 vectors, standardised",
        },
    }
    arrays = {
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "main_w": wm,
        "main_b": bm,
        "fine_w": wf,
        "fine_b": bf,
        **hidden,
    }
    return {"meta": meta, "arrays": arrays}


def _mlp():  # type: ignore[no-untyped-def]
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier((128,), alpha=10.0, max_iter=300, early_stopping=True, random_state=SEED)


def write_artifact(out: Path, trained: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / "heads.npz",
        **{k: v.astype(np.float16 if v.ndim == 2 else np.float32) for k, v in trained["arrays"].items()},
    )
    (out / "meta.json").write_text(json.dumps(trained["meta"], indent=1) + "\n", encoding="utf-8")
