"""Benchmark check-worthiness over a 1,000-word article and headline-body stance in pairs per second.

Targets from the issue: check-worthiness of a 1,000-word article under 100 ms warm; stance at least 50
pairs per second on 2 cores. Stance is measured twice: the FNC-1 model alone (every pair with its own
body, the worst case: no body features shared) and the full headline check (`unspin.stance`, which also
parses the pair and looks up the headline's elements). Run with `make bench`.
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
from bench_analyze import article_of
from machine import describe, machine


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    info = machine()

    import unspin
    from unspin.nlp import parse
    from unspin.pipeline import Pipeline

    text = article_of(args.words)
    title, body = text.split("\n", 1)[0], text.split("\n\n", 1)[1]
    doc = parse(unspin.load_article(text=body, title=title), language="en")
    pipeline = Pipeline()
    *before, claims = pipeline.plan(["claims"])
    for analyzer in before:  # the Doc layers claims read
        analyzer.run(doc, pipeline.models)
    t0 = time.perf_counter()
    claims.run(doc, pipeline.models)
    cold = time.perf_counter() - t0
    claims_ms = _median_ms(lambda: claims.run(doc, pipeline.models), args.runs)
    sentences = sum(len(p.sentences) for p in doc.parts)

    # Stance: distinct bodies (paragraph windows of the article) against distinct headlines.
    paras = body.split("\n\n")
    bodies = [
        "\n\n".join(paras[i % len(paras) :] + paras[: i % len(paras)]) + f" ({i})" for i in range(args.pairs)
    ]
    heads = [f"{title} {i}" for i in range(args.pairs)]
    model = pipeline.models.get("stance")
    t = time.perf_counter()
    model.predict(heads, bodies)
    model_pairs_s = args.pairs / (time.perf_counter() - t)
    n_full = min(args.pairs, 50)
    t = time.perf_counter()
    for h, b in zip(heads[:n_full], bodies[:n_full], strict=True):
        pipeline.stance(h, b, language="en")
    full_pairs_s = n_full / (time.perf_counter() - t)
    result = {
        "words": doc.word_count,
        "sentences": sentences,
        "checkworthiness_cold_ms": round(cold * 1000, 1),
        "checkworthiness_warm_ms": round(claims_ms, 1),
        "stance_body_words": len(bodies[0].split()),
        "stance_model_pairs_per_s": round(model_pairs_s, 1),
        "stance_full_check_pairs_per_s": round(full_pairs_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine": info,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(describe(info))
    print(
        f"check-worthiness + claims, {result['words']} words / {sentences} sentences: "
        f"warm {result['checkworthiness_warm_ms']} ms (cold {result['checkworthiness_cold_ms']} ms)"
    )
    print(
        f"stance, {result['stance_body_words']}-word bodies: model {result['stance_model_pairs_per_s']} pairs/s, "
        f"full headline check {result['stance_full_check_pairs_per_s']} pairs/s"
    )
    print(f"peak memory {result['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
