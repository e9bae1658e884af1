"""More training text for the span members than PTC train's 334 articles: silver and other languages' gold.

**Self-training** (``unlabelled_texts`` + ``pseudo_label``): unlabelled news, labelled by a shipped ensemble.

Why: the SemEval-2020 SI winner (ApplicaAI) gained from self-training on unlabelled news, and a learning curve
on our members (`experiments/span_probes.py learning-curve`) showed more *gold* articles are not available
here. The teacher is an ensemble whose members never saw the 37 held-out train articles, so the student can
still be judged on them; PTC dev plays no part, and neither do its texts.

Unlabelled sources, all offline in the data directory:
- PTC test articles (90, no gold): same sites and period as train;
- FNC-1 train bodies: mainstream news, where the teacher finds fewer spans (dev gold is sparser than train).

**Other languages' gold** (``semeval2023_gold``): SemEval-2023 subtask-3 spans in fr, de, it, pl and ru, for the
multilingual e5 member. Never English: the English SemEval-2023 articles are PTC train and dev re-annotated.
Techniques that PTC has no label for still mark a span (SI) but teach the technique head nothing.
"""

from __future__ import annotations

import random
from pathlib import Path

from unspin.datasets.fnc1 import load_fnc1
from unspin.datasets.ptc import LabelledArticle, read_articles
from unspin.datasets.semeval2023 import NON_ENGLISH, load_spans
from unspin.models.span_ensemble import load_span_model

MIN_WORDS, MAX_WORDS = 150, 1500  # FNC-1 bodies outside this are stubs or multi-article dumps


def unlabelled_texts(data: Path, fnc1_bodies: int, seed: int = 13) -> list[tuple[str, str]]:
    """(id, text): every PTC test article, then ``fnc1_bodies`` FNC-1 train bodies drawn with ``seed``."""
    out = [
        (f"ptc-test-{aid}", text)
        for aid, text in read_articles(data / "ptc-semeval2020-task11" / "test-articles").items()
    ]
    if fnc1_bodies:
        bodies = load_fnc1(data, "train").bodies
        ok = sorted(b for b, t in bodies.items() if MIN_WORDS <= len(t.split()) <= MAX_WORDS)
        for b in random.Random(seed).sample(ok, min(fnc1_bodies, len(ok))):
            out.append((f"fnc1-{b}", bodies[b]))
    return out


def pseudo_label(teacher: Path, texts: list[tuple[str, str]]) -> list[LabelledArticle]:
    """The teacher's decoded spans, each with its most probable technique, as silver training articles."""
    model = load_span_model(teacher)
    out = []
    for aid, text in texts:
        labels = [(p.start, p.end, model.labels[int(p.technique_probs.argmax())]) for p in model.spans(text)]
        out.append(LabelledArticle(aid, text, sorted(labels)))
    return out


def semeval2023_gold(data: Path, per_language: int, seed: int = 13) -> list[LabelledArticle]:
    """``per_language`` SemEval-2023 train articles of each non-English language, spans mapped to PTC labels
    ("" where PTC has none: a span for SI, no technique target)."""
    from unspin.taxonomy import to_2020

    out = []
    for lang in NON_ENGLISH:
        articles = load_spans(data, lang)
        for a in random.Random(seed).sample(articles, min(per_language, len(articles))):
            spans = [(s, e, to_2020(t) or "") for s, e, t in a.spans]
            out.append(LabelledArticle(f"{lang}-{a.id}", a.text, sorted(spans)))
    return out
