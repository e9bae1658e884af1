"""The memory probe of issue 19: `yes | unspin analyze -` and `unspin analyze /dev/zero` under a 4 GB
address-space limit and `timeout 20`; prints the exit code, the wall time, the peak RSS of the child processes
and the last line of stderr.

    python bench/probe_endless_input.py            # this checkout's src/
    python bench/probe_endless_input.py --src /tmp/before/src   # another tree (git archive COMMIT src | tar -x)
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAP = 4_000_000_000


def probe(src: Path, what: str) -> str:
    cli = f"PYTHONPATH={src} timeout 20 {sys.executable} -m unspin.cli analyze"
    cmd = f"yes | {cli} -" if what == "stdin" else f"{cli} /dev/zero"
    t = time.perf_counter()
    p = subprocess.run(
        cmd,
        shell=True,
        capture_output=True,
        text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP)),
    )
    wall = time.perf_counter() - t
    # RUSAGE_CHILDREN is the largest child so far: run one probe per process for a clean number.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    last = p.stderr.strip().splitlines()[-1][:160] if p.stderr.strip() else ""
    return f"{what}: exit {p.returncode}, {wall:.1f} s, peak RSS {peak:.0f} MB | {last}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src")
    ap.add_argument("--what", choices=["stdin", "zero"], nargs="+", default=["stdin", "zero"])
    args = ap.parse_args()
    for what in args.what:
        print(probe(args.src, what), flush=True)


if __name__ == "__main__":
    main()
