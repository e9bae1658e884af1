"""Load benchmark of `unspin serve`: concurrent clients POST a 1,000-word article to /v1/analyze.

Compares the server (``--workers`` processes) with the in-process pipeline on the same machine: one process
analysing articles back to back, and as many processes as the server has workers. A sweep of small client
counts finds the saturation point; then ``--clients`` clients (default 50) run for ``--seconds`` (default 60).

    python bench/bench_server.py                      # 2 workers, sweep 1/2/4 clients, then 50 clients for 60 s
    python bench/bench_server.py --json               # the numbers as JSON

The rate limit is off for the run (all clients share one address); the queue holds every client.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analyze import article_of

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _in_process_worker(args: tuple[str, float]) -> list[float]:
    """Analyse the article back to back for ``seconds`` after loading the models; the latencies."""
    text, seconds = args
    from unspin.ingest.text import article_from_text
    from unspin.pipeline import Pipeline

    pipeline = Pipeline().load()
    article = article_from_text(text, "text")
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        pipeline.analyze(article)
        times.append(time.perf_counter() - t)
    return times


def in_process(text: str, processes: int, seconds: float) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        runs = pool.map(_in_process_worker, [(text, seconds)] * processes)
    latencies = [t for run in runs for t in run]
    return {
        "processes": processes,
        "articles": len(latencies),
        "median_ms": statistics.median(latencies) * 1000,
        "articles_per_s": sum(len(run) / sum(run) for run in runs),
    }


async def load(url: str, text: str, clients: int, seconds: float) -> dict[str, float]:
    """``clients`` concurrent clients, each POSTing as soon as its previous answer came back."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits, trust_env=False) as client:
        end = time.perf_counter() + seconds

        async def one_client() -> None:
            nonlocal sent
            while time.perf_counter() < end:
                sent += 1
                t = time.perf_counter()
                try:
                    resp = await client.post("/v1/analyze", json={"text": text, "split_title": True})
                    ok = resp.status_code == 200 and resp.json()["article"]["word_count"] > 0
                    key = "ok" if ok else f"HTTP {resp.status_code}"
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                if key == "ok":
                    latencies.append(time.perf_counter() - t)
                else:
                    errors[key] = errors.get(key, 0) + 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    return {
        "clients": clients,
        "seconds": elapsed,
        "sent": sent,
        "answered": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,  # type: ignore[dict-item]
        "p50_ms": _percentile(latencies, 0.5) * 1000 if latencies else float("nan"),
        "p95_ms": _percentile(latencies, 0.95) * 1000 if latencies else float("nan"),
        "articles_per_s": len(latencies) / elapsed,
    }


def start_server(workers: int, clients: int, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "unspin.cli", "serve", "--port", str(port), "--workers", str(workers)]
    cmd += ["--db", str(workdir / "store.sqlite"), "--rate-limit", "0", "--queue-size", str(clients + 1)]
    cmd += ["--request-timeout", "600", "--log-level", "warning"]
    env = {**os.environ, "UNSPIN_API_KEYS": "", "UNSPIN_ADMIN_KEYS": ""}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    ready_in_a_row, deadline = 0, time.monotonic() + 600
    while (
        ready_in_a_row < 20 * workers
    ):  # a run of ready answers: every worker has loaded (each answers some)
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("the server did not become ready")
        try:
            ok = httpx.get(url + "/readyz", timeout=5).status_code == 200
        except httpx.TransportError:
            ok = False
        ready_in_a_row = ready_in_a_row + 1 if ok else 0
        time.sleep(0.05 if ok else 0.5)
    return proc, url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sweep", default="1,2,4", help="client counts to try first (comma-separated)")
    parser.add_argument("--sweep-seconds", type=float, default=20)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    text = article_of(args.words, distinct=True)
    result: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "words": len(text.split()),
        "workers": args.workers,
    }
    result["in_process_1"] = in_process(text, 1, args.sweep_seconds)
    result["in_process_n"] = in_process(text, args.workers, args.sweep_seconds)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(args.workers, args.clients, Path(tmp))
        try:
            sweep = [int(c) for c in args.sweep.split(",") if c.strip()]
            result["sweep"] = [asyncio.run(load(url, text, c, args.sweep_seconds)) for c in sweep]
            result["load"] = asyncio.run(load(url, text, args.clients, args.seconds))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    one, many = result["in_process_1"], result["in_process_n"]
    assert isinstance(one, dict) and isinstance(many, dict)
    print(f"unspin serve, {result['words']}-word article, {args.workers} workers — {result['machine']}")
    print(
        f"  in-process, 1 process: median {one['median_ms']:.0f} ms, {one['articles_per_s']:.2f} articles/s"
    )
    print(
        f"  in-process, {args.workers} processes: median {many['median_ms']:.0f} ms, "
        f"{many['articles_per_s']:.2f} articles/s"
    )
    for row in [*result["sweep"], result["load"]]:  # type: ignore[list-item]
        print(
            f"  {row['clients']:>3} clients, {row['seconds']:.0f} s: p50 {row['p50_ms']:.0f} ms, p95 "
            f"{row['p95_ms']:.0f} ms, {row['articles_per_s']:.2f} articles/s, "
            f"{row['answered']} answered of {row['sent']} sent, {row['errors']} errors {row['error_kinds'] or ''}"
        )


if __name__ == "__main__":
    main()
