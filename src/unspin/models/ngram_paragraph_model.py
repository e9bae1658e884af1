"""Runtime of the fast paragraph, framing and genre heads: linear models over hashed word and character n-grams.

Why next to the e5 heads (paragraph_model.py): the multilingual encoder costs ~0.8 ms a word on 2 cores, so an
800-word article took ~880 ms; these heads take ~20 ms and score within a few points of it on the six training
languages (see the model card). The encoder heads remain for languages outside training (zero-shot).

Features are the check-worthiness featuriser's (crc32-hashed word 1-2-grams and character 2-5-grams inside
words), restricted to the hashed columns seen in at least MIN_DF training paragraphs; sublinear TF x IDF, each
block L2-normalised. Paragraph heads read the paragraph alone: appending the article's features to every
paragraph made training ~50 times slower (every row dense with the article's n-grams); the article's n-grams
feed the frame and genre heads.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from unspin.models.checkworthiness import BLOCK, ngram_counts
from unspin.models.paragraph_model import ParagraphHeads, Probabilities, sigmoid, softmax

MIN_DF = 3
MAX_ARTICLE_CHARS = 20_000  # frames and genre read the first 20,000 characters of the article


class NgramFeaturizer:
    """Hashed n-gram counts -> TF-IDF rows over the kept columns (same code in training and inference)."""

    def __init__(self, columns: np.ndarray, idf: np.ndarray) -> None:
        self.columns = columns.astype(np.int64)
        self.idf = idf.astype(np.float32)
        self.index = np.full(2 * BLOCK, -1, dtype=np.int32)
        self.index[self.columns] = np.arange(len(self.columns), dtype=np.int32)

    @property
    def dim(self) -> int:
        return len(self.columns)

    def rows(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts (data, indices, indptr) of the texts' feature rows."""
        data: list[np.ndarray] = []
        indices: list[np.ndarray] = []
        indptr = [0]
        for text in texts:
            n = 0
            for offset, counts in zip((0, BLOCK), ngram_counts(text), strict=True):
                if not counts:
                    continue
                keys = self.index[np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)) + offset]
                tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
                kept = keys >= 0
                keys, tf = keys[kept], tf[kept]
                v = (1.0 + np.log(tf)) * self.idf[keys]
                norm = float(np.sqrt(v @ v))
                data.append(v / norm if norm else v)
                indices.append(keys)
                n += len(keys)
            indptr.append(indptr[-1] + n)
        if not data:
            return np.zeros(0, np.float32), np.zeros(0, np.int32), np.asarray(indptr)
        return np.concatenate(data), np.concatenate(indices), np.asarray(indptr)

    def matrix(self, texts: list[str]):  # type: ignore[no-untyped-def]
        """A scipy CSR matrix of the rows (training and evaluation)."""
        from scipy.sparse import csr_matrix

        data, indices, indptr = self.rows(texts)
        return csr_matrix((data, indices, indptr), shape=(len(texts), self.dim), dtype=np.float32)


def sparse_dot(parts: tuple[np.ndarray, np.ndarray, np.ndarray], w: np.ndarray) -> np.ndarray:
    """rows @ w.T for CSR parts and a dense (labels, dim) weight matrix, without scipy."""
    data, indices, indptr = parts
    out = np.zeros((len(indptr) - 1, w.shape[0]), dtype=np.float32)
    for i in range(len(indptr) - 1):
        lo, hi = indptr[i], indptr[i + 1]
        if hi > lo:
            out[i] = w[:, indices[lo:hi]] @ data[lo:hi]
    return out


class NgramParagraphModel(ParagraphHeads):
    """Same outputs as ParagraphModel, from n-grams: techniques per paragraph, frames, genre."""

    def __init__(self, folder: Path) -> None:
        arrays = np.load(folder / "weights.npz")
        self._read_meta(json.loads((folder / "meta.json").read_text(encoding="utf-8")))
        self.featurizer = NgramFeaturizer(arrays["columns"], arrays["idf"])
        self.tech_w, self.tech_b = arrays["technique_w"].astype(np.float32), arrays["technique_b"]
        self.frame_w, self.frame_b = arrays["frame_w"].astype(np.float32), arrays["frame_b"]
        self.genre_w, self.genre_b = arrays["genre_w"].astype(np.float32), arrays["genre_b"]

    def paragraph_probs(self, paragraphs: list[str]) -> np.ndarray:
        if not paragraphs:
            return np.zeros((0, len(self.techniques)), dtype=np.float32)
        return sigmoid(sparse_dot(self.featurizer.rows(paragraphs), self.tech_w) + self.tech_b)

    def predict_proba(self, paragraphs: list[str]) -> Probabilities:
        # Frames and genre read the article (its paragraphs joined), featurised once for both heads.
        parts = self.featurizer.rows(["\n".join(paragraphs)[:MAX_ARTICLE_CHARS]])
        fp = sigmoid(sparse_dot(parts, self.frame_w)[0] + self.frame_b)
        gp = softmax(sparse_dot(parts, self.genre_w)[0] + self.genre_b)
        return self.paragraph_probs(paragraphs), fp, gp
