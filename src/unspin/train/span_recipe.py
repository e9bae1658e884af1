"""The recipe of a PTC span model: which articles it fits and holds out, what extra data it reads, and the
calibration on the held-out articles. `unspin train techniques` runs it; its record goes to training.json."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class TeacherMismatch(ValueError):
    """Self-training with a teacher that held out other articles would leak their labels into training."""


@dataclass(frozen=True)
class SpanRecipe:
    epochs: int = 5
    seed: int = 13
    heldout: float = 0.1  # share of PTC train articles held out for calibration
    shift_windows: bool = False
    encoder: str = "minilm"  # minilm (all-MiniLM-L6-v2) or e5 (multilingual-e5-small)
    split_seed: int | None = None  # the held-out split's own seed (default: seed); ensemble members share one
    device: str = "cpu"
    max_steps: int | None = None
    teacher: Path | None = None  # self-training: a span model that held out the same articles
    fnc1_bodies: int = 150
    semeval2023_per_language: int = 0


def teacher_member(teacher: Path) -> Path:
    """A span model folder whose training.json names the held-out articles (an ensemble's first member)."""
    ensemble = teacher / "ensemble.json"
    if ensemble.exists():
        return teacher.parent / json.loads(ensemble.read_text(encoding="utf-8"))["members"][0]
    return teacher


def heldout_ids(ids: list[str], recipe: SpanRecipe) -> set[str]:
    """The articles held out for calibration: a seeded share of PTC train, by article."""
    order = sorted(ids)
    random.Random(recipe.seed if recipe.split_seed is None else recipe.split_seed).shuffle(order)
    return set(order[: int(len(order) * recipe.heldout)])


def train_span_model(
    data: Path, out: Path, recipe: SpanRecipe, echo: Callable[[str], Any] = print
) -> dict[str, Any]:
    """Fit on PTC train minus the held-out share (plus silver and other languages' gold if asked), calibrate
    on the held-out share, write the artifact and training.json; returns the calibration. PTC dev is unused."""
    from unspin.datasets.ptc import LabelledArticle, load_ptc
    from unspin.train.calibrate_spans import calibrate
    from unspin.train.e5_encoder import english_texts
    from unspin.train.techniques_ptc import train

    articles = load_ptc(data, "train")
    held = heldout_ids([a.id for a in articles], recipe)
    extra: list[LabelledArticle] = []  # silver (self-training) and other languages' gold
    silver: list[LabelledArticle] = []
    if recipe.teacher is not None:
        from unspin.train.span_extra_data import pseudo_label, unlabelled_texts

        record = json.loads((teacher_member(recipe.teacher) / "training.json").read_text(encoding="utf-8"))
        if set(record["heldout_ids"]) != held:
            raise TeacherMismatch(
                f"{recipe.teacher} held out other articles than this run: its labels would leak"
            )
        silver = pseudo_label(recipe.teacher, unlabelled_texts(data, recipe.fnc1_bodies, seed=recipe.seed))
        echo(f"pseudo-labelled {len(silver)} texts: {sum(len(a.spans) for a in silver)} spans")
        extra += silver
    if recipe.semeval2023_per_language:
        from unspin.train.span_extra_data import semeval2023_gold

        extra += semeval2023_gold(data, recipe.semeval2023_per_language, seed=recipe.seed)
    meta = train(
        [a for a in articles if a.id not in held] + extra, out, epochs=recipe.epochs, seed=recipe.seed,
        shift_windows=recipe.shift_windows, encoder=recipe.encoder,
        vocab_texts=english_texts(data) if recipe.encoder == "e5" else None, device=recipe.device,
        max_steps=recipe.max_steps,
    )  # fmt: skip
    meta["heldout_ids"] = sorted(held)
    if recipe.semeval2023_per_language:
        meta["semeval2023_per_language"] = recipe.semeval2023_per_language
    if recipe.teacher is not None:
        meta["self_training"] = {
            "teacher": recipe.teacher.name, "texts": len(silver), "fnc1_bodies": recipe.fnc1_bodies,
            "spans": sum(len(a.spans) for a in silver),
        }  # fmt: skip
    meta["split_seed"] = recipe.seed if recipe.split_seed is None else recipe.split_seed
    cal = calibrate(out, [a for a in articles if a.id in held])
    (out / "training.json").write_text(
        json.dumps({**meta, "calibration": cal}, indent=2) + "\n", encoding="utf-8"
    )
    return cal
