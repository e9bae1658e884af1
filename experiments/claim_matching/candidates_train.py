"""The training batch (split "train"): propaganda sentences that retrieve a case best, with their top 4 cases.

Drawn from Russia-Ukraine war propaganda texts that no dev or test pair uses (the split stays by source
text): from 2,500 such texts, the first 4 sentences of each are ranked by their best lexical retrieval
similarity; the 300 best (one per text) are embedded and re-ranked by their best hybrid score, and the top
110 are kept, each with its top 4 cases by hybrid retrieval. Oversampling sentences that retrieve a case
well is what gives same-claim pairs (random sentences rarely repeat a case); 4 candidates per sentence give
the hard negatives beside them.

    PYTHONPATH=src python experiments/claim_matching/candidates_train.py ../shared/data build/kb-full.sqlite \
        data/annotations/claim_matching.jsonl build/claim_matching_candidates_train.jsonl 23
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from candidates import candidate_row

from unspin.eval.claim_sources import ruwar_fakes, sentences
from unspin.kb.retrieval import retrieve
from unspin.kb.store import SqliteKB
from unspin.models.registry import ModelRegistry

POOL = 2500
SHORTLIST = 300
CHOSEN = 110
CASES = 4


def main(data: Path, kb_path: Path, annotations: Path, out: Path, seed: int) -> None:
    rng = random.Random(seed)
    kb = SqliteKB(kb_path)
    used = {
        r["claim_row_id"]
        for r in map(json.loads, annotations.read_text().splitlines())
        if r["claim_source"] == "ruwar-fakes"
    }
    fakes = ruwar_fakes(data)
    pool = rng.sample([i for i in range(len(fakes)) if str(i) not in used and fakes[i].strip()], POOL)
    best: dict[int, tuple[float, int, int]] = {}
    for i in pool:
        for s, e in sentences(fakes[i])[:4]:
            m = retrieve(kb, fakes[i][s:e], limit=1)
            if m and m[0].similarity > best.get(i, (0.0, 0, 0))[0]:
                best[i] = (m[0].similarity, s, e)
    shortlist = sorted(best.items(), key=lambda kv: -kv[1][0])[:SHORTLIST]
    texts = [fakes[i][s:e] for i, (_, s, e) in shortlist]
    vectors = ModelRegistry().get("encoder").embed(texts)
    ranked = []
    for (i, (_, s, e)), text, vec in zip(shortlist, texts, vectors, strict=True):
        matches = retrieve(kb, text, limit=CASES, query_vector=vec)
        if matches:
            ranked.append((matches[0].similarity, i, s, e, matches))
    ranked.sort(key=lambda r: -r[0])
    with out.open("w", encoding="utf-8") as fh:
        for _sim, i, s, e, matches in ranked[:CHOSEN]:
            for m in matches:
                fh.write(
                    json.dumps(
                        candidate_row("ruwar-fakes", str(i), s, e, fakes[i][s:e], m), ensure_ascii=False
                    )
                    + "\n"
                )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]))
