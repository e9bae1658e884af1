"""Cross-validated span probabilities on PTC train, for tuning the ensemble's decoding on every train article.

The shipped members hold out 37 train articles, and decoding tuned on those alone did not carry over: held-out
SI F1 0.4533 against 0.3913 on PTC dev. Here K models of a member's recipe each train on K-1 folds of all 371
train articles and predict the fold they never saw, so every train article gets an unseen model's character
probabilities: ten times as many articles to choose thresholds, merge gap, minimum length and Platt scaling
on (`calibrate_spans.calibrate_ensemble` with `oof`). PTC dev plays no part.

One fold is one job (`unspin train span-folds --fold K`) so that a GPU machine can run them side by side: the
ten folds of both shipped recipes took 274 s together on one H200. On 2 CPU cores a MiniLM fold takes about
20 minutes and an e5 fold about 45.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from unspin.datasets.ptc import LabelledArticle

FOLD_SEED = 29  # differs from the members' held-out seed (13): the folds cut across their held-out set


def fold_of(ids: list[str], folds: int, seed: int = FOLD_SEED) -> dict[str, int]:
    """Article id -> fold, by a seeded shuffle of the sorted ids (the same on every machine)."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return {a: i % folds for i, a in enumerate(order)}


def oof_file(out_dir: Path, encoder: str, fold: int) -> Path:
    return out_dir / f"oof-{encoder}-fold{fold}.npz"


def run_fold(
    articles: list[LabelledArticle], encoder: str, fold: int, folds: int, out_dir: Path, *,
    epochs: int = 5, seed: int = 13, device: str = "cpu", max_steps: int | None = None, threads: int = 0,
    extra: list[LabelledArticle] | None = None,
) -> Path:  # fmt: skip
    """Train on every fold but ``fold``; write the unseen fold's character probabilities to an npz.

    ``extra`` articles (other languages' gold, `span_extra_data`) join every fold's training set and are never
    predicted, as they join the member's.

    Keys: ``p/<id>`` P(not O) per character (float16), ``c/<id>`` whether a token covers the character (bits).
    """
    from unspin.models.span_model import SpanModel
    from unspin.train.techniques_ptc import train

    where = fold_of([a.id for a in articles], folds)
    seen = [a for a in articles if where[a.id] != fold]
    unseen = [a for a in articles if where[a.id] == fold]
    predicted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / f"{encoder}-fold{fold}"
        train(
            seen + (extra or []),
            folder,
            epochs=epochs,
            seed=seed,
            encoder=encoder,
            device=device,
            max_steps=max_steps,
        )
        model = SpanModel(folder, threads)
        for a in unseen:
            predicted[a.id] = model.char_probs(a.text, model.encode(a.text))
    path = oof_file(out_dir, encoder, fold)
    save_oof(path, predicted)
    return path


def save_oof(path: Path, predicted: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Article id -> (probabilities, covered) as ``p/<id>`` (float16) and ``c/<id>`` (bits) in one npz."""
    arrays: dict[str, Any] = {}  # numpy types savez keywords as its options
    for aid, (p, covered) in predicted.items():
        arrays[f"p/{aid}"] = p.astype(np.float16)
        arrays[f"c/{aid}"] = np.packbits(covered)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed, so that a run killed while writing leaves no half file for a resumed run to skip.
    partial = path.with_name(".partial-" + path.name)  # not matched by load_oof's glob
    np.savez_compressed(partial, **arrays)
    partial.replace(path)


def load_oof(
    out_dir: Path, encoder: str, articles: list[LabelledArticle]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Article id -> (probabilities, covered) for one member recipe, gathered from all its fold files."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    lengths = {a.id: len(a.text) for a in articles}
    for path in sorted(out_dir.glob(f"oof-{encoder}-fold*.npz")):
        with np.load(path) as z:
            for key in z.files:
                if key.startswith("p/"):
                    aid = key[2:]
                    n = lengths[aid]
                    covered = np.unpackbits(z[f"c/{aid}"])[:n].astype(bool)
                    out[aid] = (z[key].astype(np.float32), covered)
    missing = sorted(set(lengths) - set(out))
    if missing:
        raise ValueError(f"{out_dir}: no out-of-fold {encoder} probabilities for {len(missing)} articles")
    return out
