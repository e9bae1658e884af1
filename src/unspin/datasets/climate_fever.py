"""CLIMATE-FEVER: 1,535 claims, each with five Wikipedia evidence sentences labelled supports / refutes / NEI."""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path

LABELS = ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO")


@dataclass(frozen=True)
class Evidence:
    text: str
    label: str


@dataclass(frozen=True)
class ClaimWithEvidence:
    id: str
    claim: str
    label: str  # SUPPORTS, REFUTES, NOT_ENOUGH_INFO or DISPUTED
    evidences: tuple[Evidence, ...]


def load_climate_fever(data: Path) -> list[ClaimWithEvidence]:
    path = data / "climate-fever" / "climate-fever.jsonl.gz"
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            ev = tuple(Evidence(e["evidence"], e["evidence_label"]) for e in r["evidences"])
            out.append(ClaimWithEvidence(str(r["claim_id"]), r["claim"], r["claim_label"], ev))
    return out


def split_by_claim(
    claims: list[ClaimWithEvidence], seed: int = 13, heldout: float = 0.2
) -> tuple[list[ClaimWithEvidence], list[ClaimWithEvidence]]:
    """(fit, held-out), by claim so that no claim's evidence is on both sides."""
    ids = sorted(c.id for c in claims)
    random.Random(seed).shuffle(ids)
    held = set(ids[: int(len(ids) * heldout)])
    return [c for c in claims if c.id not in held], [c for c in claims if c.id in held]
