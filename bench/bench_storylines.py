"""The time the storyline and entity-role analysers add to a 1,000-word article (budget: +150 ms).

Runs, interleaved and warm, the parse + entities alone and the parse + entities + narratives_taxonomy +
entity_roles, with the encoder's memory of texts cleared before each run (no article repeats its sentences);
prints the medians, the difference and the stages' medians. Numbers go to docs/BENCHMARKS.md.
`python bench/bench_storylines.py --runs 15 [--full] [--lang ru --source FILE]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analyze import article_of
from machine import describe, machine

BASE = ["entities"]
WITH = ["entities", "narratives_taxonomy", "entity_roles"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--source", type=Path, default=None, help="Article to repeat (default the example).")
    parser.add_argument(
        "--full",
        action="store_true",
        help="Compare the full report with and without the two analysers (the storylines' encoder work then "
        "overlaps the other analysers on the second thread) instead of the parse + entities alone.",
    )
    args = parser.parse_args()
    from unspin.analyzers import NAMES
    from unspin.model import Article
    from unspin.pipeline import Pipeline

    base = [n for n in NAMES if n not in ("narratives_taxonomy", "entity_roles")] if args.full else BASE
    with_ = list(NAMES) if args.full else WITH

    text = (
        article_of(args.words, args.source, distinct=True)
        if args.source
        else article_of(args.words, distinct=True)
    )
    title, body = text.split("\n\n", 1)
    article = Article(title=title, body=body)
    pipeline = Pipeline()
    pipeline.analyze(article, language=args.lang, only=with_)  # loads every model
    encoder = pipeline.models.get("encoder")
    wall: dict[str, list[float]] = {"base": [], "with": []}
    stages: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for name, only in (("base", base), ("with", with_)):
            encoder.clear()
            t = time.perf_counter()
            report = pipeline.analyze(article, language=args.lang, only=only)
            wall[name].append((time.perf_counter() - t) * 1000)
            if name == "with":
                for k, v in report.timings_ms.items():
                    stages.setdefault(k, []).append(v)
    med = {k: statistics.median(v) for k, v in wall.items()}
    print(
        json.dumps(
            {
                "machine": describe(machine()),
                "language": args.lang,
                "words": report.article.word_count,
                "runs": args.runs,
                "compared": "full report" if args.full else "parse + entities",
                "median_ms_without": round(med["base"], 1),
                "median_ms_with_storylines_and_roles": round(med["with"], 1),
                "added_ms": round(med["with"] - med["base"], 1),
                "stage_medians_ms": {k: round(statistics.median(v), 1) for k, v in stages.items()},
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
