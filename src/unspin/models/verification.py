"""Claim verification: does an evidence sentence support or refute a claim, or neither?

No NLI model ships on PyPI here, so this is a linear model over what can be computed cheaply: how much of
the claim the evidence covers, negation and polarity cues on each side and their disagreement, number
mismatches, the FNC-1 stance model's view of the pair, and hashed word n-grams of the evidence (phrases such
as "no evidence" or "myth" carry the verdict in fact-check prose). A claim's verdict aggregates its
evidence sentences.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from unspin.models.stance_model import StanceModel
from unspin.nlp.stems import stems

LABELS = ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO")
_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d[\d,.]*")


def _split(words: str) -> list[str]:
    return words.split()


NEGATION = frozenset(
    _split(
        "not no never none nothing neither nor cannot without lack lacks fail fails failed deny denies denied false myth "
        "hoax incorrect untrue unfounded debunked disproved misleading unlikely little"
    )
)
UP = frozenset(
    _split(
        "increase increases increased increasing rise rises rising rose more higher grow grows growing warming gain"
    )
)
DOWN = frozenset(
    _split(
        "decrease decreases decreased decreasing fall falls falling fell less lower shrink shrinking cooling loss "
        "decline declining"
    )
)
HASH_BITS = 16
N_DENSE = 16


def _h(s: str) -> int:
    return zlib.crc32(s.encode("utf-8")) & ((1 << HASH_BITS) - 1)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def dense_features(claim: str, evidence: str) -> np.ndarray:
    cw, ew = _words(claim), _words(evidence)
    cs, es = stems(claim), stems(evidence)
    shared = len(cs & es)
    c_neg, e_neg = (
        sum(w in NEGATION or w.endswith("n't") for w in cw),
        sum(w in NEGATION or w.endswith("n't") for w in ew),
    )
    c_up, c_down = any(w in UP for w in cw), any(w in DOWN for w in cw)
    e_up, e_down = any(w in UP for w in ew), any(w in DOWN for w in ew)
    c_nums = {n.rstrip(".,") for n in _NUMBER.findall(claim)}
    e_nums = {n.rstrip(".,") for n in _NUMBER.findall(evidence)}
    f = [
        shared / len(cs) if cs else 0.0,
        shared / len(es) if es else 0.0,
        shared / (len(cs | es) or 1),
        min(shared, 10) / 10,
        float(c_neg > 0),
        float(e_neg > 0),
        float((c_neg > 0) != (e_neg > 0)),
        min(e_neg, 5) / 5,
        float((c_up and e_down) or (c_down and e_up)),
        float(c_up == e_up and c_down == e_down and (c_up or c_down)),
        float(bool(c_nums) and bool(e_nums) and not (c_nums & e_nums)),
        float(bool(c_nums & e_nums)),
        np.log1p(len(ew)) / 5,
        np.log1p(len(cw)) / 5,
        float("?" in claim),
        1.0,  # bias-like constant: keeps the dense block non-empty
    ]
    return np.asarray(f, dtype=np.float32)


def hashed(evidence: str) -> dict[int, float]:
    ws = _words(evidence)
    keys = [_h(w) for w in ws] + [_h(f"{a} {b}") for a, b in pairwise(ws)]
    out: dict[int, float] = {}
    for k in keys:
        out[k] = 1.0
    n = len(out) ** 0.5
    return {k: v / n for k, v in out.items()} if n else out


@dataclass(frozen=True)
class EvidenceVerdict:
    evidence: str
    label: str
    probabilities: dict[str, float]


@dataclass(frozen=True)
class Verification:
    label: str  # SUPPORTS, REFUTES or NOT_ENOUGH_INFO
    score: float  # the probability behind the verdict (best evidence sentence)
    evidence: list[EvidenceVerdict]  # each sentence, most decisive first


class VerificationModel:
    def __init__(self, path: Path) -> None:
        meta = json.loads((path / "model.json").read_text(encoding="utf-8"))
        arrays = np.load(path / "weights.npz")
        self.dense_w, self.hash_w, self.b = arrays["dense_w"], arrays["hash_w"], arrays["b"]
        self.stance_w = arrays["stance_w"]
        self.thresholds = meta["thresholds"]  # claim-level: {"SUPPORTS": t, "REFUTES": t}

    def predict_proba(self, claim: str, evidences: list[str], stance_probs: np.ndarray) -> np.ndarray:
        """(evidences, labels) probabilities of SUPPORTS, REFUTES, NOT_ENOUGH_INFO for each evidence sentence."""
        z = (
            np.stack([dense_features(claim, e) for e in evidences]) @ self.dense_w.T
            + stance_probs @ self.stance_w.T
        )
        for i, e in enumerate(evidences):
            for k, v in hashed(e).items():
                z[i] += v * self.hash_w[:, k]
        z = z + self.b
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def aggregate(self, probs: np.ndarray) -> tuple[str, float]:
        """Claim verdict from its evidence sentences: the strongest refutation or support above threshold."""
        if not len(probs):
            return "NOT_ENOUGH_INFO", 1.0
        sup, ref = float(probs[:, 0].max()), float(probs[:, 1].max())
        if ref >= self.thresholds["REFUTES"] and ref >= sup:
            return "REFUTES", ref
        if sup >= self.thresholds["SUPPORTS"]:
            return "SUPPORTS", sup
        return "NOT_ENOUGH_INFO", float(1 - max(sup, ref))


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def split_evidence(evidence: str | list[str]) -> list[str]:
    """Evidence as sentences: a list is kept, a text is split at sentence ends."""
    items = evidence if isinstance(evidence, list) else _SENTENCE.split(evidence)
    return [s.strip() for s in items if s and s.strip()]


def verify_with(
    model: VerificationModel, sm: StanceModel, claim: str, evidence: str | list[str]
) -> Verification:
    """``model``'s verdict on ``claim`` from ``evidence``, with the stance model ``sm`` as one of its features."""
    sentences = split_evidence(evidence)
    if not sentences:
        return Verification("NOT_ENOUGH_INFO", 1.0, [])
    probs = model.predict_proba(claim, sentences, sm.predict_proba([claim] * len(sentences), sentences))
    label, score = model.aggregate(probs)
    verdicts = [
        EvidenceVerdict(
            s, LABELS[int(p.argmax())], {lbl: round(float(v), 4) for lbl, v in zip(LABELS, p, strict=True)}
        )
        for s, p in zip(sentences, probs, strict=True)
    ]
    order = np.argsort(-probs[:, :2].max(axis=1))
    return Verification(label, round(score, 4), [verdicts[i] for i in order])
