"""Paragraph techniques, framing and genre (SemEval-2023 Task 3) from the multilingual paragraph model."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from unspin.analyzers.base import FindingMaker, Section
from unspin.datasets.semeval2023 import LANGUAGES
from unspin.model import ArticleClass, LabelScore, ParagraphTechniques
from unspin.models import artifact
from unspin.models.paragraph_model import ParagraphModel, embed, features
from unspin.nlp.doc import Doc

PARAGRAPH_MODEL = "semeval23-e5-heads-v1"
MAX_PARAGRAPHS = 300  # embedding costs ~0.8 ms a word: a book-length input is labelled up to here only


@lru_cache(maxsize=1)
def paragraph_model() -> ParagraphModel:
    """The shipped heads, loaded once (the encoder loads on first use)."""
    return ParagraphModel(artifact(PARAGRAPH_MODEL))


def analyze(doc: Doc) -> Section:
    """Techniques per paragraph (title first), the article's frames and its genre."""
    section = Section()
    model = paragraph_model()
    parts = [(p, para) for p in doc.parts for para in p.paragraphs]
    if len(parts) > MAX_PARAGRAPHS:
        section.notes.append(
            f"Paragraph techniques, framing and genre use the first {MAX_PARAGRAPHS} of {len(parts)} paragraphs."
        )
        parts = parts[:MAX_PARAGRAPHS]
    texts = [p.text[para.start : para.end] for p, para in parts]
    pf, article = features(embed(texts))
    probs = model.paragraph_probs(pf) if len(pf) else np.zeros((0, len(model.techniques)))
    make = FindingMaker("paragraph")
    rows = []
    for i, ((part, para), row) in enumerate(zip(parts, probs, strict=True)):
        chosen = [j for j in np.argsort(-row) if row[j] >= model.technique_thresholds[j]]
        labels = [LabelScore(label=model.techniques[j], probability=round(float(row[j]), 4)) for j in chosen]
        rows.append(
            ParagraphTechniques(index=i, field=part.field, start=para.start, end=para.end, techniques=labels)
        )
        if labels:
            names = ", ".join(x.label.replace("_", " ") for x in labels)
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
    fp, gp = model.frame_probs(article), model.genre_probs(article)
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
        model=PARAGRAPH_MODEL,
    )
    return section
