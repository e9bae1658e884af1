"""Benchmark techniques + framing + genre (the trained models) on 800-word English articles.

Measures what the issue asks: articles per second on this machine, peak memory, and cold start (loading the
models) separately. Run with `make bench` or `python bench/bench_techniques.py --runs 10`.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analyze import EXAMPLE, article_of
from machine import describe, machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--example",
        type=Path,
        default=EXAMPLE,
        help="Article to repeat (title, blank line, body); e.g. Russian",
    )
    args = parser.parse_args()
    info = machine()

    import unspin
    from unspin.nlp import parse
    from unspin.pipeline import Pipeline

    pipeline = Pipeline()
    analyzers = {a.name: a for a in pipeline.plan(["techniques", "paragraphs"])}
    stages = list(analyzers)
    # Another article's repeats are numbered, so that the embedding cache of the non-English heads finds no
    # repeated text; the English default stays the text earlier sessions measured (its models cache nothing).
    text = article_of(args.words, args.example, distinct=args.example != EXAMPLE)
    doc = parse(unspin.load_article(text=text.split("\n\n", 1)[1], title=text.split("\n", 1)[0]))
    t0 = time.perf_counter()
    for name in stages:  # first call loads the models
        analyzers[name].run(doc, pipeline.models)
    cold = time.perf_counter() - t0
    per_stage: dict[str, list[float]] = {name: [] for name in stages}
    totals, cpu = [], []  # CPU time of all the process's threads: steadier than wall time on a shared machine
    for _ in range(args.runs):
        if pipeline.models.is_loaded("encoder"):
            # A new article each time, as in a corpus (its own texts still share vectors).
            pipeline.models.get("encoder").clear()
        start, cpu_start = time.perf_counter(), time.process_time()
        for name in stages:
            t = time.perf_counter()
            analyzers[name].run(doc, pipeline.models)
            per_stage[name].append(time.perf_counter() - t)
        totals.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    result = {
        "words": doc.word_count,
        "stages": stages,
        "cold_start_s": round(cold, 2),
        "median_ms": round(statistics.median(totals) * 1000, 1),
        "articles_per_s": round(1 / statistics.median(totals), 2),
        "cpu_ms_per_article": round(statistics.median(cpu) * 1000, 1),
        "per_stage_median_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in per_stage.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": info,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(describe(info))
    print(
        f"techniques + framing + genre on a {result['words']}-word article ({args.example.name}, "
        f"{doc.language}; {', '.join(stages)})"
    )
    print(f"  cold start (model loading): {result['cold_start_s']:.2f} s")
    print(
        f"  warm: median {result['median_ms']:.0f} ms → {result['articles_per_s']:.2f} articles/s; "
        f"per stage {result['per_stage_median_ms']}; CPU time {result['cpu_ms_per_article']:.0f} ms per article"
    )
    print(f"  peak RSS: {result['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
