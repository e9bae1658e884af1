"""Labelled claim-case pairs and their features, shared by `unspin train claim-matcher` and the evaluator.

Pairs come from data/annotations/claim_matching.jsonl (ids and offsets into ../shared/data, cases by
knowledge-base id); each becomes a feature row with the claim's e5 embedding scored against the case's
stored vector. Embeddings are cached in build/ (the encoder costs 10-40 ms a text on a shared CPU).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from unspin.errors import UnspinError
from unspin.eval.claim_sources import source_text
from unspin.kb.store import KBError, SqliteKB
from unspin.kb.verifier import case_text
from unspin.models.claim_match_features import CaseText, headline_for, pair_features
from unspin.models.e5_embedder import CachedEncoder
from unspin.models.mpnet import MPNetEncoder

LABELS = ("same-claim", "related", "unrelated")
ANNOTATIONS = Path("data/annotations/claim_matching.jsonl")
CACHE = Path("build/claim-matching-embeddings.npz")


@dataclass
class Pair:
    pair_id: str
    claim_source: str
    claim_row_id: str
    claim: str
    case_id: str
    label: str
    split: str


def load_pairs(data: Path, path: Path = ANNOTATIONS) -> list[Pair]:
    """The labelled pairs with their claim text cut from ../shared/data; a malformed line is an UnspinError."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            if r["label"] not in LABELS:
                raise ValueError(f"unknown label {r['label']!r} (one of {', '.join(LABELS)})")
            text = source_text(data, r["claim_source"], str(r["claim_row_id"]))
            start, end = int(r["start"]), int(r["end"])
            if not 0 <= start < end <= len(text):
                raise ValueError(f"offsets {start}-{end} outside the text ({len(text)} characters)")
            out.append(
                Pair(
                    r["pair_id"],
                    r["claim_source"],
                    str(r["claim_row_id"]),
                    text[start:end],
                    r["case_id"],
                    r["label"],
                    r["split"],
                )
            )
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise UnspinError(f"{path}:{n}", reason) from exc
    return out


class EmbeddingCache:
    """e5 passage embeddings by text hash, kept in one .npz under build/."""

    def __init__(self, path: Path = CACHE) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as z:
                self.vectors = {k: z[k] for k in z.files}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str], batch: int = 32) -> np.ndarray:
        from unspin.models.registry import ModelRegistry

        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        encoder = ModelRegistry().get("encoder") if missing else None  # loaded only when something is new
        for i in range(0, len(missing), batch):
            assert encoder is not None
            chunk = missing[i : i + batch]
            for t, v in zip(chunk, encoder.embed(chunk), strict=True):
                self.vectors[self.key(t)] = np.asarray(v, dtype=np.float32)
        if missing:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, **self.vectors)  # type: ignore[arg-type]
        return np.stack([self.vectors[self.key(t)] for t in texts]) if texts else np.zeros((0, 384))


def _features(claim: str, case: CaseText, cosine: float | None, encoder: CachedEncoder) -> np.ndarray:
    """Every FEATURES column, the sentence encoder's cosine included (a model reads the first k it knows)."""
    headline = headline_for(claim, case)
    claim_states, headline_states = encoder.token_states([claim, headline])
    sentence = sentence_encoder().cosine(claim, headline)
    return pair_features(claim, case, cosine, claim_states, headline_states, sentence)


def pair_matrix(pairs: list[Pair], kb: SqliteKB, cache: EmbeddingCache) -> np.ndarray:
    """Feature rows of the pairs: each case read from ``kb`` (the full EUvsDisinfo import)."""
    vectors = cache.embed([p.claim for p in pairs])
    encoder = shipped_encoder()
    rows = []
    for p, vec in zip(pairs, vectors, strict=True):
        entry = kb.get(p.case_id)
        if entry is None:
            raise KBError(str(kb.path), f"case {p.case_id} of pair {p.pair_id} is not in the knowledge base")
        cos = kb.dense_scores(vec, [p.case_id]).get(p.case_id)
        rows.append(_features(p.claim, case_text(entry), cos, encoder))
    return np.stack(rows)


def text_pair_matrix(pairs: list[tuple[str, CaseText]], cache: EmbeddingCache) -> np.ndarray:
    """Feature rows of (claim, case) pairs given as text (auxiliary training data), both sides embedded."""
    claims = cache.embed([c for c, _ in pairs])
    cases = cache.embed([k.title for _, k in pairs])
    encoder = shipped_encoder()
    return np.stack(
        [
            _features(c, k, float(np.dot(a, b)), encoder)
            for (c, k), a, b in zip(pairs, claims, cases, strict=True)
        ]
    )


@cache
def sentence_encoder() -> MPNetEncoder:
    """The registry's sentence encoder (all-mpnet-base-v2); it remembers recent texts' vectors."""
    from unspin.models.registry import ModelRegistry

    return ModelRegistry().get("sentence_encoder")  # type: ignore[no-any-return]


def shipped_encoder() -> CachedEncoder:
    """The registry's e5 encoder: token states are not cached on disk (they are cheap beside the vectors)."""
    from unspin.models.registry import ModelRegistry

    return ModelRegistry().get("encoder")  # type: ignore[no-any-return]
