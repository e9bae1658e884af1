"""Peak RSS after parsing and after each analyser, for one synthesised article (bench_length.article_of):
which stage holds memory that grows with the article.

    python bench/stage_memory.py 100000
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_length import article_of

from unspin.analyzers import ANALYZERS
from unspin.model import Article
from unspin.nlp import parse
from unspin.pipeline import Pipeline


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    words = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    Pipeline(kb="/nonexistent/bench-kb.sqlite").load()
    print(f"loaded: peak {peak_mb():.0f} MB", flush=True)
    title, body = article_of(words).split("\n\n", 1)
    t = time.perf_counter()
    doc = parse(Article(title=title, body=body), language="en")
    print(f"parse: {time.perf_counter() - t:.1f} s, peak {peak_mb():.0f} MB", flush=True)
    for name, run in ANALYZERS.items():
        t = time.perf_counter()
        run(doc)
        print(f"{name}: {time.perf_counter() - t:.1f} s, peak {peak_mb():.0f} MB", flush=True)


if __name__ == "__main__":
    main()
