"""Technique spans for the languages the PTC span model does not read: whole sentences, from linear heads
over frozen multilingual-e5 sentence embeddings (trained on the SemEval-2023 span annotations of French,
German, Italian, Polish and Russian).

A sentence is reported when the "any technique" head passes its threshold; its technique is the most probable
of the 23 SemEval-2023 techniques. Coarser than the English span model, which marks the words themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.models.paragraph_model import embed, sigmoid

# A sentence ends at . ! ? … (and any closing quotes or brackets) before blank space, or at a line break.
_BREAK = re.compile(r"(?<=[.!?…])[\"'»”“)\]]*(?=\s)|\n")
MAX_SENTENCES = 400  # a longer text is cut: beyond this the encoder cost (0.8 ms a word) dominates


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets (start, end), blank space trimmed; pieces under 3 characters are skipped."""
    bounds, start = [], 0
    for m in _BREAK.finditer(text):
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(text)))
    out = []
    for s, e in bounds:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 3:
            out.append((s, e))
    return out


def sentence_features(vectors: np.ndarray) -> np.ndarray:
    """A sentence is read with its article's mean sentence vector, as the paragraph heads read paragraphs."""
    if not len(vectors):
        return np.zeros((0, 2 * 384), dtype=np.float32)
    article = vectors.mean(axis=0, keepdims=True)
    return np.concatenate([vectors, np.repeat(article, len(vectors), axis=0)], axis=1).astype(np.float32)


@dataclass
class SentenceSpan:
    start: int
    end: int
    score: float  # probability that the sentence uses some technique (the "any" head)
    technique_probs: np.ndarray  # one per SemEval-2023 technique, normalised to sum to 1


class SentenceSpanModel:
    """heads.npz (any_w, any_b, technique_w, technique_b) and meta.json (techniques, threshold)."""

    def __init__(self, folder: Path) -> None:
        heads = np.load(folder / "heads.npz")
        self.any_w, self.any_b = heads["any_w"], heads["any_b"]
        self.technique_w, self.technique_b = heads["technique_w"], heads["technique_b"]
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.techniques: list[str] = meta["techniques"]
        self.threshold: float = meta["threshold"]

    def probabilities(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(P(any technique) per sentence, technique probabilities per sentence, rows summing to 1)."""
        p_any = sigmoid(features @ self.any_w + self.any_b)
        tech = sigmoid(features @ self.technique_w.T + self.technique_b)
        return p_any, tech / np.clip(tech.sum(axis=1, keepdims=True), 1e-9, None)

    def spans(self, text: str) -> list[SentenceSpan]:
        sentences = split_sentences(text)[:MAX_SENTENCES]
        if not sentences:
            return []
        vectors = embed([text[s:e] for s, e in sentences])
        p_any, tech = self.probabilities(sentence_features(vectors))
        return [
            SentenceSpan(s, e, float(p), t)
            for (s, e), p, t in zip(sentences, p_any, tech, strict=True)
            if p >= self.threshold
        ]
