"""Feature rows of the labelled pairs (train, dev) for the cross-encoder comparison: build/ce/features.npz.

PYTHONPATH=src python experiments/claim_matching/ce_features.py ../shared/data build/kb-full.sqlite
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from unspin.eval.claim_pairs import EmbeddingCache, load_pairs, pair_matrix
from unspin.kb.store import SqliteKB


def main() -> None:
    data, kb_path = Path(sys.argv[1]), Path(sys.argv[2])
    kb = SqliteKB(kb_path)
    cache = EmbeddingCache()
    out = {}
    for split in ("train", "dev"):
        pairs = [p for p in load_pairs(data) if p.split == split]
        out[f"x_{split}"] = pair_matrix(pairs, kb, cache)
        out[f"y_{split}"] = np.array([int(p.label == "same-claim") for p in pairs])
    np.savez(Path("build/ce/features.npz"), **out)
    print({k: v.shape for k, v in out.items()})


if __name__ == "__main__":
    main()
