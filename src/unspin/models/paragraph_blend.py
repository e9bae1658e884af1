"""Paragraph techniques, framing and genre from both paragraph models at once: the e5 heads' and the n-gram
heads' probabilities, averaged with one weight per task, then thresholded anew.

Why: the two read different things (a frozen multilingual sentence encoder; the paragraph's own words and
character n-grams) and make different mistakes, so their average beats either alone on the languages both were
trained on (see the model card). Outside English the encoder runs anyway, so the n-grams cost ~20 ms more; on
English the n-gram heads alone are kept, as the encoder would cost ~0.7 s an article.

The artifact folder holds blend.json (member names, weights, thresholds) and a model card; the members are
artifact folders beside it. `unspin train paragraph-blend` writes it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from unspin.models.ngram_paragraph_model import NgramParagraphModel
from unspin.models.paragraph_model import ParagraphHeads, ParagraphModel, Probabilities

TASKS = ("techniques", "frames", "genre")


def blend(e5: Probabilities, ngram: Probabilities, weights: dict[str, float]) -> Probabilities:
    """Per task, ``w * e5 + (1 - w) * ngram`` (w: the e5 weight of that task)."""
    out = [
        weights[task] * np.asarray(a, dtype=np.float32)
        + (1.0 - weights[task]) * np.asarray(b, dtype=np.float32)
        for task, a, b in zip(TASKS, e5, ngram, strict=True)
    ]
    return out[0], out[1], out[2]


def read_meta(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "blend.json").read_text(encoding="utf-8")))


class BlendParagraphModel(ParagraphHeads):
    """Same outputs as ParagraphModel; ``probabilities`` runs both members on the paragraphs."""

    def __init__(self, folder: Path, e5: ParagraphModel, ngram: NgramParagraphModel) -> None:
        """``e5``, ``ngram``: the member models, as the registry holds them (each once per process)."""
        meta = read_meta(folder)
        if not isinstance(e5, ParagraphModel) or not isinstance(ngram, NgramParagraphModel):
            raise TypeError(f"{folder}: the blend's members are the wrong kind of model")
        self.e5, self.ngram = e5, ngram
        if (e5.techniques, e5.frames, e5.genres) != (ngram.techniques, ngram.frames, ngram.genres):
            raise ValueError(f"{folder}: the blended paragraph models must share their label inventories")
        self._read_meta({**meta, "techniques": e5.techniques, "frames": e5.frames, "genres": e5.genres})
        self.weights: dict[str, float] = {task: float(meta["weights"][task]) for task in TASKS}
        self.languages: list[str] = list(meta["languages"])

    def from_vectors(self, paragraph_vectors: np.ndarray, paragraphs: list[str]) -> Probabilities:
        """Probabilities when the paragraphs' embeddings are already known (evaluation reads a cache)."""
        return blend(
            self.e5.from_vectors(paragraph_vectors), self.ngram.predict_proba(paragraphs), self.weights
        )

    def predict_proba(self, paragraphs: list[str]) -> Probabilities:
        return self.from_vectors(self.e5.encoder.embed(paragraphs), paragraphs)
