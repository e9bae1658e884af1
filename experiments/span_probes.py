"""Probes of the PTC span ensemble that need no GPU, from the out-of-fold files of `unspin train span-folds`.

They need no retraining of the members (no GPU). These probes ask which cheap change could still
lift SI F1, each one judged on PTC train only (out of fold, or on the members' 37 held-out articles), never on
dev:

    python experiments/span_probes.py learning-curve       # would more training articles help?
    python experiments/span_probes.py lexical              # a third, word-level member?
    python experiments/span_probes.py article-calibration  # recalibrate with article-level features?
    python experiments/span_probes.py technique-confidence # drop spans whose technique is unsure?

Each prints the best SI F1 over a decoding grid next to the shipped ensemble's. The results in the
ptc-spans-ensemble-v3 model card were measured against v2, its predecessor. Needs scikit-learn (the dev extra)
and build/oof-folds from `unspin train span-folds`, one folder per member.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

import unspin.train.calibrate_spans as calibrate
from unspin.datasets.ptc import LabelledArticle, load_ptc
from unspin.eval.scorers import span_f1
from unspin.models import MODELS_DIR
from unspin.models.span_ensemble import SpanEnsemble, average_char_probs, hysteresis_runs
from unspin.models.span_model import merge_runs
from unspin.train.span_folds import fold_of, load_oof

CharProbs = dict[str, tuple[np.ndarray, np.ndarray]]
SHIPPED = (
    "0.5/0.3/10/4",
    (0.5, 0.3, 10, 4),
)  # the ensemble's decoding: thresholds, merge gap, minimum length


def members_oof(oof: Path, train: list[LabelledArticle]) -> tuple[CharProbs, CharProbs]:
    return (
        load_oof(oof / "ptc-spans-minilm-v4", "minilm", train),
        load_oof(oof / "ptc-spans-e5-v2", "e5", train),
    )


def best_decoding(articles: list[LabelledArticle], probs: CharProbs, thresholds: list[float]) -> str:
    """The best SI F1 over a decoding grid (smaller than training's: these probes compare, not ship)."""
    calibrate.THRESHOLDS, calibrate.GAPS, calibrate.MIN_CHARS = thresholds, [5, 10, 20], [1, 4, 10]
    scores = calibrate._decoding_grid(articles, probs)
    (hi, lo, gap, n), f1 = max(scores.items(), key=lambda kv: kv[1])
    return f"SI F1 {f1:.4f} at thresholds {hi}/{lo}, gap {gap}, minimum {n}"


def decode(articles: list[LabelledArticle], probs: CharProbs) -> dict[str, list[tuple[int, int]]]:
    hi, lo, gap, n = SHIPPED[1]
    return {
        a.id: [
            (s, e) for s, e, _ in merge_runs(a.text, hysteresis_runs(a.text, *probs[a.id], hi, lo), gap, n)
        ]
        for a in articles
    }


def learning_curve(train: list[LabelledArticle], oof: Path) -> None:
    """The members' 37 held-out articles, read by the shipped members (334 training articles) and by the fold
    models (about 297): if 37 more articles barely help, retraining on all 371 will not close the gap either."""
    held_ids = json.loads((MODELS_DIR / "ptc-spans-minilm-v4" / "training.json").read_text())["heldout_ids"]
    held = [a for a in train if a.id in set(held_ids)]
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in held}
    ensemble = SpanEnsemble(MODELS_DIR / "ptc-spans-ensemble-v3.1")
    shipped: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for a in held:
        shipped[a.id] = [
            m.char_probs(a.text, e) for m, e in zip(ensemble.members, ensemble.encode(a.text), strict=True)
        ]
    minilm, e5 = members_oof(oof, train)
    by_folds = {i: [minilm[i], e5[i]] for i in gold}
    pick: dict[str, Callable[[list[tuple[np.ndarray, np.ndarray]]], tuple[np.ndarray, np.ndarray]]] = {
        "ensemble": average_char_probs,
        "minilm": lambda p: p[0],
        "e5": lambda p: p[1],
    }
    print(f"{len(held)} held-out train articles, decoding {SHIPPED[0]}")
    for name, f in pick.items():
        full = {i: f(p) for i, p in shipped.items()}
        folds = {i: f(p) for i, p in by_folds.items()}
        f_full, f_folds = span_f1(gold, decode(held, full)).f1, span_f1(gold, decode(held, folds)).f1
        print(f"  {name:<9} 334 articles {f_full:.4f}   ~297 articles (fold models) {f_folds:.4f}")


WORD = re.compile(r"\w+|[^\w\s]")


def _shape(w: str) -> str:
    if w.isupper() and len(w) > 1:
        return "AA"
    if w[:1].isupper():
        return "Aa"
    if w.isdigit():
        return "9"
    return "p" + w if not w[:1].isalnum() else "a"


def word_features(text: str) -> tuple[list[tuple[int, int]], list[list[str]]]:
    """Words (offsets) and their features: the word, two neighbours each side, bigrams, shape, quote, title."""
    found = [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]
    low = [w.lower() for _, _, w in found]
    title_end = text.find("\n") if "\n" in text else len(text)
    feats, quoted = [], False
    for i, (s, _, w) in enumerate(found):
        if w in '"“”':
            quoted = not quoted if w == '"' else w == "“"
        p1, p2 = (low[i - 1] if i else "<s>"), (low[i - 2] if i > 1 else "<s>")
        n1 = low[i + 1] if i + 1 < len(found) else "</s>"
        n2 = low[i + 2] if i + 2 < len(found) else "</s>"
        feats.append([
            f"w={low[i]}", f"p1={p1}", f"n1={n1}", f"p2={p2}", f"n2={n2}", f"b={p1}_{low[i]}",
            f"bn={low[i]}_{n1}", f"t={p1}_{low[i]}_{n1}", f"sh={_shape(w)}", f"suf={low[i][-3:]}",
            f"q={quoted}", f"title={s < title_end}",
        ])  # fmt: skip
    return [(s, e) for s, e, _ in found], feats


def lexical(train: list[LabelledArticle], oof: Path) -> None:
    """A logistic regression over hashed word features, trained on the span folds' own folds, as a third member
    averaged in with weight w."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.linear_model import LogisticRegression

    where = fold_of([a.id for a in train], 5)
    hasher = FeatureHasher(2**20, input_type="string", alternate_sign=False)
    words = {a.id: word_features(a.text) for a in train}
    labels = {}
    for a in train:
        gold = np.zeros(len(a.text) + 1, dtype=bool)
        for s, e, _ in a.spans:
            gold[s:e] = True
        labels[a.id] = np.array([gold[s:e].any() for s, e in words[a.id][0]])
    lex: CharProbs = {}
    for k in range(5):
        seen = [a for a in train if where[a.id] != k]
        x = hasher.transform(itertools.chain.from_iterable(words[a.id][1] for a in seen))
        clf = LogisticRegression(C=0.1, max_iter=300, solver="liblinear").fit(
            x, np.concatenate([labels[a.id] for a in seen])
        )
        for a in train:
            if where[a.id] == k:
                p, covered = np.zeros(len(a.text), np.float32), np.zeros(len(a.text), bool)
                for (s, e), q in zip(
                    words[a.id][0], clf.predict_proba(hasher.transform(words[a.id][1]))[:, 1], strict=True
                ):
                    p[s:e], covered[s:e] = q, True
                lex[a.id] = (p, covered)
    minilm, e5 = members_oof(oof, train)
    for w in (0.0, 0.2, 1.0):
        probs = {}
        for a in train:
            p, covered = average_char_probs([minilm[a.id], e5[a.id]])
            probs[a.id] = ((1 - w) * p + w * lex[a.id][0], covered | lex[a.id][1])
        print(
            f"  lexical weight {w}: {best_decoding(train, probs, [0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6])}"
        )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def article_calibration(train: list[LabelledArticle], oof: Path) -> None:
    """Per-character logistic recalibration of the averaged probability, cross-fitted by article, with the
    members' own probabilities and article-level features (mean probability, share above 0.5, length,
    position): does an article's overall density say something the characters do not?"""
    from sklearn.linear_model import LogisticRegression

    minilm, e5 = members_oof(oof, train)
    where = fold_of([a.id for a in train], 5, seed=7)  # cross-fitting folds, not the models' folds
    x, y, cov = {}, {}, {}
    for a in train:
        p, covered = average_char_probs([minilm[a.id], e5[a.id]])
        n, inside = len(a.text), p[covered] if covered.any() else np.zeros(1)
        x[a.id] = np.stack([
            _logit(p), _logit(minilm[a.id][0]), _logit(e5[a.id][0]), np.full(n, _logit(np.array(inside.mean()))),
            np.full(n, (inside > 0.5).mean()), np.full(n, np.log(n)), np.arange(n) / n,
        ], axis=1)  # fmt: skip
        gold = np.zeros(n, dtype=bool)
        for s, e, _ in a.spans:
            gold[s:e] = True
        y[a.id], cov[a.id] = gold, covered
    variants: dict[str, list[int]] = {
        "characters only": [0, 1, 2],
        "with article features": [0, 1, 2, 3, 4, 5, 6],
    }
    for name, cols in variants.items():
        probs: CharProbs = {}
        for k in range(5):
            seen = [a for a in train if where[a.id] != k]
            clf = LogisticRegression(max_iter=500).fit(
                np.concatenate([x[a.id][cov[a.id]][::7][:, cols] for a in seen]),
                np.concatenate([y[a.id][cov[a.id]][::7] for a in seen]),
            )
            for a in train:
                if where[a.id] == k:
                    probs[a.id] = (clf.predict_proba(x[a.id][:, cols])[:, 1].astype(np.float32), cov[a.id])
        print(f"  {name}: {best_decoding(train, probs, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4])}")


def technique_confidence(train: list[LabelledArticle], oof: Path) -> None:
    """On the members' 37 held-out articles (the shipped models never saw them): does the technique head's
    confidence tell a predicted span that touches gold from one that does not, beyond the span score?
    The fold files hold no technique probabilities, so this cannot run out of fold."""
    from sklearn.metrics import roc_auc_score

    from unspin.eval.techniques import overlap_share

    held_ids = set(
        json.loads((MODELS_DIR / "ptc-spans-minilm-v4" / "training.json").read_text())["heldout_ids"]
    )
    ensemble = SpanEnsemble(MODELS_DIR / "ptc-spans-ensemble-v3.1")
    score, confidence, entropy, touches = [], [], [], []
    for a in (a for a in train if a.id in held_ids):
        enc = ensemble.encode(a.text)
        raw = ensemble.decode(a.text, enc)
        probs = ensemble.technique_probs(a.text, enc, [(s, e) for s, e, _ in raw])
        for (s, e, sc), p in zip(raw, probs, strict=True):
            score.append(sc)
            confidence.append(float(p.max()))
            entropy.append(float(-(p * np.log(p + 1e-9)).sum()))
            touches.append(overlap_share(s, e, a.spans) > 0)
    print(f"  {len(touches)} predicted spans, {np.mean(touches):.3f} touch gold; AUC of telling them apart:")
    for name, values in (("span score", score), ("technique confidence", confidence)):
        print(f"    {name:<21} {roc_auc_score(touches, values):.3f}")
    print(f"    {'technique entropy':<21} {roc_auc_score(touches, -np.array(entropy)):.3f}")


PROBES: dict[str, Callable[[list[LabelledArticle], Path], None]] = {
    "learning-curve": learning_curve,
    "lexical": lexical,
    "article-calibration": article_calibration,
    "technique-confidence": technique_confidence,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("probe", choices=sorted(PROBES))
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--oof", type=Path, default=Path("build/oof-folds"), help="`unspin train span-folds` output"
    )
    args = parser.parse_args()
    train = load_ptc(args.data, "train")
    if args.probe not in ("learning-curve", "technique-confidence"):
        minilm, e5 = members_oof(args.oof, train)
        shipped = {a.id: average_char_probs([minilm[a.id], e5[a.id]]) for a in train}
        gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in train}
        print(f"shipped ensemble, out of fold: SI F1 {span_f1(gold, decode(train, shipped)).f1:.4f}")
    PROBES[args.probe](train, args.oof)


if __name__ == "__main__":
    main()
