"""Claim verification on the held-out 20 % of CLIMATE-FEVER claims: evidence-pair and claim-level scores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.climate_fever import load_climate_fever, split_by_claim
from unspin.eval.scorers import per_class_f1
from unspin.models.stance_model import StanceModel
from unspin.models.verification import LABELS, VerificationModel


@dataclass
class VerificationResult:
    claims: int
    claims_scored: int  # DISPUTED claims are left out of the claim-level scores
    pairs: int
    pair_accuracy: float
    pair_macro_f1: float
    pair_f1: dict[str, float]
    claim_accuracy: float
    claim_macro_f1: float
    claim_f1: dict[str, float]


def evaluate_verification(
    model: VerificationModel, sm: StanceModel, data: Path, seed: int = 13
) -> VerificationResult:
    """``model`` on the held-out CLIMATE-FEVER claims, with the stance model ``sm`` it reads as features."""
    _, held = split_by_claim(load_climate_fever(data), seed=seed)
    pair_gold, pair_pred, claim_gold, claim_pred = [], [], [], []
    for cl in held:
        sentences = [e.text for e in cl.evidences]
        probs = model.predict_proba(
            cl.claim, sentences, sm.predict_proba([cl.claim] * len(sentences), sentences)
        )
        pair_gold += [e.label for e in cl.evidences]
        pair_pred += [LABELS[int(i)] for i in np.argmax(probs, axis=1)]
        if cl.label != "DISPUTED":
            claim_gold.append(cl.label)
            claim_pred.append(model.aggregate(probs)[0])
    pf, cf = per_class_f1(pair_gold, pair_pred), per_class_f1(claim_gold, claim_pred)
    pf = {k: round(pf.get(k, 0.0), 4) for k in LABELS}
    cf = {k: round(cf.get(k, 0.0), 4) for k in LABELS}
    return VerificationResult(
        claims=len(held),
        claims_scored=len(claim_gold),
        pairs=len(pair_gold),
        pair_accuracy=round(
            sum(g == p for g, p in zip(pair_gold, pair_pred, strict=True)) / len(pair_gold), 4
        ),
        pair_macro_f1=round(sum(pf.values()) / 3, 4),
        pair_f1=pf,
        claim_accuracy=round(
            sum(g == p for g, p in zip(claim_gold, claim_pred, strict=True)) / len(claim_gold), 4
        ),
        claim_macro_f1=round(sum(cf.values()) / 3, 4),
        claim_f1=cf,
    )
