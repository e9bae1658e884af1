"""The English span tagger's two ways of using the cores, interleaved in one process: the windows of a text
side by side (one per core, one intra-op thread each: the shipped way) against one window after another with
every core inside each call. Both give the same spans and scores; the script checks that, then times them.

    python bench/bench_span_windows.py --runs 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analyze import article_of
from machine import describe, machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    print(describe(machine()))

    from unspin.models.registry import default_folder
    from unspin.models.span_model import SpanModel

    folder, cores = default_folder("span_tagger"), os.cpu_count() or 1
    text = article_of(args.words)
    spread = SpanModel(folder, cores)
    serial = SpanModel(folder, cores, spread_windows=False)
    a, b = spread.spans(text), serial.spans(text)
    assert [(p.start, p.end) for p in a] == [(p.start, p.end) for p in b], "the two ways found other spans"
    score_diff = max((abs(p.score - q.score) for p, q in zip(a, b, strict=True)), default=0.0)
    prob_diff = max(
        (float(np.abs(p.technique_probs - q.technique_probs).max()) for p, q in zip(a, b, strict=True)),
        default=0.0,
    )
    times: dict[str, list[float]] = {"side by side": [], "one after another": []}
    for _ in range(args.runs):
        for name, model in (("side by side", spread), ("one after another", serial)):
            t = time.perf_counter()
            model.spans(text)
            times[name].append(time.perf_counter() - t)
    print(
        f"{args.words}-word article, {len(spread.windows(text))} windows, {cores} cores; same spans, largest "
        f"score difference {score_diff:.1e}, technique probability {prob_diff:.1e}"
    )
    for name, values in times.items():
        print(f"  windows {name}: median {statistics.median(values) * 1000:.0f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
