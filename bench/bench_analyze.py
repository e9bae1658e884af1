"""Benchmark `unspin analyze` on a 1,000-word article: cold start, warm latency, throughput, peak memory.

Run with `make bench` (or `python bench/bench_analyze.py --runs 30`). Numbers go to docs/BENCHMARKS.md.
`--concurrent N` runs N warm benchmarks at once in separate processes, as N workers sharing the cores would.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, machine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "nato-donbass.txt"


def _numbered(paragraph: str, k: int) -> str:
    """Every sentence of the paragraph with " (k)" before its end mark."""
    return re.sub(
        r"([^.!?…]+)([.!?…]*)",
        lambda m: f"{m.group(1).rstrip()} ({k}){m.group(2)} " if m.group(1).strip() else m.group(0),
        paragraph,
    ).strip()


def article_of(words: int, source: Path = EXAMPLE, distinct: bool = False) -> str:
    """An article's body (the bundled example's by default) repeated paragraph by paragraph up to ``words``
    words, with its title. ``distinct`` numbers each repeat ("… (2)"), so that no paragraph or sentence occurs
    twice: a cache of embedded texts then saves no more than it would on a real article."""
    title, body = source.read_text(encoding="utf-8").split("\n\n", 1)
    paragraphs = [p for p in body.split("\n") if p.strip()]
    out: list[str] = []
    n, round_ = 0, 1
    while n < words:
        for p in paragraphs:
            if n >= words:
                break
            out.append(p if round_ == 1 or not distinct else _numbered(p, round_))
            n += len(p.split())
        round_ += 1
    return f"{title}\n\n" + "\n\n".join(out) + "\n"


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_start(path: Path, runs: int) -> tuple[list[float], list[float], float]:
    """Wall and CPU (user + system) seconds of the whole CLI in a fresh process (imports and model loading
    included), and its peak RSS. CPU time is reported too because, on cores shared with other jobs, it moves
    far less than the wall time does."""
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), _children_cpu_s()
        subprocess.run(
            [sys.executable, "-m", "unspin.cli", "analyze", str(path), "-f", "json", "-o", os.devnull],
            check=True,
        )
        times.append(time.perf_counter() - t)
        cpu.append(_children_cpu_s() - c)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times, cpu, peak_mb


def warm(path: Path, runs: int) -> dict[str, object]:
    """In-process latency after the first call has loaded every model."""
    import unspin

    article = unspin.load_article(path)
    t = time.perf_counter()
    first = unspin.analyze_article(article)
    first_call = time.perf_counter() - t
    times, per_analyzer = [], {}
    for _ in range(runs):
        t = time.perf_counter()
        report = unspin.analyze_article(article)
        times.append(time.perf_counter() - t)
        for k, v in report.timings_ms.items():
            per_analyzer.setdefault(k, []).append(v)
    return {
        "words": first.article.word_count,
        "first_call_s": first_call,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[max(0, int(len(times) * 0.95) - 1)] * 1000,
        "articles_per_s": 1 / statistics.median(times),
        "per_analyzer_ms": {k: round(statistics.median(v), 1) for k, v in per_analyzer.items()},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def concurrent(processes: int, path: Path, runs: int) -> dict[str, object]:
    """Start ``processes`` warm benchmarks together (each loads the models, then times ``runs`` analyses) and
    collect their results: the throughput of N workers that share the machine's cores."""
    command = [sys.executable, __file__, "--warm-only", "--runs", str(runs), "--json", "--article", str(path)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    results = [json.loads(proc.communicate()[0]) for proc in procs]
    if any(proc.returncode for proc in procs):
        raise SystemExit("a concurrent benchmark process failed")
    return {
        "processes": processes,
        "median_ms_per_process": [round(float(r["median_ms"]), 1) for r in results],
        "articles_per_s_per_process": [round(float(r["articles_per_s"]), 2) for r in results],
        "techniques_ms_per_process": [r["per_analyzer_ms"].get("techniques") for r in results],
        "articles_per_s_total": round(sum(float(r["articles_per_s"]) for r in results), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20, help="warm runs")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument(
        "--concurrent", type=int, default=1, help="warm benchmarks run at once, one per process"
    )
    parser.add_argument("--warm-only", action="store_true", help="skip the cold start (used by --concurrent)")
    parser.add_argument("--article", type=Path, help="article file to time (default: the example, repeated)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    info = machine()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.article or Path(tmp) / "article-1000w.txt"
        if args.article is None:
            path.write_text(article_of(args.words), encoding="utf-8")
        if args.concurrent > 1:
            together = concurrent(args.concurrent, path, args.runs)
            together["machine"] = info
            if args.json:
                print(json.dumps(together, indent=2))
                return
            print(describe(info))
            print(
                f"unspin analyze, {args.concurrent} processes at once: median ms per process "
                f"{together['median_ms_per_process']} (techniques {together['techniques_ms_per_process']}), "
                f"articles/s per process {together['articles_per_s_per_process']} "
                f"→ {together['articles_per_s_total']} articles/s in all"
            )
            return
        cold_times, cold_cpu, cold_peak = cold_start(path, 0 if args.warm_only else args.cold_runs)
        result = warm(path, args.runs)
    result.update(
        cold_start_median_s=statistics.median(cold_times) if cold_times else None,
        cold_start_cpu_median_s=statistics.median(cold_cpu) if cold_cpu else None,
        cold_peak_rss_mb=cold_peak,
        machine=info,
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(describe(info))
    print(f"unspin analyze, {result['words']}-word article")
    if cold_times:
        print(
            f"  cold start (CLI, fresh process, models loaded): {result['cold_start_median_s']:.2f} s median "
            f"of {len(cold_times)} (CPU {result['cold_start_cpu_median_s']:.2f} s), peak RSS {cold_peak:.0f} MB"
        )
    print(f"  first in-process call (model loading):         {result['first_call_s']:.2f} s")
    print(
        f"  warm: median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms "
        f"→ {result['articles_per_s']:.1f} articles/s on one process"
    )
    print(f"  per stage (median ms): {result['per_analyzer_ms']}")
    print(f"  peak RSS (warm process): {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
