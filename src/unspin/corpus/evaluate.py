"""How well the near-duplicate clustering finds copies, on data with known answers.

1. Synthetic rewrites of real articles (PTC SemEval-2020 task 11 training articles): every article gets one
   copy per edit rate r, where each sentence is dropped with probability r/2 and each remaining word is
   edited with probability r (substituted by a word from another article, deleted, or followed by an
   inserted word, equally likely). The true clusters are {article, its copies}.
2. EUvsDisinfo cases (the 2015-2017 scrape with summaries): cases whose claim title repeats form a true
   cluster (the database records the same claim again for each outlet or date that carried it; titles are
   compared without case and punctuation); every
   other case is a distinct claim on often the same themes, which the clustering must keep apart.

Scores are pairwise: precision = predicted same-cluster pairs that are true pairs, recall = true pairs
that are predicted; for the rewrites also the recall of the (original, copy) pairs per edit rate.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from unspin.corpus.clusters import link, pairs
from unspin.errors import DataError

RATES = (0.02, 0.05, 0.1, 0.2, 0.3)
THRESHOLDS = (0.3, 0.5, 0.7)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
PTC_DIR = "ptc-semeval2020-task11/train-articles"
EUVS_FILE = "euvsdisinfo/kalkun_cases_2015-2017_summary_disproof.csv.gz"


def rewrite(text: str, rate: float, vocabulary: list[str], rng: random.Random) -> str:
    """A copy of ``text`` at edit rate ``rate`` (see the module docstring)."""
    out = []
    for sentence in _SENTENCE.split(text):
        if rng.random() < rate / 2:
            continue
        words = []
        for word in sentence.split():
            if rng.random() >= rate:
                words.append(word)
                continue
            edit = rng.randrange(3)
            if edit == 0:
                words.append(rng.choice(vocabulary))
            elif edit == 2:
                words += [word, rng.choice(vocabulary)]
        out.append(" ".join(words))
    return " ".join(out)


def score(truth: Iterable[Iterable[str]], predicted: Iterable[Iterable[str]]) -> dict[str, float | int]:
    true_pairs, predicted_pairs = pairs(truth), pairs(predicted)
    hits = len(true_pairs & predicted_pairs)
    precision = hits / len(predicted_pairs) if predicted_pairs else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": len(true_pairs),
        "predicted_pairs": len(predicted_pairs),
    }


def ptc_articles(data: Path, n: int, rng: random.Random) -> list[tuple[str, str]]:
    folder = data / PTC_DIR
    files = sorted(folder.glob("article*.txt")) if folder.is_dir() else []
    if not files:
        raise DataError(str(folder), "no PTC training articles (article*.txt) there")
    chosen = sorted(rng.sample(files, min(n, len(files))))
    return [(f.stem.removeprefix("article"), f.read_text(encoding="utf-8")) for f in chosen]


def synthetic(data: Path, n: int, thresholds: Iterable[float], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    articles = ptc_articles(data, n, rng)
    vocabulary = sorted({w for _, text in articles for w in text.split()})
    docs: list[tuple[str, str]] = []
    truth = []
    for aid, text in articles:
        group = [f"{aid}:orig"]
        docs.append((group[0], text))
        for rate in RATES:
            docs.append((f"{aid}:{rate}", rewrite(text, rate, vocabulary, rng)))
            group.append(f"{aid}:{rate}")
        truth.append(group)
    results = {}
    for threshold in thresholds:
        predicted = link(docs, threshold=threshold)
        component = {key: i for i, group in enumerate(predicted) for key in group}
        per_rate = {}
        for rate in RATES:
            found = sum(
                1
                for aid, _ in articles
                if f"{aid}:orig" in component and component.get(f"{aid}:{rate}") == component[f"{aid}:orig"]
            )
            per_rate[str(rate)] = round(found / len(articles), 4)
        results[str(threshold)] = {**score(truth, predicted), "recall_by_edit_rate": per_rate}
    return {
        "articles": len(articles),
        "documents": len(docs),
        "edit_rates": list(RATES),
        "by_threshold": results,
    }


def _title_key(title: str) -> str:
    """The claim title, case and punctuation aside: 'is a threat to Russia.' repeats 'is a threat to Russia'."""
    return " ".join(re.findall(r"\w+", title.lower()))


def euvsdisinfo(data: Path, thresholds: Iterable[float]) -> dict[str, Any]:
    path = data / EUVS_FILE
    if not path.is_file():
        raise DataError(str(path), "the EUvsDisinfo case scrape is not there")
    with gzip.open(path, "rb") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    docs = [(f"case{i}", row["summary"]) for i, row in enumerate(rows) if row["summary"].strip()]
    titles: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if row["summary"].strip():
            titles.setdefault(_title_key(row["title"]), []).append(f"case{i}")
    truth = [keys for keys in titles.values() if len(keys) > 1]
    return {
        "cases": len(docs),
        "repeated_claims": len(truth),
        "by_threshold": {str(t): score(truth, link(docs, threshold=t)) for t in thresholds},
    }


def evaluate_clusters(
    data: Path, *, n_articles: int = 150, threshold: float | None = None, seed: int = 13
) -> dict[str, Any]:
    """Both evaluations, at ``threshold`` or at each of THRESHOLDS."""
    thresholds = (threshold,) if threshold is not None else THRESHOLDS
    return {
        "synthetic_rewrites_ptc": synthetic(data, n_articles, thresholds, seed),
        "euvsdisinfo_repeated_claims": euvsdisinfo(data, thresholds),
    }
