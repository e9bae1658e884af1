"""The article-level narrative measures of `unspin eval narratives --kb` for any unspin on PYTHONPATH.

Used to measure the matcher before the verifier (the main checkout's src/) with the same annotation file
and the same definitions as src/unspin/eval/narratives.py::evaluate_article_narratives:

    PYTHONPATH=/path/to/old/src python experiments/claim_matching/narratives_before.py ../shared/data \
        build/kb-full.sqlite data/annotations/narratives.jsonl test
"""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

import pyarrow.parquet as pq

from unspin.model import Article
from unspin.pipeline import analyze_article

ONLY = ["entities", "quotes", "unattributed", "claims", "narratives"]


def main(data: Path, kb: Path, annotations: Path, split: str) -> None:
    fakes = (
        pq.read_table(data / "russia-ukraine-war" / "data_russian_fakes_text.parquet")
        .column("Text")
        .to_pylist()
    )
    rows = [json.loads(x) for x in annotations.read_text().splitlines() if x.strip()]
    rows = [r for r in rows if split == "all" or r["split"] == split]
    gold_total = found = shown_total = right = 0
    for r in rows:
        report = analyze_article(
            Article(id=r["text_id"], body=fakes[int(r["text_id"])]), kb=kb, only=ONLY, language="en"
        )
        shown = list(dict.fromkeys(n.entry_id for n in report.narratives))
        gold = set(r["case_ids"])
        gold_total += len(gold)
        found += len(gold & set(shown[:5]))
        shown_total += len(shown)
        right += sum(c in gold for c in shown)
    with tarfile.open(data / "polnear" / "polnear-v1.0.0.tar.gz") as tar:
        news = sorted(
            (m.name, tar.extractfile(m).read().decode("utf-8"))  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.name.startswith("test/text/") and m.name.endswith(".txt")
        )
    with_narrative = claims = refuted = 0
    for name, text in news:
        title, _, body = text.strip().partition("\n")
        report = analyze_article(
            Article(id=name, title=title.strip(), body=body.strip() or title), kb=kb, only=ONLY
        )
        with_narrative += bool(report.narratives)
        claims += len(report.claims)
        refuted += sum(c.verdict is not None for c in report.claims)
    print(
        json.dumps(
            {
                "texts": len(rows),
                "recall_at_5": found / max(1, gold_total),
                "precision": right / max(1, shown_total),
                "shown": shown_total,
                "mainstream_articles": len(news),
                "mainstream_with_narrative": with_narrative / max(1, len(news)),
                "mainstream_claims": claims,
                "mainstream_refuted_claims": refuted / max(1, claims),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
