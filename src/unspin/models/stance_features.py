"""Features of a (headline, body) pair for the FNC-1 stance model, shared by training and inference.

The core is the UCL FNC-1 system (Riedel et al. 2017): term-frequency vectors of headline and body over a
5,000-word vocabulary plus their TF-IDF cosine. On top, lexical cues the organisers' baseline used
(headline n-grams found in the body and in its lead, refuting and hedging words) and the best
headline-to-sentence match, because "discuss" and "disagree" live in a few body sentences, not in the
whole body's bag of words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
REFUTING = frozenset(
    [
        "fake",
        "fraud",
        "hoax",
        "false",
        "deny",
        "denies",
        "denied",
        "denying",
        "not",
        "despite",
        "nope",
        "doubt",
        "doubts",
        "bogus",
        "debunk",
        "debunked",
        "debunks",
        "prank",
        "pranks",
        "retract",
        "retracted",
        "refute",
        "refuted",
        "refutes",
        "untrue",
        "misleading",
        "no",
        "never",
    ]
)
HEDGING = frozenset(
    [
        "reportedly",
        "allegedly",
        "according",
        "claims",
        "claimed",
        "claim",
        "rumor",
        "rumors",
        "rumour",
        "rumours",
        "unconfirmed",
        "unverified",
        "may",
        "might",
        "could",
        "appears",
        "apparently",
        "purportedly",
        "supposedly",
        "believed",
        "suggests",
        "suggest",
        "said",
        "says",
        "report",
        "reports",
        "reported",
        "sources",
    ]
)
LEAD_CHARS = 255  # the baseline's "intro" of a body
N_HAND = 25


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@dataclass
class Vocabulary:
    """Term ids, IDF weights and the stop words left out of the vocabulary."""

    terms: dict[str, int]
    idf: np.ndarray
    stop: frozenset[str]
    # IDF of every word seen in training, not only the 5,000 kept: test topics bring new names, and a
    # similarity over the fixed vocabulary cannot see them. Unseen words get the IDF of a singleton.
    open_idf: dict[str, float]
    unseen_idf: float

    def tf(self, toks: list[str]) -> np.ndarray:
        """L2-normalised term frequencies (the UCL representation)."""
        v = np.zeros(len(self.terms), dtype=np.float32)
        for t in toks:
            i = self.terms.get(t)
            if i is not None:
                v[i] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def tfidf(self, toks: list[str]) -> np.ndarray:
        v = self.tf(toks) * self.idf
        n = float(np.linalg.norm(v))
        return v / n if n else v


def open_vector(vocab: Vocabulary, toks: list[str]) -> dict[str, float]:
    """L2-normalised TF-IDF over the open vocabulary, as a sparse dict."""
    counts: dict[str, float] = {}
    for t in toks:
        if t not in vocab.stop:
            counts[t] = counts.get(t, 0.0) + 1.0
    v = {t: c * vocab.open_idf.get(t, vocab.unseen_idf) for t, c in counts.items()}
    n = math.sqrt(sum(x * x for x in v.values()))
    return {t: x / n for t, x in v.items()} if n else v


def dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def _ngrams(toks: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def _share(needles: set[tuple[str, ...]], hay: set[tuple[str, ...]]) -> float:
    return len(needles & hay) / len(needles) if needles else 0.0


@dataclass
class Body:
    """What the features need from a body, computed once per body (FNC-1 pairs share bodies)."""

    toks: list[str]
    content: set[str]
    ngrams: list[set[tuple[str, ...]]]  # n = 1..4 over the whole body
    lead_ngrams: list[set[tuple[str, ...]]]  # the same over its lead
    lead_tfidf: np.ndarray
    tf: np.ndarray
    tfidf: np.ndarray
    sentences: list[list[str]]
    sentence_tfidf: np.ndarray  # (sentences, vocabulary)
    open: dict[str, float]
    open_lead: dict[str, float]
    open_sentences: list[dict[str, float]]
    refuting: int
    hedging: int


def body_parts(vocab: Vocabulary, body: str) -> Body:
    b = tokens(body)
    lead = tokens(body[:LEAD_CHARS])
    sentences = [st for st in (tokens(s) for s in _SENTENCE.split(body)) if st]
    matrix = (
        np.stack([vocab.tfidf(st) for st in sentences])
        if sentences
        else np.zeros((0, len(vocab.terms)), dtype=np.float32)
    )
    return Body(
        toks=b,
        content={t for t in b if t not in vocab.stop},
        ngrams=[_ngrams(b, n) for n in (1, 2, 3, 4)],
        lead_ngrams=[_ngrams(lead, n) for n in (1, 2, 3, 4)],
        lead_tfidf=vocab.tfidf(lead),
        tf=vocab.tf(b),
        tfidf=vocab.tfidf(b),
        sentences=sentences,
        sentence_tfidf=matrix,
        open=open_vector(vocab, b),
        open_lead=open_vector(vocab, lead),
        open_sentences=[open_vector(vocab, st) for st in sentences],
        refuting=sum(t in REFUTING for t in b),
        hedging=sum(t in HEDGING for t in b),
    )


def hand_features(vocab: Vocabulary, headline: str, body: Body) -> np.ndarray:
    """N_HAND lexical features of a pair: overlap, n-gram hits, refuting and hedging cues, best sentence."""
    h = tokens(headline)
    h_content = {t for t in h if t not in vocab.stop}
    f: list[float] = []
    union = h_content | body.content
    f.append(len(h_content & body.content) / len(union) if union else 0.0)  # Jaccard of content words
    f.append(len(h_content & body.content) / len(h_content) if h_content else 0.0)  # headline words found
    for n in (1, 2, 3, 4):  # headline n-grams in the body and in its lead
        hn = _ngrams(h, n)
        f.append(_share(hn, body.ngrams[n - 1]))
        f.append(_share(hn, body.lead_ngrams[n - 1]))
    h_ref = sum(t in REFUTING for t in h)
    scale = max(len(body.toks), 1) / 100.0
    f += [float(h_ref > 0), h_ref % 2, body.refuting / scale, body.hedging / scale, float("?" in headline)]
    # The body sentence closest to the headline: how close, and whether it refutes or hedges.
    hv = vocab.tfidf(h)
    best, best_toks = 0.0, []
    if len(body.sentences):
        sims = body.sentence_tfidf @ hv
        i = int(np.argmax(sims))
        best, best_toks = float(sims[i]), body.sentences[i]
    f += [
        best,
        float(any(t in REFUTING for t in best_toks)),
        float(any(t in HEDGING for t in best_toks)),
        float(np.log1p(len(body.toks))) / 10.0,
        float(np.log1p(len(h))) / 5.0,
        float(hv @ body.lead_tfidf),
    ]
    ho = open_vector(vocab, h)
    mass = sum(vocab.open_idf.get(t, vocab.unseen_idf) for t in h_content)
    found = sum(vocab.open_idf.get(t, vocab.unseen_idf) for t in h_content & body.content)
    f += [
        dot(ho, body.open),
        max((dot(ho, s) for s in body.open_sentences), default=0.0),
        dot(ho, body.open_lead),
        found / mass if mass else 0.0,  # share of the headline's rare-word weight that the body repeats
    ]
    assert len(f) == N_HAND
    return np.asarray(f, dtype=np.float32)


def pair_features(vocab: Vocabulary, headline: str, body: Body) -> np.ndarray:
    """[headline TF, body TF, TF-IDF cosine, hand features] of one pair."""
    h = tokens(headline)
    cos = float(vocab.tfidf(h) @ body.tfidf)
    return np.concatenate([vocab.tf(h), body.tf, [cos], hand_features(vocab, headline, body)]).astype(
        np.float32
    )
