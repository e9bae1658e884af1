"""Further annotation batches, drawn to add same-claim pairs: the propaganda sentences that retrieve a case best.

From 1,500 further Russia-Ukraine war propaganda texts (texts of the first batch left out), the 70 sentences
whose best lexical retrieval similarity is highest, each with its top 2 cases by hybrid retrieval.

    PYTHONPATH=src python experiments/claim_matching/candidates_more.py ../shared/data build/kb-full.sqlite \
        build/claim_matching_candidates_2.jsonl 18 build/claim_matching_candidates.jsonl
    (the third batch: ... build/claim_matching_candidates_3.jsonl 19 build/claim_matching_candidates*.jsonl)
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


def main(data: Path, kb_path: Path, earlier: list[Path], out: Path, seed: int) -> None:
    rng = random.Random(seed)
    kb = SqliteKB(kb_path)
    done = {
        json.loads(line)["claim_row_id"]
        for path in earlier
        for line in path.read_text().splitlines()
        if '"ruwar-fakes"' in line
    }
    fakes = ruwar_fakes(data)
    pool = rng.sample([i for i in range(len(fakes)) if str(i) not in done], 1500)
    scored = []
    for i in pool:
        for s, e in sentences(fakes[i])[:4]:
            m = retrieve(kb, fakes[i][s:e], limit=1)
            scored.append((m[0].similarity if m else 0.0, i, s, e))
    scored.sort(reverse=True)
    chosen, texts = [], set()
    for _sim, i, s, e in scored:
        if i not in texts:  # one sentence per text: more texts, independent pairs
            texts.add(i)
            chosen.append((i, s, e))
        if len(chosen) == 70:
            break
    vectors = ModelRegistry().get("encoder").embed([fakes[i][s:e] for i, s, e in chosen])
    with out.open("w", encoding="utf-8") as fh:
        for (i, s, e), vec in zip(chosen, vectors, strict=True):
            for m in retrieve(kb, fakes[i][s:e], limit=2, query_vector=vec):
                fh.write(
                    json.dumps(
                        candidate_row("ruwar-fakes", str(i), s, e, fakes[i][s:e], m), ensure_ascii=False
                    )
                    + "\n"
                )


if __name__ == "__main__":
    # data kb out seed earlier-candidate-files...
    main(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        [Path(p) for p in sys.argv[5:]],
        Path(sys.argv[3]),
        int(sys.argv[4]),
    )
