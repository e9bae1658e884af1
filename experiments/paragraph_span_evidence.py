"""Probe (not shipped): do the English span tagger's technique spans, mapped to the SemEval-2023 labels of
the paragraphs they start in, predict paragraph techniques, alone or with the n-gram heads?

Scored on the English SemEval-2023 train articles that were PTC *dev* articles, which the span tagger never
saw: all 75 for the span tagger alone, and the 16 of them in the n-gram heads' held-out 20 % (seed 13) for the
comparison with and the union with `semeval23-ngram-heads-v2` (docs/BENCHMARKS.md, "Validation protocol").
The span tagger runs with its shipped decoding; a PTC class that maps to several SemEval-2023 labels (e.g.
Whataboutism, Straw Men, Red Herring) predicts all of them. ST3 micro-F1 with a 95 % bootstrap interval.

    cd experiments && PYTHONPATH=../src python paragraph_span_evidence.py --data ../../shared/data
"""

from __future__ import annotations

import argparse
import json
from bisect import bisect_right
from pathlib import Path

import numpy as np
from protocol_ngram import rows, score

from unspin.datasets.ptc import load_ptc
from unspin.datasets.semeval2023 import ParagraphArticle, inventory, load_semeval2023, split_by_article
from unspin.models.ngram_paragraph_model import NgramParagraphModel
from unspin.models.registry import ModelRegistry, default_folder
from unspin.taxonomy import to_2023


def span_labels(model, a: ParagraphArticle, techniques: list[str]) -> dict[int, set[int]]:  # type: ignore[no-untyped-def]
    """Line number (1-based) -> indices of the SemEval-2023 techniques of the spans that start on it."""
    starts = [0]
    for line in a.text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    enc = model.encode(a.text)
    spans = [(s, e) for s, e, _ in model.decode(a.text, enc)]
    out: dict[int, set[int]] = {}
    if not spans:
        return out
    probs = model.technique_probs(a.text, enc, spans)
    for (s, _), p in zip(spans, probs, strict=True):
        line = bisect_right(starts, s)
        for name in to_2023(model.labels[int(p.argmax())]):
            if name in techniques:
                out.setdefault(line, set()).add(techniques.index(name))
    return out


def predictions(model, articles: list[ParagraphArticle], techniques: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """One row per labelled paragraph, in the order of protocol_ngram.rows."""
    from unspin.features import paragraph_lines

    out = []
    for a in articles:
        found = span_labels(model, a, techniques)
        for line, _ in paragraph_lines(a):
            if line in a.techniques:
                row = np.zeros(len(techniques), dtype=bool)
                row[list(found.get(line, ()))] = True
                out.append(row)
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    techniques = inventory(args.data, "techniques_subtask3")
    ptc_dev = {str(a.id).replace("article", "") for a in load_ptc(args.data, "dev")}
    english = load_semeval2023(args.data, "en")
    _, held = split_by_article(english, seed=13)
    held_ids = {a.id for a in held}
    dev75 = [a for a in english if str(a.id).replace("article", "") in ptc_dev]
    tagger = ModelRegistry().get("span_tagger")

    text, y, groups = rows(dev75, techniques)
    spans = predictions(tagger, dev75, techniques)
    print(f"{len(dev75)} English articles that were PTC dev, {len(text)} labelled paragraphs")
    print("span tagger alone", json.dumps(score(spans, y, groups)))

    scored = [a for a in dev75 if a.id in held_ids]
    text, y, groups = rows(scored, techniques)
    spans = predictions(tagger, scored, techniques)
    heads = NgramParagraphModel(default_folder("paragraph_ngram"))
    ngram = heads.paragraph_probs(text) >= np.asarray(heads.technique_thresholds)
    print(f"{len(scored)} of them held out from the n-gram heads, {len(text)} labelled paragraphs")
    for name, pred in (
        ("n-gram heads", ngram),
        ("span tagger", spans),
        ("union", ngram | spans),
        ("intersection", ngram & spans),
    ):
        print(name, json.dumps(score(pred, y, groups)))


if __name__ == "__main__":
    main()
