"""Runtime of the FNC-1 stance model: numpy only (vocabulary, IDF and an ensemble of small MLPs)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.models.stance_features import Vocabulary, body_parts, pair_features


@dataclass(frozen=True)
class StancePrediction:
    stance: str
    probabilities: dict[str, float]


class StanceModel:
    def __init__(self, path: Path) -> None:
        meta = json.loads((path / "vocabulary.json").read_text(encoding="utf-8"))
        arrays = np.load(path / "weights.npz")
        self.labels: list[str] = meta["labels"]
        self.vocab = Vocabulary(
            {t: i for i, t in enumerate(meta["terms"])},
            arrays["idf"].astype(np.float32),
            frozenset(meta["stop_words"]),
            meta["open_idf"],
            float(meta["unseen_idf"]),
        )
        self.members = [
            {k: arrays[f"{k}_{m}"].astype(np.float32) for k in ("w1", "b1", "w2", "b2")}
            for m in range(meta["members"])
        ]

    def proba_from_features(self, x: np.ndarray) -> np.ndarray:
        """Mean softmax of the ensemble members for a (pairs, features) matrix."""
        total = np.zeros((len(x), len(self.labels)), dtype=np.float64)
        for w in self.members:
            z = np.maximum(x @ w["w1"] + w["b1"], 0.0) @ w["w2"] + w["b2"]
            z = np.exp(z - z.max(axis=1, keepdims=True))
            total += z / z.sum(axis=1, keepdims=True)
        return total / len(self.members)

    def predict_proba(self, headlines: list[str], bodies: list[str]) -> np.ndarray:
        """(pairs, labels) probabilities of agree, disagree, discuss and unrelated."""
        return self.proba_from_features(self.features(headlines, bodies))

    def features(self, headlines: list[str], bodies: list[str]) -> np.ndarray:
        cache: dict[str, object] = {}
        rows = []
        for h, b in zip(headlines, bodies, strict=True):
            if b not in cache:  # pairs often share a body
                cache[b] = body_parts(self.vocab, b)
            rows.append(pair_features(self.vocab, h, cache[b]))  # type: ignore[arg-type]
        return np.stack(rows) if rows else np.zeros((0, 1), dtype=np.float32)

    def predict(self, headlines: list[str], bodies: list[str]) -> list[StancePrediction]:
        if not headlines:
            return []
        probs = self.predict_proba(headlines, bodies)
        return [
            StancePrediction(
                self.labels[int(p.argmax())],
                {lab: round(float(v), 4) for lab, v in zip(self.labels, p, strict=False)},
            )
            for p in probs
        ]
