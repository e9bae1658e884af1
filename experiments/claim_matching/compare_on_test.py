"""Threshold-free comparison of claim-matcher artifacts on the test pairs (read once per design, never tuned on).

For each artifact folder: AUC and average precision of P(same claim) over the test pairs, the pairs its
threshold accepts, and a 95 % percentile interval of the average precision and of its difference with the
first artifact (bootstrap over source texts, 1,000 resamples, seed 17).

    PYTHONPATH=src python experiments/claim_matching/compare_on_test.py ../shared/data build/kb-full.sqlite \
        src/unspin/models/claim-matcher-v1 build/claim-matcher-v2
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
from select_model import auc, operating_points

from unspin.eval.claim_pairs import EmbeddingCache, load_pairs, pair_matrix
from unspin.kb.store import SqliteKB
from unspin.models.claim_matcher import load_claim_matcher


def main(data: Path, kb: Path, folders: list[Path]) -> None:
    test = [p for p in load_pairs(data) if p.split == "test"]
    x = pair_matrix(test, SqliteKB(kb), EmbeddingCache())
    y = np.array([int(p.label == "same-claim") for p in test], dtype=np.float64)
    by_text: dict[str, list[int]] = {}
    for i, p in enumerate(test):
        by_text.setdefault(f"{p.claim_source}:{p.claim_row_id}", []).append(i)
    keys = sorted(by_text)
    rng = random.Random(17)
    samples = [[i for k in rng.choices(keys, k=len(keys)) for i in by_text[k]] for _ in range(1000)]
    samples = [s for s in samples if y[s].sum() > 0]
    first: list[float] = []
    for n, folder in enumerate(folders):
        matcher = load_claim_matcher(folder)
        p = matcher.predict_proba(x)[:, 1]
        accepted = p >= matcher.threshold
        aps = [operating_points(p[s], y[s])[0] for s in samples]
        line = (
            f"{folder.name}: AUC {auc(p, y):.3f}, AP {operating_points(p, y)[0]:.3f} "
            f"[{np.percentile(aps, 2.5):.3f}, {np.percentile(aps, 97.5):.3f}], "
            f"accepted {int(accepted.sum())} of {len(y)} ({int((accepted & (y == 1)).sum())} same-claim)"
        )
        if n == 0:
            first = aps
        else:
            diff = np.array(aps) - np.array(first)
            line += f", AP difference {np.percentile(diff, 2.5):+.3f} to {np.percentile(diff, 97.5):+.3f}"
        print(line)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), [Path(a) for a in sys.argv[3:]])
