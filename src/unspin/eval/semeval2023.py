"""SemEval-2023 Task 3 subtasks 1-3 on the held-out 20 % of each language's train set (official metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.semeval2023 import LANGUAGES, inventory, load_semeval2023, split_by_article
from unspin.eval.scorers import multilabel_f1, single_label_f1
from unspin.models.ngram_paragraph_model import NgramParagraphModel
from unspin.models.paragraph_model import ParagraphModel, features
from unspin.train.paragraphs import embed_articles, paragraph_lines


@dataclass
class LanguageResult:
    language: str
    articles: int
    paragraphs: int
    st3_micro_f1: float
    st3_macro_f1: float
    st2_micro_f1: float
    st2_macro_f1: float
    st1_macro_f1: float
    st1_micro_f1: float


def evaluate_language(
    model: ParagraphModel | NgramParagraphModel,
    data_dir: Path,
    language: str,
    seed: int = 13,
    cache: Path | None = None,
) -> LanguageResult:
    """Score the held-out articles of one language."""
    _, held = split_by_article(load_semeval2023(data_dir, language), seed=seed)
    techniques, frames = inventory(data_dir, "techniques_subtask3"), inventory(data_dir, "frames_subtask2")
    gold3, pred3, gold2, pred2, gold1, pred1 = [], [], [], [], [], []
    if isinstance(model, NgramParagraphModel):
        for a in held:
            lines = paragraph_lines(a)
            texts = [t for _, t in lines]
            probs = model.paragraph_probs(texts)
            for i, (line, _) in enumerate(lines):
                if line in a.techniques:
                    gold3.append(a.techniques[line])
                    pred3.append(
                        [model.techniques[j] for j in np.flatnonzero(probs[i] >= model.technique_thresholds)]
                    )
            fp, gp = model.article_probs(texts)
            if a.frames is not None:
                gold2.append(a.frames)
                pred2.append([model.frames[j] for j in np.flatnonzero(fp >= model.frame_thresholds)])
            if a.genre:
                gold1.append(a.genre)
                pred1.append(model.genres[int(gp.argmax())])
    for e in [] if isinstance(model, NgramParagraphModel) else embed_articles(held, cache):
        assert isinstance(model, ParagraphModel)
        pf, article = features(e.vectors)
        probs = model.paragraph_probs(pf) if len(pf) else np.zeros((0, len(model.techniques)))
        for i, line in enumerate(e.lines):
            if line in e.article.techniques:
                gold3.append(e.article.techniques[line])
                pred3.append(
                    [model.techniques[j] for j in np.flatnonzero(probs[i] >= model.technique_thresholds)]
                )
        if e.article.frames is not None:
            fp = model.frame_probs(article)
            gold2.append(e.article.frames)
            pred2.append([model.frames[j] for j in np.flatnonzero(fp >= model.frame_thresholds)])
        if e.article.genre:
            gold1.append(e.article.genre)
            pred1.append(model.genres[int(model.genre_probs(article).argmax())])
    st3 = multilabel_f1(gold3, pred3, techniques)
    st2 = multilabel_f1(gold2, pred2, frames)
    st1 = single_label_f1(gold1, pred1)
    return LanguageResult(language, len(held), len(gold3), *st3, *st2, *st1)


def evaluate_all(
    model: ParagraphModel | NgramParagraphModel, data_dir: Path, cache: Path | None = None
) -> list[LanguageResult]:
    """Every language the data has (a language with no held-out article is left out, not scored as perfect)."""
    results = [evaluate_language(model, data_dir, lang, cache=cache) for lang in LANGUAGES]
    return [r for r in results if r.articles]
