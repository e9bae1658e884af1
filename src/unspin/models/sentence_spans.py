"""Technique spans for the languages the PTC span model does not read: whole sentences, from linear heads
over frozen multilingual-e5 sentence embeddings (trained on the SemEval-2023 span annotations of French,
German, Italian, Polish and Russian).

The sentences are the parsed Doc's (``unspin.nlp.parse``), in training as in the analyser. A sentence is
reported when the "any technique" head passes its threshold; its technique is the most probable of the 23
SemEval-2023 techniques. Coarser than the English span model, which marks the words themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from unspin.models.e5_embedder import CachedEncoder
from unspin.models.paragraph_model import sigmoid

MAX_SENTENCES = 400  # a longer text is cut: beyond this the encoder cost (0.8 ms a word) dominates


def sentence_features(vectors: np.ndarray) -> np.ndarray:
    """A sentence is read with its article's mean sentence vector, as the paragraph heads read paragraphs."""
    if not len(vectors):
        return np.zeros((0, 2 * 384), dtype=np.float32)
    article = vectors.mean(axis=0, keepdims=True)
    return np.concatenate([vectors, np.repeat(article, len(vectors), axis=0)], axis=1).astype(np.float32)


class SentenceSpanModel:
    """heads.npz (any_w, any_b, technique_w, technique_b) and meta.json (techniques, threshold)."""

    def __init__(self, folder: Path, encoder: CachedEncoder) -> None:
        self.encoder = encoder
        heads = np.load(folder / "heads.npz")
        self.any_w, self.any_b = heads["any_w"], heads["any_b"]
        self.technique_w, self.technique_b = heads["technique_w"], heads["technique_b"]
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.techniques: list[str] = meta["techniques"]
        self.threshold: float = meta["threshold"]
        self.languages: list[str] = meta["languages"]  # trained on; others are read zero-shot

    def from_features(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P(any technique) per sentence, technique probabilities per sentence, rows summing to 1)."""
        p_any = sigmoid(features @ self.any_w + self.any_b)
        tech = sigmoid(features @ self.technique_w.T + self.technique_b)
        return p_any, tech / np.clip(tech.sum(axis=1, keepdims=True), 1e-9, None)

    def predict_proba(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """``from_features`` for one article's sentences (at most MAX_SENTENCES), read together."""
        return self.from_features(sentence_features(self.encoder.embed(sentences[:MAX_SENTENCES])))
