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
    """One document's sentences (offsets into ``Document.text``), their vectors, and for each mention the
    vector of its own text and its contextual state in its sentence."""

    spans: np.ndarray  # (n, 2) int
    vectors: np.ndarray  # (n, 384) float32
    names: np.ndarray  # (mentions, 384) float32, in Document.mentions order
    states: np.ndarray  # (mentions, 384) float32


def pieces_in(text: str, pieces: tuple[str, ...], start: int, end: int) -> list[int]:
    """The word pieces of ``text`` that cover characters [start, end): pieces are matched to the text by
    counting its non-space characters ("▁" marks a space and counts none)."""
    a = sum(1 for ch in text[:start] if not ch.isspace())
    b = a + sum(1 for ch in text[start:end] if not ch.isspace())
    out, pos = [], 0
    for j, p in enumerate(pieces):
        n = len(p.replace("\u2581", ""))
        if n and pos < b and pos + n > a:
            out.append(j)
        pos += n
    return out


def mention_states(
    encoder: CachedEncoder, sentences: list[str], where: list[tuple[int, int, int]], fallback: np.ndarray
) -> np.ndarray:
    """For each (sentence index, start, end in that sentence), the mean contextual state of the mention's
    pieces in its sentence (``fallback[i]`` where none align). The encoder remembers a sentence's states
    from the pass that embedded it, so this costs no second pass for sentence-sized texts."""
    if not where:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    keys = sorted({k for k, _, _ in where})
    states = dict(zip(keys, encoder.token_states([sentences[k] for k in keys]), strict=True))
    out = np.zeros((len(where), encoder.dim), dtype=np.float32)
    for i, (k, a, b) in enumerate(where):
        st = states[k]
        idx = pieces_in(sentences[k], st.pieces, a, b)
        out[i] = st.states[idx].astype(np.float32).mean(axis=0) if idx else fallback[i]
    return out


_KEYS = ("spans", "vectors", "names", "states")


def embed_document(doc: Document, encoder: CachedEncoder, cache: Path | None) -> DocVectors:
    path = cache / doc.language / f"{doc.id}.npz" if cache else None
    spans = cut_sentences(doc.text)[:MAX_SENTENCES]
    texts = [doc.text[s:e] for s, e in spans]
    vectors = names = None
    if path and path.exists():
        z = np.load(path)
        if len(z["names"]) == len(doc.mentions):
            if "states" in z:
                return DocVectors(*(z[k].astype(np.float32 if k != "spans" else np.int64) for k in _KEYS))
            vectors, names = z["vectors"].astype(np.float32), z["names"].astype(np.float32)
    if vectors is None or names is None:
        vectors = encoder.embed(texts)
        names = encoder.embed([m.text for m in doc.mentions]) if doc.mentions else np.zeros((0, encoder.dim))
    span_array = np.array(spans, dtype=np.int64).reshape(-1, 2)
    where = []
    for m in doc.mentions:
        k = sentence_index(span_array, m.start)
        s0 = int(span_array[k, 0]) if len(span_array) else 0
        where.append((k, max(0, m.start - s0), max(0, m.end - s0)))
    states = mention_states(encoder, texts, where, names) if len(texts) else names.copy()
    # Rounded through float16 as the cache stores them, so a fresh and a cached run fit the same numbers.
    half = [np.asarray(a).astype(np.float16).astype(np.float32) for a in (vectors, names, states)]
    out = DocVectors(span_array, *half)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{k: getattr(out, k).astype(np.float16 if k != "spans" else np.int64) for k in _KEYS})
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


def embed_lead(doc: Document, encoder: CachedEncoder, language: str = "en") -> DocVectors:
    """Only the sentences the storyline analyser reads of ``doc`` in ``language`` (the title and the lead in
    English, ``models.storylines.read_count``), embedded; no mentions."""
    from unspin.models.storylines import read_count

    spans = np.array(cut_sentences(doc.text), dtype=np.int64).reshape(-1, 2)
    k = read_count([len(doc.text[a:b].split()) for a, b in spans], language)
    texts = [doc.text[a:b] for a, b in spans[:k]]
    empty = np.zeros((0, encoder.dim), dtype=np.float32)
    return DocVectors(spans[:k], encoder.embed(texts) if texts else empty, empty, empty)
