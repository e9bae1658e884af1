"""FNC-1 (Fake News Challenge stage 1): headline/body pairs labelled agree, disagree, discuss or unrelated."""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

STANCES = ("agree", "disagree", "discuss", "unrelated")
_FILES = {
    "train": ("train_stances.csv.gz", "train_bodies.csv.gz"),
    "test": ("competition_test_stances.csv.gz", "competition_test_bodies.csv.gz"),
}


@dataclass(frozen=True)
class Pair:
    headline: str
    body_id: int
    stance: str


@dataclass
class Fnc1Split:
    pairs: list[Pair]
    bodies: dict[int, str]

    def body(self, pair: Pair) -> str:
        return self.bodies[pair.body_id]


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")
        return list(csv.DictReader(text))


def load_fnc1(data: Path, split: str) -> Fnc1Split:
    """The official train or competition-test split (``split`` is 'train' or 'test')."""
    if split not in _FILES:
        raise ValueError(f"unknown FNC-1 split '{split}' (use train or test)")
    stances_file, bodies_file = _FILES[split]
    folder = data / "fnc1"
    bodies = {int(r["Body ID"]): r["articleBody"] for r in _rows(folder / bodies_file)}
    pairs = [Pair(r["Headline"], int(r["Body ID"]), r["Stance"]) for r in _rows(folder / stances_file)]
    unknown = {p.stance for p in pairs} - set(STANCES)
    if unknown:
        raise ValueError(f"{folder / stances_file}: unknown stance labels {sorted(unknown)}")
    return Fnc1Split(pairs, bodies)
