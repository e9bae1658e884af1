"""Sentence-level technique spans on the held-out SemEval-2023 articles of the five non-English languages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.semeval2023 import NON_ENGLISH as LANGUAGES
from unspin.datasets.semeval2023 import load_spans, split_by_article
from unspin.eval.scorers import span_f1
from unspin.features import embed_sentences, gold_spans, predicted_spans
from unspin.models.sentence_spans import SentenceSpanModel


@dataclass
class SentenceSpanResult:
    language: str
    articles: int
    gold_spans: int
    predicted: int
    precision: float
    recall: float
    f1: float
    every_sentence_f1: float  # the baseline that marks every sentence
    technique_hit: float  # predicted sentences on a gold span whose top technique is one of that span's


def evaluate_language(
    model: SentenceSpanModel, data_dir: Path, language: str, cache: Path | None = None, seed: int = 13
) -> SentenceSpanResult:
    _, held = split_by_article(load_spans(data_dir, language), seed=seed)
    data = embed_sentences(held, cache)
    x = np.concatenate([d.features for d in data]) if data else np.zeros((0, 768), dtype=np.float32)
    p_any, tech = model.from_features(x)
    gold = gold_spans(data)
    pred = predicted_spans(data, p_any, model.threshold)
    si = span_f1(gold, pred)
    every = span_f1(gold, predicted_spans(data, np.ones(len(x)), 0.0))
    hits = touching = 0
    i = 0
    for d in data:
        for k, (s, e) in enumerate(d.sentences):
            if p_any[i + k] >= model.threshold:
                on = {t for gs, ge, t in d.article.spans if min(e, ge) > max(s, gs)}
                if on:
                    touching += 1
                    hits += model.techniques[int(np.argmax(tech[i + k]))] in on
        i += len(d.sentences)
    return SentenceSpanResult(
        language, len(held), sum(len(v) for v in gold.values()), sum(len(v) for v in pred.values()),
        round(si.precision, 4), round(si.recall, 4), round(si.f1, 4), round(every.f1, 4),
        round(hits / touching, 4) if touching else 0.0,
    )  # fmt: skip


def evaluate_all(
    model: SentenceSpanModel, data_dir: Path, cache: Path | None = None
) -> list[SentenceSpanResult]:
    return [evaluate_language(model, data_dir, lang, cache) for lang in LANGUAGES]
