"""Paragraph techniques, framing and genre (SemEval-2023 Task 3): a fast n-gram model for English, a blend of
the n-gram and multilingual-e5 heads for the other five training languages, the e5 heads alone elsewhere.

Chosen per language by held-out score per second (docs/BENCHMARKS.md): on English the n-gram heads score as
well as the e5 heads (ST3 micro-F1 0.368 vs 0.372) in ~2 % of the time; on fr, de, it, pl and ru the encoder
runs anyway and the blend of both scores best; outside training only the multilingual encoder can read the
text at all (zero-shot).
"""

from __future__ import annotations

import numpy as np

from unspin.analyzers.base import Analyzer, FindingMaker, Section
from unspin.datasets.semeval2023 import LANGUAGES
from unspin.model import ArticleClass, LabelScore, ParagraphTechniques
from unspin.models.paragraph_model import ParagraphHeads
from unspin.models.registry import ModelRegistry
from unspin.nlp.doc import Doc
from unspin.taxonomy import display_name

NGRAM_LANGUAGES = {"en"}
MIN_CLASSIFY_WORDS = 50  # below this the body is a snippet, not an article: no frames or genre
MAX_PARAGRAPHS = 300  # embedding costs ~0.8 ms a word: a book-length input is labelled up to here only


def role_for(language: str, models: ModelRegistry) -> str:
    """The registry role that reads a language: n-grams for English, the blend for the languages its
    blend.json lists (read without loading the blend, so a zero-shot language loads no n-gram weights)."""
    if language in NGRAM_LANGUAGES:
        return "paragraph_ngram"
    if language in models.metadata("paragraph_blend").languages:
        return "paragraph_blend"
    return "paragraph_heads"


def analyze(doc: Doc, models: ModelRegistry) -> Section:
    """Techniques per paragraph (title first), the article's frames and its genre."""
    section = Section()
    role = role_for(doc.language, models)
    model: ParagraphHeads = models.get(role)  # loaded even for a short text: Pipeline.load() warms up on one
    name = models.folder(role).name
    if doc.word_count < MIN_CLASSIFY_WORDS:
        # Frames and genre are properties of an article: a few words give the model nothing to go on, and
        # it would still name a confident genre for a single letter.
        section.notes.append(
            f"No framing or genre verdict: the body has {doc.word_count} words, under the "
            f"{MIN_CLASSIFY_WORDS} needed to classify an article."
        )
        section.fields["paragraphs"] = []
        section.fields["classification"] = None
        return section
    parts = [(p, para) for p in doc.parts for para in p.paragraphs]
    if len(parts) > MAX_PARAGRAPHS:
        section.notes.append(
            f"Paragraph techniques, framing and genre use the first {MAX_PARAGRAPHS} of {len(parts)} paragraphs."
        )
        parts = parts[:MAX_PARAGRAPHS]
    texts = [p.text[para.start : para.end] for p, para in parts]
    probs, fp, gp = model.predict_proba(texts)
    make = FindingMaker("paragraph")
    rows = []
    for i, ((part, para), row) in enumerate(zip(parts, probs, strict=True)):
        chosen = [j for j in np.argsort(-row) if row[j] >= model.technique_thresholds[j]]
        labels = [LabelScore(label=model.techniques[j], probability=round(float(row[j]), 4)) for j in chosen]
        rows.append(
            ParagraphTechniques(index=i, field=part.field, start=para.start, end=para.end, techniques=labels)
        )
        if labels:
            names = ", ".join(display_name(x.label) for x in labels)
            section.findings.append(
                make(
                    doc,
                    part.field,
                    para.start,
                    para.end,
                    names,
                    labels[0].probability,
                    f"Paragraph-level techniques (SemEval-2023 taxonomy): {names}.",
                    paragraph=i,
                )
            )
    frames = [
        LabelScore(label=model.frames[j], probability=round(float(fp[j]), 4))
        for j in np.argsort(-fp)
        if fp[j] >= model.frame_thresholds[j]
    ]
    genres = [
        LabelScore(label=g, probability=round(float(p), 4)) for g, p in zip(model.genres, gp, strict=True)
    ]
    zero_shot = doc.language not in LANGUAGES
    if zero_shot:
        section.notes.append(
            f"Paragraph techniques, framing and genre for '{doc.language}' are zero-shot: the multilingual model "
            "was trained on en, fr, de, it, pl and ru."
        )
    section.fields["paragraphs"] = rows
    section.fields["classification"] = ArticleClass(
        frames=frames,
        genre=max(genres, key=lambda g: g.probability),
        genre_probabilities=genres,
        zero_shot=zero_shot,
        model=name,
    )
    return section


class ParagraphsAnalyzer(Analyzer):
    name = "paragraphs"
    provides = ("report.paragraphs", "report.classification")
    models = ("paragraph_ngram", "paragraph_heads", "paragraph_blend")

    def run(self, doc: Doc, models: ModelRegistry) -> Section:
        return analyze(doc, models)

    def load(self, models: ModelRegistry, language: str = "en") -> None:
        models.get(role_for(language, models))
