"""Attribution cue words learnt from PolNeAR train: the word forms that mostly serve as an attribution's cue.

For every lower-cased word form, the share of its occurrences that fall inside a gold cue span. Forms kept:
at least ``min_count`` cue occurrences and a cue share of at least ``min_share`` (chosen on dev), minus the
function words that only accompany a cue ('has called for', 'according to'). The result is a list of word
forms (statistics of the corpus, none of its text) written to resources/attribution_cues.json, which the
English quotes analyser reads at run time.

    python -m unspin.train.attribution_cues --data ../shared/data [--min-share 0.3 --min-count 3]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from unspin.datasets.polnear import load_polnear

WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
FUNCTION_WORDS = {
    "a", "an", "the", "to", "for", "of", "in", "on", "at", "by", "with", "that", "this", "as", "and", "or",
    "not", "n't", "no", "be", "is", "was", "were", "are", "been", "being", "has", "have", "had", "do", "does",
    "did", "will", "would", "can", "could", "may", "might", "should", "must", "also", "it", "he", "she",
    "they", "we", "i", "you", "his", "her", "their", "its", "there", "up", "out", "about", "into", "over",
    "new", "more", "most", "so", "just", "still", "even", "again", "always", "never", "repeatedly",
}  # fmt: skip
OUT = Path(__file__).resolve().parents[1] / "resources" / "attribution_cues.json"


def cue_statistics(data: Path) -> tuple[Counter[str], Counter[str]]:
    """(occurrences inside a gold cue, all occurrences) per lower-cased word form, over PolNeAR train."""
    in_cue: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for article in load_polnear(data, "train"):
        cue_chars = {i for att in article.attributions for s, e in att.cue for i in range(s, e)}
        for m in WORD.finditer(article.text):
            w = m.group().lower()
            total[w] += 1
            if m.start() in cue_chars:
                in_cue[w] += 1
    return in_cue, total


def select(in_cue: Counter[str], total: Counter[str], min_share: float, min_count: int) -> list[str]:
    return sorted(
        w
        for w, n in in_cue.items()
        if n >= min_count and n / total[w] >= min_share and w not in FUNCTION_WORDS and len(w) > 2
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--min-share", type=float, default=0.3)
    ap.add_argument("--min-count", type=int, default=3)
    args = ap.parse_args()
    in_cue, total = cue_statistics(args.data)
    forms = select(in_cue, total, args.min_share, args.min_count)
    OUT.write_text(
        json.dumps(
            {
                "_about": "Attribution cue word forms learnt from PolNeAR train by unspin.train.attribution_cues "
                f"(min share {args.min_share}, min count {args.min_count}).",
                "forms": forms,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(forms)} cue forms -> {OUT}")


if __name__ == "__main__":
    main()
