"""The claim-to-case verifier's runtime: logistic regression over claim_match_features, numpy only.

An artifact folder holds model.json (feature names, standardisation, weights, the accept threshold) and a
MODEL_CARD.md. `predict_proba` answers P(same claim) like every classifier runtime here; `accepts` applies
the threshold chosen on the dev split (strict: a wrong "same claim" puts a false verdict in the report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import UnspinError
from unspin.models.claim_match_features import FEATURES, SENTENCE_COSINE


@dataclass
class ClaimMatcher:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float
    sentence_encoder: Any = None  # MPNetEncoder, given by the registry to a model that reads sentence_cosine
    # The sentence encoder reads a pair only when P(same claim) with the sentence cosine at its training mean
    # is at least this (and the pair could still pass at cosine 1): see kb/verifier.py.
    sentence_floor: float = 0.0

    @property
    def reads_sentence_cosine(self) -> bool:
        return len(self.features) > SENTENCE_COSINE

    def ceiling(self, x: np.ndarray, column: int, low: float, high: float) -> np.ndarray:
        """P(same claim) of each row at the most favourable value of one feature in [low, high]: a pair
        whose ceiling is under the threshold cannot be accepted, whatever that feature turns out to be."""
        x = np.array(np.atleast_2d(x), dtype=np.float64)
        best = high if self.weights[column] >= 0 else low
        x[:, column] = best
        return self.predict_proba(x)[:, 1]

    @property
    def reads_alignment(self) -> bool:
        """Whether the model uses the token-alignment features (their e5 token states cost an encoder pass
        per case headline; a model without them is not given them)."""
        return any(f.startswith("align_") for f in self.features)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, 2): P(not the same claim), P(same claim) for each row of features (rows of all FEATURES; a
        model trained on their first k reads those)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))[:, : len(self.features)]
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return np.stack([1.0 - p, p], axis=1)

    def accepts(self, x: np.ndarray) -> np.ndarray:
        return self.predict_proba(x)[:, 1] >= self.threshold

    def to_json(self) -> dict[str, object]:
        return {
            "kind": "claim-matcher-logreg",
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "threshold": self.threshold,
            "sentence_floor": self.sentence_floor,
        }

    @classmethod
    def from_json(cls, data: dict, where: str = "model.json") -> ClaimMatcher:
        if data.get("kind") != "claim-matcher-logreg":
            raise UnspinError(where, f"not a claim-matcher model (kind {data.get('kind')!r})")
        # FEATURES only grows at its end, so a model trained on its first k features still reads right.
        features = tuple(data["features"])
        if not features or features != FEATURES[: len(features)]:
            raise UnspinError(
                where, f"was trained on features {data['features']}, this version computes {list(FEATURES)}"
            )
        return cls(
            features=features,
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            weights=np.asarray(data["weights"], dtype=np.float64),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            sentence_floor=float(data.get("sentence_floor", 0.0)),
        )


def load_claim_matcher(folder: Path) -> ClaimMatcher:
    """The claim-matcher of an artifact folder (model.json): the registry's ``claim_matcher`` role."""
    file = folder / "model.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UnspinError(str(file), f"cannot read the claim-matcher model ({exc})") from exc
    return ClaimMatcher.from_json(data, str(file))


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    l2: float = 1.0,
    steps: int = 3000,
    signs: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weighted, L2-regularised logistic regression by full-batch gradient descent (small data: < 10k rows).

    ``signs`` (+1, -1 or 0 per feature) keeps a weight non-negative, non-positive or free (projected gradient
    descent): an agreement feature may only raise P(same claim), a conflict feature only lower it.
    Returns (mean, scale, weights, bias); features are standardised first so one step size suits all.
    """
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    w = np.zeros(x.shape[1])
    b = 0.0
    total = weight.sum()
    lr = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w + b, -30, 30)))
        g = weight * (p - y)
        w -= lr * (z.T @ g / total + l2 * w / total)
        if signs is not None:
            w = np.where(signs > 0, np.maximum(w, 0.0), np.where(signs < 0, np.minimum(w, 0.0), w))
        b -= lr * g.sum() / total
    return mean, scale, w, float(b)
