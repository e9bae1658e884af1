"""Draw claim-case candidate pairs for annotation (run once; the labelled ids/offsets go to data/annotations).

Claims: sentences of Russia-Ukraine war propaganda texts (half chosen because their text retrieves a case
well, half at random) and of mainstream news (PolNeAR train, FNC-1 train bodies: the sentence that retrieves
best per article, i.e. the hard negatives a topic matcher would wrongly refute). Candidates: the top 2 cases
of hybrid retrieval (BM25 + e5) over the full EUvsDisinfo knowledge base.

    PYTHONPATH=src python experiments/claim_matching/candidates.py ../shared/data build/kb-full.sqlite \
        build/claim_matching_candidates.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from unspin.eval.claim_sources import fnc1_bodies, polnear_texts, ruwar_fakes, sentences
from unspin.eval.narratives import TOPIC
from unspin.kb.retrieval import Match, retrieve
from unspin.kb.store import SqliteKB
from unspin.models.registry import ModelRegistry


def candidate_row(source: str, key: str, start: int, end: int, claim: str, match: Match) -> dict[str, object]:
    """One claim-case pair for the annotator: the rows' ids and offsets, and both texts side by side."""
    return {
        "claim_source": source,
        "claim_row_id": key,
        "start": start,
        "end": end,
        "case_id": match.entry.id,
        "claim": claim,
        "case_title": match.entry.title,
        "case_summary": match.entry.claim if match.entry.claim != match.entry.title else "",
        "case_date": match.entry.date,
        "similarity": round(match.similarity, 4),
        "dense": None if match.dense is None else round(match.dense, 4),
    }


def best_lexical(kb: SqliteKB, text: str) -> float:
    m = retrieve(kb, text, limit=1)
    return m[0].similarity if m else 0.0


def main(data: Path, kb_path: Path, out: Path) -> None:
    rng = random.Random(17)
    kb = SqliteKB(kb_path)
    claims: list[tuple[str, str, int, int, str]] = []  # source, row id, start, end, text
    fakes = ruwar_fakes(data)
    pool = rng.sample(range(len(fakes)), 300)
    scored = sorted(pool, key=lambda i: -best_lexical(kb, fakes[i][:600]))
    chosen = scored[:30] + rng.sample(scored[30:], 30)
    for i in chosen:
        for s, e in sentences(fakes[i]):
            claims.append(("ruwar-fakes", str(i), s, e, fakes[i][s:e]))
    pol = polnear_texts(data)
    names = sorted(k for k in pol if k.startswith("train/"))
    fnc = fnc1_bodies(data)
    fnc_train = sorted(k for k in fnc if k.startswith("train/"))
    topical = [k for k in fnc_train if TOPIC.search(fnc[k])]
    mainstream = [("polnear", k, pol[k]) for k in rng.sample(names, 40)]
    mainstream += [("fnc1", k, fnc[k]) for k in rng.sample(topical, 20)]
    mainstream += [("fnc1", k, fnc[k]) for k in rng.sample(sorted(set(fnc_train) - set(topical)), 20)]
    for source, key, text in mainstream:
        spans = sentences(text)[:60]
        if not spans:
            continue
        s, e = max(spans, key=lambda se: best_lexical(kb, text[se[0] : se[1]]))
        claims.append((source, key, s, e, text[s:e]))
    vectors = ModelRegistry().get("encoder").embed([c[4] for c in claims])
    seen = set()
    with out.open("w", encoding="utf-8") as fh:
        for (source, key, s, e, text), vec in zip(claims, vectors, strict=True):
            for m in retrieve(kb, text, limit=2, query_vector=vec):
                if (source, key, s, m.entry.id) in seen:
                    continue
                seen.add((source, key, s, m.entry.id))
                fh.write(json.dumps(candidate_row(source, key, s, e, text, m), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
