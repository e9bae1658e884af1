"""e5 sentence vectors of SemEval-2025 Task 10 documents, computed once and cached on disk by document.

Training and evaluation read the same cache, so a model is scored on exactly the vectors it was fit on. The
sentences are cut by ``cut_sentences`` (lines, then sentence-final punctuation): the analysers read the
parser's sentences instead, and both are pooled by a mean, which a different cut barely moves.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.datasets.semeval2025 import Document
from unspin.models.e5_embedder import CachedEncoder

_END = re.compile(r"(?<=[.!?।…»\"”])\s+(?=[\"“«(\[A-ZА-ЯЁ0-9\u0900-\u097F])|(?<=[.!?।])\s+")
MAX_SENTENCES = 400  # as the sentence heads: a longer text is cut here


def cut_sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence of ``text`` from ``start``: lines, then sentence-final stops."""
    out: list[tuple[int, int]] = []
    pos = start
    for line in text[start:].split("\n"):
        a = 0
        for m in _END.finditer(line):
            out.append((pos + a, pos + m.start()))
            a = m.end()
        out.append((pos + a, pos + len(line)))
        pos += len(line) + 1
    cleaned = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 2:
            cleaned.append((s, e))
    return cleaned


@dataclass
class DocVectors:
    """One document's sentences (offsets into ``Document.text``), their vectors, and its mentions' names'."""

    spans: np.ndarray  # (n, 2) int
    vectors: np.ndarray  # (n, 384) float32
    names: np.ndarray  # (mentions, 384) float32, in Document.mentions order


def embed_document(doc: Document, encoder: CachedEncoder, cache: Path | None) -> DocVectors:
    path = cache / doc.language / f"{doc.id}.npz" if cache else None
    if path and path.exists():
        z = np.load(path)
        if len(z["names"]) == len(doc.mentions):
            return DocVectors(z["spans"], z["vectors"].astype(np.float32), z["names"].astype(np.float32))
    spans = cut_sentences(doc.text)[:MAX_SENTENCES]
    vectors = encoder.embed([doc.text[s:e] for s, e in spans])
    names = encoder.embed([m.text for m in doc.mentions]) if doc.mentions else np.zeros((0, encoder.dim))
    out = DocVectors(np.array(spans, dtype=np.int64).reshape(-1, 2), vectors, names.astype(np.float32))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, spans=out.spans, vectors=out.vectors.astype(np.float16), names=out.names.astype(np.float16))
    return out


def embed_all(docs: list[Document], cache: Path | None, echo=print) -> list[DocVectors]:  # type: ignore[no-untyped-def]
    from unspin.models.registry import ModelRegistry

    encoder = ModelRegistry().get("encoder")
    out = []
    for i, d in enumerate(docs):
        out.append(embed_document(d, encoder, cache))
        if echo and (i + 1) % 100 == 0:
            echo(f"embedded {i + 1}/{len(docs)} documents")
    return out


def sentence_index(spans: np.ndarray, start: int) -> int:
    """The sentence holding offset ``start`` (the nearest one before it, else the first)."""
    if not len(spans):
        return 0
    i = bisect.bisect_right(list(spans[:, 0]), start) - 1
    return max(0, min(i, len(spans) - 1))
