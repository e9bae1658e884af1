"""What a benchmark ran on: CPU model, core count, the instruction sets that change kernel choice, and load.

Speed depends on them: onnxruntime and numpy pick AVX2, AVX-512 or NEON kernels at run time, and a shared
machine's load average says how much of the cores the benchmark really had. Every bench script prints this.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

# Flags that decide which matrix kernels run (x86: /proc/cpuinfo "flags"; ARM: "Features").
FLAGS_OF_INTEREST = (
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16",
    "amx_int8", "neon", "asimd", "asimddp", "sve", "i8mm",
)  # fmt: skip


def parse_cpuinfo(text: str, arch: str) -> tuple[str, set[str]]:
    """CPU model name and feature flags from the text of /proc/cpuinfo (x86 "flags", ARM "Features")."""
    model, flags = "", set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    if arch.lower() in ("aarch64", "arm64"):
        flags.add("neon")  # NEON is part of every ARMv8-A core
    return model, flags


def _cpuinfo() -> tuple[str, set[str]]:
    """This machine's CPU model and flags (Linux); the processor name and no flags elsewhere."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown CPU", set()
    model, flags = parse_cpuinfo(text, platform.machine())
    return model or platform.processor() or "unknown CPU", flags


def cpu_flags(flags: set[str] | None = None) -> list[str]:
    """The FLAGS_OF_INTEREST this CPU (or the given flag set) has, in that order."""
    have = _cpuinfo()[1] if flags is None else flags
    return [f for f in FLAGS_OF_INTEREST if f in have]


def machine() -> dict[str, object]:
    """CPU, cores, kernel-relevant flags, load average at the start, and the versions that pick kernels."""
    import numpy
    import onnxruntime

    model, _ = _cpuinfo()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "arch": platform.machine(),
        "cpu": model,
        "cores": os.cpu_count(),
        "cpu_flags": cpu_flags(),
        "load_average_1m": round(load[0], 2),
        "python": platform.python_version(),
        "onnxruntime": onnxruntime.__version__,
        "numpy": numpy.__version__,
    }


def describe(info: dict[str, object]) -> str:
    """One line for the text output of a bench script."""
    flags = info["cpu_flags"]
    missing = [f for f in ("avx2", "avx512f", "avx512_vnni") if f not in flags]  # type: ignore[operator]
    return (
        f"machine: {info['arch']}, {info['cpu']}, {info['cores']} cores; CPU flags: {' '.join(flags) or 'none'}"  # type: ignore[arg-type]
        + (f" (no {', '.join(missing)})" if missing and info["arch"] in ("x86_64", "AMD64") else "")
        + f"; load average {info['load_average_1m']} at start; Python {info['python']}, "
        f"onnxruntime {info['onnxruntime']}"
    )
