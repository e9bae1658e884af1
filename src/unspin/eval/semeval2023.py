"""SemEval-2023 Task 3 subtasks 1-3 on the held-out 20 % of each language's train set (official metrics)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from unspin.datasets.semeval2023 import (
    LANGUAGES,
    ParagraphArticle,
    inventory,
    load_semeval2023,
    split_by_article,
)
from unspin.eval.protocol import Counts, micro_f1_interval, multilabel_counts
from unspin.eval.scorers import multilabel_f1, single_label_f1
from unspin.features import embed_articles, paragraph_lines
from unspin.models.ngram_paragraph_model import NgramParagraphModel
from unspin.models.paragraph_blend import BlendParagraphModel
from unspin.models.paragraph_model import ParagraphModel, Probabilities


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
    # 95 % bootstrap intervals over the held-out articles (eval/protocol.py)
    st3_micro_f1_interval: tuple[float, float] = (0.0, 0.0)
    st2_micro_f1_interval: tuple[float, float] = (0.0, 0.0)


AnyParagraphModel = ParagraphModel | NgramParagraphModel | BlendParagraphModel


def _predicted(
    model: AnyParagraphModel, held: list[ParagraphArticle], cache: Path | None
) -> Iterator[tuple[ParagraphArticle, list[int], Probabilities]]:
    """(article, its paragraph line numbers, the model's probabilities) for each held-out article."""
    if isinstance(model, ParagraphModel):  # embeddings come from (and go to) the cache
        for e in embed_articles(held, cache):
            yield e.article, e.lines, model.from_vectors(e.vectors)
        return
    if isinstance(model, BlendParagraphModel):
        for e in embed_articles(held, cache):
            yield e.article, e.lines, model.from_vectors(e.vectors, e.texts)
        return
    for a in held:
        lines = paragraph_lines(a)
        yield a, [n for n, _ in lines], model.predict_proba([t for _, t in lines])


def evaluate_language(
    model: AnyParagraphModel,
    data_dir: Path,
    language: str,
    seed: int = 13,
    cache: Path | None = None,
) -> LanguageResult:
    """Score the held-out articles of one language."""
    _, held = split_by_article(load_semeval2023(data_dir, language), seed=seed)
    techniques, frames = inventory(data_dir, "techniques_subtask3"), inventory(data_dir, "frames_subtask2")
    gold3: list[list[str]] = []
    pred3: list[list[str]] = []
    gold2, pred2, gold1, pred1 = [], [], [], []
    counts3: list[Counts] = []  # per article, for the bootstrap interval
    counts2: list[Counts] = []
    for a, lines, (tp, fp, gp) in _predicted(model, held, cache):
        first = len(gold3)
        for line, row in zip(lines, tp, strict=True):
            if line in a.techniques:
                gold3.append(a.techniques[line])
                pred3.append(model.paragraph_labels(row))
        counts3.append(multilabel_counts(gold3[first:], pred3[first:], techniques))
        if a.frames is not None:
            gold2.append(a.frames)
            pred2.append(model.frame_labels(fp))
            counts2.append(multilabel_counts(gold2[-1:], pred2[-1:], frames))
        if a.genre:
            gold1.append(a.genre)
            pred1.append(model.genres[int(gp.argmax())])
    st3 = multilabel_f1(gold3, pred3, techniques)
    st2 = multilabel_f1(gold2, pred2, frames)
    st1 = single_label_f1(gold1, pred1)
    return LanguageResult(
        language,
        len(held),
        len(gold3),
        *st3,
        *st2,
        *st1,
        micro_f1_interval(counts3),
        micro_f1_interval(counts2),
    )


def evaluate_all(
    model: AnyParagraphModel, data_dir: Path, cache: Path | None = None, languages: list[str] | None = None
) -> list[LanguageResult]:
    """Every language the data has, or ``languages`` (a language with no held-out article is left out, not
    scored as perfect)."""
    results = [evaluate_language(model, data_dir, lang, cache=cache) for lang in languages or LANGUAGES]
    return [r for r in results if r.articles]
