"""Time the shipped encoders alone: one 256-token window, one thread, wall and CPU time per call.

CPU time (``time.process_time``) moves much less than wall time when other processes share the cores, so
`--compare NAME=PATH` runs another graph of the same encoder (e.g. the former integer graph) interleaved with
the shipped one, call for call, and reports the ratio: an A/B that holds on a busy machine.

    python bench/bench_encoders.py
    python bench/bench_encoders.py --compare ptc-spans-minilm-v4=/tmp/int8/minilm.onnx
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, machine

ENCODERS = ("ptc-spans-minilm-v4", "e5-small-int8-v1")


def feeds(session: object, tokens: int) -> dict[str, np.ndarray]:
    """A window of ``tokens`` positions for either input kind (token ids or word vectors)."""
    names = [i.name for i in session.get_inputs()]  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    mask = np.ones((1, tokens), dtype=np.int64)
    if "inputs_embeds" in names:
        return {
            "inputs_embeds": rng.normal(0, 0.05, (1, tokens, 384)).astype(np.float32),
            "attention_mask": mask,
        }
    return {"input_ids": rng.integers(1000, 5000, (1, tokens)).astype(np.int64), "attention_mask": mask}


def timed(session: object, inputs: dict[str, np.ndarray]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    session.run(None, inputs)  # type: ignore[attr-defined]
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--compare", action="append", default=[], help="NAME=PATH of another graph of NAME")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    info = machine()

    from unspin.models import artifact
    from unspin.models.float_graph import load_session

    others = dict(c.split("=", 1) for c in args.compare)
    results: dict[str, dict[str, float]] = {}
    for name in ENCODERS:
        graphs = {"shipped": artifact(name) / "encoder.onnx"}
        if name in others:
            graphs["compared"] = Path(others[name])
        t = time.perf_counter()
        sessions = {label: load_session(path, threads=1) for label, path in graphs.items()}
        load_s = time.perf_counter() - t
        inputs = feeds(sessions["shipped"], args.tokens)
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in sessions}
        for s in sessions.values():
            timed(s, inputs)  # warm-up
        for _ in range(args.runs):  # interleaved, so that both see the same load
            for label, s in sessions.items():
                times[label].append(timed(s, inputs))
        row = {"load_s": round(load_s, 2)}
        for label, samples in times.items():
            row[f"{label}_wall_ms"] = round(statistics.median(w for w, _ in samples), 1)
            row[f"{label}_cpu_ms"] = round(statistics.median(c for _, c in samples), 1)
        if "compared" in times:
            row["cpu_ratio_shipped_over_compared"] = round(row["shipped_cpu_ms"] / row["compared_cpu_ms"], 2)
        results[name] = row
    if args.json:
        print(json.dumps({"machine": info, "tokens": args.tokens, "encoders": results}, indent=2))
        return
    print(describe(info))
    print(f"one {args.tokens}-token window, one thread, median of {args.runs} (load: sessions created)")
    for name, row in results.items():
        print(f"  {name}: {row}")


if __name__ == "__main__":
    main()
