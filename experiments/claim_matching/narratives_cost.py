"""Cost of the narratives analyser per article with the full knowledge base, for any unspin on PYTHONPATH.

A warm Pipeline (one article analysed first and not counted) over the first N PolNeAR test articles; prints
the median of the narratives analyser's time and of the whole analysis. Run it for two checkouts one after
the other on the same machine to compare them (the shared machine's load moves the absolute numbers):

    PYTHONPATH=src python experiments/claim_matching/narratives_cost.py ../shared/data build/kb-full.sqlite 13
"""

from __future__ import annotations

import statistics
import sys
import tarfile
from pathlib import Path

from unspin.model import Article
from unspin.pipeline import Pipeline


def polnear_test(data: Path, n: int) -> list[Article]:
    out = []
    with tarfile.open(data / "polnear" / "polnear-v1.0.0.tar.gz") as tar:
        names = sorted(
            m.name for m in tar.getmembers() if m.name.startswith("test/text/") and m.name.endswith(".txt")
        )
        for name in names[: n + 1]:
            fh = tar.extractfile(name)
            assert fh is not None
            text = fh.read().decode("utf-8")
            title, _, body = text.strip().partition("\n")
            out.append(Article(id=name, title=title, body=body.strip() or title))
    return out


def main(data: Path, kb: Path, n: int) -> None:
    pipeline = Pipeline(kb=kb)
    pipeline.load()
    articles = polnear_test(data, n)
    pipeline.analyze(articles[0], language="en")  # warm-up
    narratives, total = [], []
    for a in articles[1:]:
        t = pipeline.analyze(a, language="en").timings_ms
        narratives.append(t["narratives"])
        total.append(t["total"])
    print(
        f"{len(narratives)} articles: narratives median {statistics.median(narratives):.0f} ms, "
        f"whole analysis median {statistics.median(total) / 1000:.2f} s"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
