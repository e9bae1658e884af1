"""The shipped n-gram paragraph heads on the one non-random English split they were not fitted on: the English
SemEval-2023 held-out articles (20 %, seed 13) that were PTC *dev* articles (docs/BENCHMARKS.md, "Validation
protocol"). The shipped heads' fit part holds the other PTC-dev articles, so only these can score them. Each
model folder given is scored with its own thresholds; ST3 micro-F1 with a 95 % bootstrap interval over articles.

    PYTHONPATH=src python experiments/protocol_shipped_heads.py --data ../shared/data \\
        --model src/unspin/models/semeval23-ngram-heads-v2 --model OTHER_FOLDER
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from protocol_ngram import rows, score

from unspin.datasets.ptc import load_ptc
from unspin.datasets.semeval2023 import inventory, load_semeval2023, split_by_article
from unspin.models.ngram_paragraph_model import NgramParagraphModel


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--model", type=Path, action="append", required=True)
    args = parser.parse_args()
    techniques = inventory(args.data, "techniques_subtask3")
    ptc_dev = {str(a.id).replace("article", "") for a in load_ptc(args.data, "dev")}
    _, held = split_by_article(load_semeval2023(args.data, "en"), seed=13)
    scored = [a for a in held if str(a.id).replace("article", "") in ptc_dev]
    text, y, groups = rows(scored, techniques)
    print(
        f"{len(scored)} held-out English articles that were PTC dev articles, {len(text)} labelled paragraphs"
    )
    for folder in args.model:
        model = NgramParagraphModel(folder)
        if model.techniques != techniques:
            raise SystemExit(f"{folder}: another technique inventory")
        pred = model.paragraph_probs(text) >= np.asarray(model.technique_thresholds)
        print(folder.name, json.dumps(score(pred, y, groups)))


if __name__ == "__main__":
    main()
