"""Features that training and evaluation share: e5 vectors of SemEval-2023 paragraphs and of the sentences
unspin's parser cuts, cached on disk by article, so that a model is scored on exactly what it was fit on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.semeval2023 import ParagraphArticle, SpanArticle
from unspin.models.e5_embedder import CachedEncoder
from unspin.models.registry import ModelRegistry
from unspin.models.sentence_spans import MAX_SENTENCES, sentence_features


@dataclass
class Embedded:
    """One article's labelled paragraph lines and their vectors."""

    article: ParagraphArticle
    lines: list[int]
    texts: list[str]  # the paragraphs, as embedded
    vectors: np.ndarray


def paragraph_lines(a: ParagraphArticle) -> list[tuple[int, str]]:
    """The article's paragraph lines (1-based, as in the organisers' templates), non-empty only."""
    file_lines = a.text.split("\n")
    numbers = sorted(set(a.paragraphs) | set(a.techniques))
    out = []
    for n in numbers:
        text = a.paragraphs.get(n) or (file_lines[n - 1] if 0 < n <= len(file_lines) else "")
        if text.strip():
            out.append((n, text))
    return out


def embed_articles(
    articles: list[ParagraphArticle], cache: Path | None = None, encoder: CachedEncoder | None = None
) -> list[Embedded]:
    """Embed every labelled paragraph once (with the shipped encoder unless ``encoder`` is given); vectors are
    cached on disk by article id when a cache is given."""
    out = []
    for a in articles:
        path = cache / f"{a.language}-{a.id}.npy" if cache else None
        lines = paragraph_lines(a)
        if path and path.exists():
            vectors = np.load(path)
        else:
            encoder = encoder or ModelRegistry().get("encoder")
            vectors = encoder.embed([t for _, t in lines])
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vectors)
        out.append(Embedded(a, [n for n, _ in lines], [t for _, t in lines], vectors))
    return out


@dataclass
class EmbeddedSentences:
    article: SpanArticle
    sentences: list[tuple[int, int]]
    features: np.ndarray


def doc_sentences(a: SpanArticle) -> list[tuple[int, int]]:
    """The article's sentences as unspin's parser cuts them, so that training sees the analyser's sentences."""
    from unspin.model import Article
    from unspin.nlp import parse

    doc = parse(Article(title="", body=a.text), language=a.language)
    return [(s.start, s.end) for s in doc.body.sentences][:MAX_SENTENCES]


def embed_sentences(
    articles: list[SpanArticle], cache: Path | None = None, encoder: CachedEncoder | None = None
) -> list[EmbeddedSentences]:
    """Every sentence of every article embedded once (with the shipped encoder unless ``encoder`` is given);
    cached on disk by language and article id."""
    out = []
    for a in articles:
        sentences = doc_sentences(a)
        path = cache / f"doc-sentences-{a.language}-{a.id}.npy" if cache else None
        if path and path.exists():
            vectors = np.load(path)
        else:
            encoder = encoder or ModelRegistry().get("encoder")
            vectors = encoder.embed([a.text[s:e] for s, e in sentences])
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vectors)
        out.append(EmbeddedSentences(a, sentences, sentence_features(vectors)))
    return out


def predicted_spans(
    data: list[EmbeddedSentences], p_any: np.ndarray, threshold: float
) -> dict[str, list[tuple[int, int]]]:
    """Article key -> the sentences whose "any technique" probability passes the threshold."""
    out: dict[str, list[tuple[int, int]]] = {}
    i = 0
    for d in data:
        key = f"{d.article.language}-{d.article.id}"
        out[key] = [sent for k, sent in enumerate(d.sentences) if p_any[i + k] >= threshold]
        i += len(d.sentences)
    return out


def gold_spans(data: list[EmbeddedSentences]) -> dict[str, list[tuple[int, int]]]:
    return {f"{d.article.language}-{d.article.id}": [(s, e) for s, e, _ in d.article.spans] for d in data}
