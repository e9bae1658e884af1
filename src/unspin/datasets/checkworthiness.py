"""Check-worthiness sets: ClaimBuster (two classes), CLEF CheckThat! 2019 task 1, 2020 task 5, 2020 task 1.

Every reader returns `Sentence`s with a group (the debate, speech or tweet set) because the CLEF measure,
MAP, ranks the lines of each debate separately.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path

SETS = ("claimbuster", "clef2019", "clef2020-debates", "clef2020-tweets")


@dataclass(frozen=True)
class Sentence:
    text: str
    label: int  # 1 = check-worthy
    group: str  # debate/file the line belongs to (MAP is computed per group)
    source: str  # which set


def _open_text(path: Path) -> io.TextIOWrapper:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")


def _claimbuster(folder: Path, split: str) -> list[Sentence]:
    rows = json.loads((folder / f"{split}.json").read_text(encoding="utf-8"))
    return [Sentence(r["text"], int(r["label"]), "claimbuster", "claimbuster") for r in rows]


def _clef2019(folder: Path, split: str) -> list[Sentence]:
    name = "CT19-T1-Training.csv.gz" if split == "train" else "CT19-T1-Test.csv"
    with _open_text(folder / name) as fh:
        return [Sentence(r["text"], int(r["label"]), r["file_name"], "clef2019") for r in csv.DictReader(fh)]


def _clef2020_debates(folder: Path, split: str) -> list[Sentence]:
    name = "train.tsv.gz" if split == "train" else "test-gold.tsv.gz"
    with _open_text(folder / name) as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        # The redistribution keeps no debate ids: the test set is one ranking (see BENCHMARKS.md).
        return [Sentence(r["text"], int(r["label"]), split, "clef2020-debates") for r in reader]


def _clef2020_tweets(folder: Path, split: str) -> list[Sentence]:
    name = {"train": "training_v2.tsv", "dev": "dev_v2.tsv", "test": "test-gold.tsv"}[split]
    with _open_text(folder / name) as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            # The test file names the label column claim_worthiness; train and dev check_worthiness.
            Sentence(
                r["tweet_text"],
                int(r.get("check_worthiness") or r["claim_worthiness"]),
                r["topic_id"],
                "clef2020-tweets",
            )
            for r in reader
        ]


_READERS = {
    "claimbuster": ("claimbuster", _claimbuster),
    "clef2019": ("clef2019-checkthat-task1", _clef2019),
    "clef2020-debates": ("clef2020-checkthat-task5-debates", _clef2020_debates),
    "clef2020-tweets": ("clef2020-checkthat-task1-tweets", _clef2020_tweets),
}


def load_checkworthiness(data: Path, name: str, split: str) -> list[Sentence]:
    """One set's 'train' or 'test' split (tweets also have 'dev')."""
    if name not in _READERS:
        raise ValueError(f"unknown check-worthiness set '{name}' (one of {', '.join(SETS)})")
    folder, reader = _READERS[name]
    return reader(data / "checkworthiness" / folder, split)
