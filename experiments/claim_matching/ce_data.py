"""Training pairs for a claim-case cross-encoder (experiment; needs build/kb-full.sqlite).

Writes build/ce/aux.jsonl: rows {claim, headline, label, kind, weight}.
- kb-pos: a case's first summary sentence with its own title (the summary restates the title's claim);
- kb-neg: the same sentence with the title of one of the case's nearest cases by stored e5 vector (ranks
  2-12), unless the two titles share most content words (repeated narratives are the same claim);
- fnc1: FNC-1 train headline with the body sentence that shares most stems with it (agree = 1, disagree and
  unrelated = 0; discuss is left out: it neither asserts nor denies);
- polarity: war claims repeated (1) or negated / called false (0).

    PYTHONPATH=src python experiments/claim_matching/ce_data.py ../shared/data build/kb-full.sqlite
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from pathlib import Path

import numpy as np

from unspin.eval.claim_sources import sentences
from unspin.kb.retrieval import stems
from unspin.train.claim_matcher import fnc1_pairs, war_polarity_pairs

SEED = 13


def kb_rows(data: Path, kb_path: Path, per_case_neg: int = 2) -> list[dict]:
    """Positives from the 2015-2017 case table (title + summary); negatives among all 13,661 KB titles."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer

    table = pd.read_csv(data / "euvsdisinfo" / "kalkun_cases_2015-2017_summary_disproof.csv.gz")
    con = sqlite3.connect(kb_path)
    all_titles = sorted({" ".join(str(r[0]).split()) for r in con.execute("SELECT title FROM entries")})
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2).fit(all_titles)
    title_matrix = tfidf.transform(all_titles)
    title_stems = [stems(t) for t in all_titles]
    rng = random.Random(SEED)
    out: list[dict] = []
    seen: set[str] = set()
    for title, summary in zip(table["title"], table["summary"], strict=True):
        if not isinstance(title, str) or not isinstance(summary, str):
            continue
        title, summary = " ".join(title.split()), " ".join(summary.split())
        spans = sentences(summary, min_chars=30)
        if not spans or title in seen:
            continue
        seen.add(title)
        s, e = spans[0]
        first = summary[s:e][:400]
        # Most 2015-2017 titles copy the summary's first sentence: keep one in five of those, all paraphrases.
        near_copy = len(stems(first) & stems(title)) / max(1, len(stems(first) | stems(title))) >= 0.8
        if not near_copy or rng.random() < 0.2:
            out.append(dict(claim=first, headline=title, label=1, kind="kb-pos", weight=1.0))
        sims = (title_matrix @ tfidf.transform([first]).T).toarray().ravel()
        near = [int(j) for j in np.argsort(-sims)[:14]]
        rng.shuffle(near)
        own = stems(title)
        taken = 0
        for j in near:
            b = title_stems[j]
            if all_titles[j] == title or not b or len(own & b) / max(1, min(len(own), len(b))) >= 0.5:
                continue  # the same narrative in other words would be a false negative
            out.append(dict(claim=first, headline=all_titles[j], label=0, kind="kb-neg", weight=1.0))
            taken += 1
            if taken == per_case_neg:
                break
    return out


def main() -> None:
    data, kb_path = Path(sys.argv[1]), Path(sys.argv[2])
    rows = kb_rows(data, kb_path)
    fnc, fy = fnc1_pairs(data, 500, SEED)
    # fnc1_pairs draws 500 of each stance in order agree, disagree, discuss, unrelated: leave discuss out
    # (a body that discusses a headline neither asserts nor denies it).
    keep = [n for n in range(len(fy)) if not 1000 <= n < 1500]
    fnc, fy = [fnc[n] for n in keep], [fy[n] for n in keep]
    for (claim, case), y in zip(fnc, fy, strict=True):
        rows.append(dict(claim=claim, headline=case.title, label=y, kind="fnc1", weight=0.5))
    war, wy = war_polarity_pairs(data, 300, SEED)
    for (claim, case), y in zip(war, wy, strict=True):
        rows.append(dict(claim=claim, headline=case.title, label=y, kind="polarity", weight=0.5))
    out = Path("build/ce/aux.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter

    print(Counter((r["kind"], r["label"]) for r in rows))


if __name__ == "__main__":
    main()
