"""Time of `unspin compare` for two 1,000-word articles on this machine (warm pipeline, median of N runs).

The source is a Guardian war article from ../shared/data/war-news cut to 1,000 words; the article is the same
text with every third sentence edited (a number changed, a hedge dropped, a sentence added), so that every
path of the comparison runs. Prints the CPU flags beside the numbers.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from machine import describe, machine

from unspin.comparison import compare_articles
from unspin.datasets.war_news import GUARDIAN, load_war_news
from unspin.model import Article
from unspin.pipeline import Pipeline

WORDS = 1000


def _pair(data: Path) -> tuple[Article, Article]:
    rows = [a for a in load_war_news(data, (GUARDIAN,)) if len(a.text.split()) >= WORDS]
    source_text = " ".join(rows[0].text.split()[:WORDS])
    sentences = re.split(r"(?<=[.!?])\s+", source_text)
    edited = []
    for i, s in enumerate(sentences):
        if i % 3 == 1:
            s = re.sub(r"\d+", lambda m: str(int(m.group()) * 2 + 1), s, count=1)
            s = re.sub(r"\b(may|could|reportedly|possibly)\s", "", s, count=1)
        edited.append(s)
        if i % 10 == 5:
            edited.append(
                "Thousands of foreign troops are already secretly deployed in the region, sources said."
            )
    return Article(title=rows[0].title, body=" ".join(edited)), Article(title=rows[0].title, body=source_text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    article, source = _pair(args.data)
    pipeline = Pipeline()
    compare_articles(pipeline, article, source)  # load the models
    times, stages = [], []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        report = compare_articles(pipeline, article, source)
        times.append(time.perf_counter() - t0)
        stages.append(report.timings_ms)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(describe(machine()))
    print(
        f"compare, {len(article.body.split())}-word article vs {len(source.body.split())}-word source: "
        f"median {statistics.median(times):.2f} s over {args.runs} runs (min {min(times):.2f}, max {max(times):.2f}); "
        f"peak memory {peak_mb:.0f} MB"
    )
    last = stages[-1]
    print("  stages (last run, ms): " + ", ".join(f"{k} {v:.0f}" for k, v in last.items() if v >= 5))


if __name__ == "__main__":
    main()
