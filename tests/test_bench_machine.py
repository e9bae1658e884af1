"""bench/machine.py: the CPU line every bench script prints (flags that pick onnxruntime's kernels)."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from machine import cpu_flags, describe, machine, parse_cpuinfo

X86 = """processor	: 0
model name	: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz
flags		: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni
"""
ARM = """processor	: 0
Features	: fp asimd evtstrm aes asimddp sve i8mm
CPU part	: 0xd40
"""


def test_x86_flags_and_model() -> None:
    model, flags = parse_cpuinfo(X86, "x86_64")
    assert model.startswith("Intel(R) Xeon(R)")
    assert cpu_flags(flags) == ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"]


def test_arm_flags_include_neon() -> None:
    _, flags = parse_cpuinfo(ARM, "aarch64")
    assert cpu_flags(flags) == ["neon", "asimd", "asimddp", "sve", "i8mm"]


def test_this_machine_is_described_with_its_flags() -> None:
    info = machine()
    line = describe(info)
    assert "CPU flags:" in line and str(info["cores"]) in line and "onnxruntime" in line
    assert info["cpu_flags"] == cpu_flags()  # read from this machine's /proc/cpuinfo
