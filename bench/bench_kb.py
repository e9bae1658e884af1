"""Benchmark the knowledge base: import 10,000 entries, `kb search` over 100,000, narrative matching per article.

Entries are made by recombining sentences' words from the EUvsDisinfo summaries when the data directory is
there (realistic vocabulary and lengths), else from a Zipf-distributed synthetic vocabulary. Targets from the
issue: search median under 20 ms at 100,000 entries; importing 10,000 under 30 s; narrative matching under
100 ms per article warm.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, machine


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def word_pool(data: Path) -> list[str]:
    try:
        from unspin.eval.narratives import load_cases

        words = [w for _, s in load_cases(data) for w in s.split()]
        if words:
            return words
    except (OSError, KeyError):
        pass
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(30_000)]
    return [vocab[min(int(rng.paretovariate(1.1)), len(vocab) - 1)] for _ in range(300_000)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    info = machine()

    import unspin
    from unspin.kb import Entry, SqliteKB
    from unspin.kb.importers import read_entries
    from unspin.nlp import parse

    rng = random.Random(13)
    pool = word_pool(args.data)

    def text(n: int) -> str:
        start = rng.randrange(len(pool) - n)
        return " ".join(pool[start : start + n])

    with tempfile.TemporaryDirectory() as tmp:
        # 1. Import 10,000 entries from a JSONL file through the real importer, one transaction.
        path = Path(tmp) / "entries.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in range(10_000):
                row = {
                    "id": f"e{i}",
                    "claim": text(rng.randint(15, 60)),
                    "verdict": "false",
                    "explanation": text(rng.randint(20, 80)),
                    "title": text(rng.randint(5, 12)),
                }
                fh.write(json.dumps(row) + "\n")
        kb = SqliteKB(Path(tmp) / "kb.sqlite")
        t = time.perf_counter()
        kb.upsert(read_entries(path, "jsonl"))
        import_s = time.perf_counter() - t
        # 2. Grow to --entries and time searches with claim-sized queries.
        kb.upsert(
            Entry(
                id=f"x{i}",
                claim=text(rng.randint(15, 60)),
                explanation=text(rng.randint(20, 80)),
                title=text(rng.randint(5, 12)),
            )
            for i in range(args.entries - 10_000)
        )
        queries = [text(rng.randint(10, 30)) for _ in range(200)]
        times = []
        for q in queries:
            t = time.perf_counter()
            kb.search(q, limit=10)
            times.append(time.perf_counter() - t)
        # 3. Narrative matching on the bundled example against this store (claims already computed).
        from unspin.pipeline import Pipeline

        pipeline = Pipeline(kb=Path(tmp) / "kb.sqlite")
        plan = pipeline.plan(["narratives"])
        narratives = plan[-1]

        def prepared(path: str) -> Any:
            """A parsed article with the analysers narrative matching reads, and the store opened."""
            doc = parse(unspin.load_article(Path(path)))
            for analyzer in plan:
                analyzer.run(doc, pipeline.models)
            return doc

        t = time.perf_counter()
        doc = prepared("examples/nato-donbass.txt")  # the first article loads the parser and the models
        first_article_s = time.perf_counter() - t
        match_ms = median_ms(lambda: narratives.run(doc, pipeline.models), 10)
        # 4. Hybrid: random unit vectors stand in for 100,000 embeddings (computing real ones takes ~12
        # minutes; the timing of the dense search does not depend on their values). Query vectors are real.
        import numpy as np

        from unspin.kb.retrieval import retrieve

        ids = [e.id for e in kb.entries()]
        vecs = np.random.default_rng(13).standard_normal((len(ids), 384)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        kb.set_vectors(list(zip(ids, vecs, strict=True)))
        hybrid = [
            median_ms(
                lambda q=q: retrieve(
                    kb, q, limit=10, query_vector=pipeline.models.get("encoder").embed([q])[0]
                ),
                1,
            )
            for q in queries[:50]
        ]
        narratives = Pipeline(kb=Path(tmp) / "kb.sqlite", models=pipeline.models).plan(["narratives"])[-1]
        # A Russian article through the same analysers: check-worthy claims are English-only, so its one query
        # is the title + lead, lexical plus the embedding of its first 300 characters.
        ru = prepared("tests/fixtures/ru_article.txt")
        hybrid_match = median_ms(lambda: narratives.run(ru, pipeline.models), 10)
        # The English example's queries (claims + title and lead) with its title + lead embedded as well: the
        # cost if English articles went hybrid too.
        doc.language = "ru"
        narratives.run(doc, pipeline.models)
        hybrid_all = median_ms(lambda: narratives.run(doc, pipeline.models), 5)
        result = {
            "import_10k_s": round(import_s, 2),
            "entries": kb.stats()["entries"],
            "search_median_ms": round(statistics.median(times) * 1000, 2),
            "search_p95_ms": round(sorted(times)[int(len(times) * 0.95)] * 1000, 2),
            "narratives_per_article_ms": round(match_ms, 1),
            "queries_per_article": len((doc.claims or [])[:10]) + 1,
            "kb_file_mb": round((Path(tmp) / "kb.sqlite").stat().st_size / 1e6, 1),
            "hybrid_search_median_ms": round(statistics.median(hybrid), 1),
            "hybrid_narratives_per_article_ms": round(hybrid_match, 1),
            "hybrid_article_queries": len((ru.claims or [])[:10]) + 1,
            "hybrid_with_english_claims_ms": round(hybrid_all, 1),
            "first_article_cold_s": round(first_article_s, 2),
            "machine": info,
        }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(describe(info))
    print(
        f"kb: import 10,000 entries {result['import_10k_s']} s; search over {result['entries']:,} entries: "
        f"median {result['search_median_ms']} ms, p95 {result['search_p95_ms']} ms ({result['kb_file_mb']} MB)"
    )
    print(
        f"narrative matching: {result['narratives_per_article_ms']} ms per article "
        f"({result['queries_per_article']} queries); Russian article with vectors "
        f"{result['hybrid_narratives_per_article_ms']} ms ({result['hybrid_article_queries']} query); "
        f"cold start (first article: parser, claims and narratives, models loaded) {result['first_article_cold_s']} s"
    )


if __name__ == "__main__":
    main()
