"""PTC (SemEval-2020 Task 11): articles with propaganda spans and 14 technique labels."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TECHNIQUES_2020 = (
    "Appeal_to_Authority", "Appeal_to_fear-prejudice", "Bandwagon,Reductio_ad_hitlerum", "Black-and-White_Fallacy",
    "Causal_Oversimplification", "Doubt", "Exaggeration,Minimisation", "Flag-Waving", "Loaded_Language",
    "Name_Calling,Labeling", "Repetition", "Slogans", "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)  # fmt: skip


@dataclass
class LabelledArticle:
    """An article's full file text (offsets refer to it) and its gold spans (start, end, technique)."""

    id: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def read_labels(path: Path, with_technique: bool = True) -> dict[str, list[tuple[int, int, str]]]:
    """Read 'id<TAB>technique<TAB>start<TAB>end' (TC) or 'id<TAB>start<TAB>end' (SI) lines."""
    out: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        cols = line.split("\t")
        if with_technique:
            out[cols[0]].append((int(cols[2]), int(cols[3]), cols[1]))
        else:
            out[cols[0]].append((int(cols[1]), int(cols[2]), ""))
    return out


def read_articles(folder: Path) -> dict[str, str]:
    """articleNNN.txt files, read as-is (offsets are into the raw file text)."""
    out = {}
    for p in sorted(folder.glob("article*.txt")):
        m = re.match(r"article(\d+)", p.name)
        if m:
            out[m.group(1)] = p.read_text(encoding="utf-8")
    return out


def load_ptc(data_dir: Path, split: str) -> list[LabelledArticle]:
    """'train' (371 articles) or 'dev' (75, gold from PeerDA) of ptc-semeval2020-task11/."""
    root = data_dir / "ptc-semeval2020-task11"
    articles = read_articles(root / f"{split}-articles")
    labels = read_labels(root / ("train-task2-TC.labels" if split == "train" else "dev-task-TC.labels"))
    return [LabelledArticle(aid, text, sorted(labels.get(aid, []))) for aid, text in articles.items()]
