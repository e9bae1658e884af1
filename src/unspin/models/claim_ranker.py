"""The claim-retrieval reranker: which of a query's candidate verified claims does it repeat?

Retrieval proposes candidates three ways (BM25 over the store's FTS5 index, e5 cosine, all-mpnet-base-v2
cosine); none of the three scores alone orders them well: BM25 finds the rare names a tweet shares with its
claim, the sentence encoders find paraphrases. The reranker is a logistic model over per-candidate features,
each scored relative to the query's other candidates (a cosine of 0.6 is the best match for one tweet and a
poor one for another), trained on CheckThat! 2020 train tweets (models/claim-retrieval-v1/MODEL_CARD.md).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.errors import UnspinError
from unspin.nlp.stems import stems

FEATURES = (
    "mpnet",  # all-mpnet-base-v2 cosine of query and claim
    "mpnet_gap",  # that cosine minus the best one among the query's candidates
    "mpnet_rank",  # 1 / rank by that cosine among the candidates
    "e5",  # multilingual-e5-small cosine (the store's vectors)
    "e5_gap",
    "e5_rank",
    "bm25_share",  # BM25 over the best BM25 of the query's candidates (0 when BM25 did not find it)
    "bm25_rank",
    "stem_cosine",  # cosine of the content-word stem sets
    "numbers_shared",  # share of the claim's numbers the query also has
    "names_shared",  # share of the claim's capitalised words the query also has
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NAME = re.compile(r"\b[A-Z][a-zA-Z'’-]+")


@dataclass
class Candidates:
    """One query's candidates: their ids, texts and the retrieval scores (nan: not scored that way)."""

    ids: list[str]
    texts: list[str]
    mpnet: np.ndarray
    e5: np.ndarray
    bm25: np.ndarray  # 0 where BM25 did not return the candidate


def _rank(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    return 1.0 / ranks


def _share(part: set[str], whole: set[str]) -> float:
    return len(part & whole) / len(whole) if whole else 0.0


def candidate_features(query: str, c: Candidates) -> np.ndarray:
    """(candidates, len(FEATURES)) feature rows, in FEATURES order."""
    n = len(c.ids)
    if not n:
        return np.zeros((0, len(FEATURES)))
    q_stems = stems(query)
    q_numbers = set(_NUMBER.findall(query))
    q_names = {w.lower() for w in _NAME.findall(query)}
    best_bm25 = float(c.bm25.max()) if c.bm25.max() > 0 else 1.0
    rows = np.zeros((n, len(FEATURES)))
    rows[:, 0] = c.mpnet
    rows[:, 1] = c.mpnet - c.mpnet.max()
    rows[:, 2] = _rank(c.mpnet)
    rows[:, 3] = c.e5
    rows[:, 4] = c.e5 - c.e5.max()
    rows[:, 5] = _rank(c.e5)
    rows[:, 6] = c.bm25 / best_bm25
    rows[:, 7] = np.where(c.bm25 > 0, _rank(c.bm25), 0.0)
    for i, text in enumerate(c.texts):
        s = stems(text)
        rows[i, 8] = len(q_stems & s) / math.sqrt(len(q_stems) * len(s)) if q_stems and s else 0.0
        rows[i, 9] = _share(q_numbers, set(_NUMBER.findall(text)))
        rows[i, 10] = _share(q_names, {w.lower() for w in _NAME.findall(text)})
    return rows


class ClaimRanker:
    """``predict_proba(features)``: the logistic model's probability that a candidate is the query's claim."""

    def __init__(
        self, features: list[str], mean: list[float], scale: list[float], weights: list[float], bias: float
    ):
        unknown = [f for f in features if f not in FEATURES]
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown} (this runtime knows {list(FEATURES)})")
        self.columns = [FEATURES.index(f) for f in features]
        self.mean, self.scale = np.asarray(mean), np.asarray(scale)
        self.weights, self.bias = np.asarray(weights), float(bias)

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        """(n, 2): P(not the query's claim), P(the query's claim) per feature row."""
        z = (rows[:, self.columns] - self.mean) / self.scale
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ self.weights + self.bias, -30, 30)))
        return np.stack([1.0 - p, p], axis=1)


def load_claim_ranker(folder: Path) -> ClaimRanker:
    """The ranker of an artifact folder (model.json): the registry's ``claim_ranker`` role."""
    file = folder / "model.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return ClaimRanker(data["features"], data["mean"], data["scale"], data["weights"], data["bias"])
    except (OSError, json.JSONDecodeError, KeyError, ValueError) as exc:
        raise UnspinError(str(file), f"cannot read the claim-retrieval ranker ({exc})") from exc
