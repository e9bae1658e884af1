"""Benchmark `unspin batch`: local engine with 1 and 2 workers, and the Spark engine (local[2]) on the same
cores, over PTC SemEval-2020 articles from the shared data folder (full pipeline unless --sections).

Each configuration runs twice: on 1 article (start-up: interpreter, JVM, model loading) and on N; the
steady rate is (N - 1) / (wall_N - wall_1). Peak memory is the largest sum of RSS over the whole process
tree (parent, workers, JVM, Python workers), sampled every 0.2 s. CPU seconds per article (user + system
of every descendant, start-up run subtracted) do not depend on what else the machine runs; wall-clock
rates and the 1-vs-2-worker speed-up do, so the script records the load average before and after.

    python bench/bench_batch.py --data ../shared/data -n 200
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PTC = "ptc-semeval2020-task11"


def corpus(data: Path, n: int, path: Path) -> int:
    """The first ``n`` PTC articles (train, then dev, then test) as JSONL; returns how many were written."""
    files = []
    for split in ("train-articles", "dev-articles", "test-articles"):
        files += sorted((data / PTC / split).glob("article*.txt"))
    with path.open("w", encoding="utf-8") as fh:
        for f in files[:n]:
            title, _, body = f.read_text(encoding="utf-8").partition("\n")
            row = {"id": f.stem, "title": title.strip(), "text": body.strip(), "outlet": "ptc", "lang": "en"}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return min(n, len(files))


def tree_rss(root: int) -> int:
    """Sum of RSS (bytes) of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * page
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, every descendant) and peak tree RSS of `unspin batch ARGS`."""
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "unspin.cli", "batch", *args, "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"unspin batch {' '.join(args)} failed:\n{err.decode()[-3000:]}")
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("-n", type=int, default=1000, help="articles")
    parser.add_argument("--sections", default=None, help="e.g. entities,quotes (default: the full pipeline)")
    parser.add_argument("--configs", default="local1,local2,spark2")
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=None,
        help="rows per chunk (the unit a worker takes); with few articles, small chunks keep both workers busy",
    )
    args = parser.parse_args()
    configs = {
        "local1": ["--workers", "1"],
        "local2": ["--workers", "2"],
        "spark2": ["--engine", "spark", "--workers", "2"],
    }
    extra = ["--sections", args.sections] if args.sections else []
    if args.chunk_rows:
        extra += ["--chunk-rows", str(args.chunk_rows)]
    results: dict[str, object] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        big, one = Path(tmp) / "corpus.jsonl", Path(tmp) / "one.jsonl"
        n = corpus(args.data, args.n, big)
        corpus(args.data, 1, one)
        results["articles"] = n
        for name in args.configs.split(","):
            startup, startup_cpu, _ = run([str(one), "--out", f"{tmp}/{name}-1", *configs[name], *extra])
            wall, cpu, peak = run([str(big), "--out", f"{tmp}/{name}", *configs[name], *extra])
            results[name] = {
                "wall_s": round(wall, 1),
                "startup_s": round(startup, 1),
                # Spark's JVM (and its Python workers) is not reaped by the driver: no CPU count for it.
                "cpu_s": None if name.startswith("spark") else round(cpu, 1),
                "cpu_s_per_article": None
                if name.startswith("spark")
                else round((cpu - startup_cpu) / max(n - 1, 1), 3),
                "articles_per_s": round(n / wall, 3),
                "steady_articles_per_s": round((n - 1) / max(wall - startup, 1e-9), 3),
                "peak_rss_mb": round(peak / 2**20),
            }
            print(name, json.dumps(results[name]), file=sys.stderr, flush=True)
    rate = {k: v["steady_articles_per_s"] for k, v in results.items() if isinstance(v, dict)}
    if "local1" in rate and "local2" in rate:
        results["speedup_2_workers"] = round(rate["local2"] / rate["local1"], 2)
    if "local2" in rate and "spark2" in rate:
        results["spark_overhead"] = round(rate["local2"] / rate["spark2"], 2)
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
