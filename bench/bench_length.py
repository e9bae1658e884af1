"""How analysis cost grows with article length: time per stage and peak memory for 1k-300k-word articles.

Each size runs in a fresh process (so its peak RSS is its own), models loaded before the clock starts; a text
long enough to be parsed in two processes reports the second one's peak RSS apart (0: none was started):

    python bench/bench_length.py                 # 1k, 10k, 100k, 300k words
    python bench/bench_length.py --words 1000 30000 --stages

The articles are synthesised from news-like paragraphs written for this benchmark, with names, places,
organisations, numbers and quotes drawn in turn from small pools, so that a long article has many distinct
entities and sentences (a repeated paragraph would let caches hide the cost). Numbers go to docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000, 300_000)

FIRST = [
    "Anna",
    "Marek",
    "Olena",
    "David",
    "Sofia",
    "Tomas",
    "Irina",
    "Peter",
    "Laura",
    "Viktor",
    "Maria",
    "Jonas",
]
LAST = [
    "Kowalski",
    "Hartmann",
    "Moreau",
    "Bianchi",
    "Novak",
    "Lindqvist",
    "Petrov",
    "Garcia",
    "Horvat",
    "Brennan",
]
PLACES = [
    "Kharkiv",
    "Gdansk",
    "Lyon",
    "Brno",
    "Tallinn",
    "Porto",
    "Utrecht",
    "Varna",
    "Kaunas",
    "Graz",
    "Odesa",
]
ORGS = [
    "the European Commission",
    "NATO",
    "the World Bank",
    "Reuters",
    "the Red Cross",
    "the OSCE",
    "Gazprom",
]
TEMPLATES = [
    "{p1} {s1}, a spokesperson for {org}, said on {day} that talks in {place} would resume within {n} days. "
    '"We are not going to accept any deal that leaves {place2} without power," {s1} told reporters.',
    "According to sources familiar with the matter, officials in {place} have quietly prepared {n} new shelters. "
    "Critics say the plan is a disaster and that {org} has failed the people of {place2} once again.",
    "The report, published by {org} on {day}, estimates that prices rose by {n} percent in {place} last year. "
    "{p2} {s2}, an economist at the University of {place2}, called the figures alarming but not surprising.",
    "Everyone knows the truth: the so-called experts have lied about {place} for years. "
    "Only a fool would believe that {org} acts in good faith, wrote {p1} {s1} in a widely shared post.",
    "Residents of {place} woke to sirens early on {day}. Local authorities reported {n} people injured and "
    "said that emergency crews from {place2} had been sent to help. {s2} said the response was too slow.",
    "In an interview with {org}, {p2} {s2} warned that the shortage could last until spring. "
    '"If nothing changes, {place} will run out of fuel in {n} weeks," {s2} said, adding that talks continue.',
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def article_of(words: int) -> str:
    """A title and paragraphs of about ``words`` words, every paragraph different."""
    out, n, i = [], 0, 0
    while n < words:
        k = i
        para = TEMPLATES[k % len(TEMPLATES)].format(
            p1=FIRST[k % len(FIRST)],
            s1=LAST[(k // 3) % len(LAST)],
            p2=FIRST[(k * 7 + 3) % len(FIRST)],
            s2=LAST[(k * 5 + 1) % len(LAST)],
            place=PLACES[k % len(PLACES)],
            place2=PLACES[(k * 3 + 2) % len(PLACES)],
            org=ORGS[(k // 2) % len(ORGS)],
            day=DAYS[k % len(DAYS)],
            n=(k * 37) % 1000 + 2,
        )
        out.append(para)
        n += len(para.split())
        i += 1
    return "Officials warn of a long winter as talks stall\n\n" + "\n\n".join(out) + "\n"


_CHILD = """
import json, resource, sys, time
from unspin.model import Article
from unspin.pipeline import Pipeline
sys.path.insert(0, {bench!r})
from bench_length import article_of
p = Pipeline(kb={kb!r}).load()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
title, body = article_of({words}).split("\\n\\n", 1)
t = time.perf_counter()
report = p.analyze(Article(title=title, body=body), language="en")
wall = time.perf_counter() - t
print(json.dumps({{
    "words": report.article.word_count,
    "seconds": wall,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "loaded_mb": base / 1024,
    "stages_ms": report.timings_ms,
}}))
"""


def measure(words: int) -> dict[str, object]:
    code = _CHILD.format(bench=str(ROOT / "bench"), kb="/nonexistent/bench-kb.sqlite", words=words)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{words} words: failed\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--stages", action="store_true", help="Also print each stage's milliseconds.")
    args = ap.parse_args()
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        "| words | seconds | peak RSS (MB) | parse process peak RSS (MB) | RSS after loading (MB) | slowest stages (s) |"
    )
    print("|---:|---:|---:|---:|---:|---|")
    for words in args.words:
        r = measure(words)
        stages = {k: v for k, v in r["stages_ms"].items() if k != "total"}  # type: ignore[union-attr]
        top = sorted(stages.items(), key=lambda kv: -kv[1])[:3]
        print(
            f"| {r['words']:,} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['worker_peak_mb']:.0f} | "
            f"{r['loaded_mb']:.0f} | " + ", ".join(f"{k} {v / 1000:.1f}" for k, v in top) + " |",
            flush=True,
        )
        if args.stages:
            print("  " + json.dumps({k: round(v / 1000, 2) for k, v in stages.items()}), flush=True)


if __name__ == "__main__":
    main()
