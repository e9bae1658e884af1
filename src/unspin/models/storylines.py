"""Runtime of the SemEval-2025 Task 10 heads: storylines (narratives) and entity roles over e5 sentence vectors.

Both read the vectors the shipped multilingual-e5-small encoder gives each sentence (models/e5_embedder.py):
- narratives: the article vector is the mean of its sentence vectors; one-vs-rest logistic heads give each
  coarse narrative and each fine subnarrative a logit, calibrated by one Platt scaling per level (fit on
  out-of-fold predictions of the training articles). A head is linear, so the article's logit is the mean of
  its sentences' logits plus the bias: the sentences whose own logit is highest are the ones that carry the
  label, which is the evidence the report shows.
- roles: a mention is read as [its contextual state, its sentence, the sentences around it, its own name, the
  article] vectors; a
  softmax head gives the main role (Protagonist, Antagonist, Innocent) and one-vs-rest heads the fine roles.

The heads are numpy matrices in heads.npz, the labels, thresholds and calibration in meta.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

OTHER = "Other"
# The encoder costs ~0.7 ms a word on two cores. Outside English the sentence heads embed every sentence anyway
# (the encoder remembers them), so the storylines read them all for free; in English nothing else embeds the
# body, so they read the title and the lead up to this many words (+150 ms budget for a 1,000-word article).
# On the held-out EN articles the lead scores within the interval of the whole text (docs/BENCHMARKS.md).
READ_WORDS: dict[str, int] = {"en": 200}


def read_count(sentence_words: list[int], language: str) -> int:
    """How many of the article's sentences (title first) the storyline heads read in ``language``."""
    limit = READ_WORDS.get(language.lower())
    if limit is None:
        return len(sentence_words)
    total = 0
    for k, n in enumerate(sentence_words):
        total += n
        if total > limit:
            return max(1, k)
    return len(sentence_words)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def article_vector(sentence_vectors: np.ndarray) -> np.ndarray:
    """The mean of an article's sentence vectors (zeros for an empty text)."""
    if not len(sentence_vectors):
        return np.zeros(sentence_vectors.shape[1] if sentence_vectors.ndim == 2 else 384, dtype=np.float32)
    return sentence_vectors.mean(axis=0).astype(np.float32)


def storyline_features(sentence_vectors: np.ndarray) -> np.ndarray:
    """The storyline heads' input: [the mean sentence vector, the first sentence's (the title's)].

    The title alone names the storyline more often than any body sentence (out of fold it added about 0.03
    samples-F1, docs/BENCHMARKS.md), and the mean keeps the head linear in each body sentence."""
    mean = article_vector(sentence_vectors)
    first = sentence_vectors[0] if len(sentence_vectors) else mean
    return np.concatenate([mean, first]).astype(np.float32)


def mention_features(
    sentence_vectors: np.ndarray,
    index: int,
    name_vector: np.ndarray,
    article: np.ndarray,
    state: np.ndarray,
) -> np.ndarray:
    """A mention's features: its contextual state in its sentence (the mean of its pieces' output states), its
    sentence, the mean of it and its neighbours, its own text, the article."""
    lo, hi = max(0, index - 1), min(len(sentence_vectors), index + 2)
    window = sentence_vectors[lo:hi].mean(axis=0)
    parts = [state, sentence_vectors[index], window, name_vector, article]
    return np.concatenate(parts).astype(np.float32)


@dataclass
class StorylineScores:
    """Calibrated probabilities of every narrative and subnarrative, and each sentence's logit per label."""

    narratives: np.ndarray  # (narratives,)
    subnarratives: np.ndarray  # (subnarratives,)
    narrative_sentence_logits: np.ndarray  # (sentences, narratives)
    subnarrative_sentence_logits: np.ndarray  # (sentences, subnarratives)


class StorylineModel:
    """Narrative and subnarrative heads (the registry's ``storylines`` role)."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        z = np.load(folder / "heads.npz")
        self.name = folder.name
        self.narratives: list[str] = meta["narratives"]
        self.subnarratives: list[str] = meta["subnarratives"]
        self.languages: list[str] = meta["languages"]
        self.threshold = float(meta["narrative_threshold"])
        self.sub_threshold = float(meta["subnarrative_threshold"])
        self.report_threshold = float(meta["report_threshold"])
        self.platt_n = tuple(meta["narrative_platt"])
        self.platt_s = tuple(meta["subnarrative_platt"])
        self.mean = z["mean"].astype(np.float32)
        self.scale = z["scale"].astype(np.float32)
        self.wn, self.bn = z["narrative_w"].astype(np.float32), z["narrative_b"].astype(np.float32)
        self.ws, self.bs = z["subnarrative_w"].astype(np.float32), z["subnarrative_b"].astype(np.float32)
        self.children: dict[int, list[int]] = {
            i: [j for j, s in enumerate(self.subnarratives) if s.startswith(n + ": ")]
            for i, n in enumerate(self.narratives)
        }
        self.other = self.narratives.index(OTHER) if OTHER in self.narratives else -1
        self.dim = len(self.mean) // 2  # the encoder's width: features are [mean, first sentence]

    def _standard(self, v: np.ndarray) -> np.ndarray:
        return (v - self.mean) / self.scale

    def scores(self, sentence_vectors: np.ndarray) -> StorylineScores:
        """Probabilities from one article's sentence vectors (n, 384)."""
        x = self._standard(storyline_features(sentence_vectors))
        d = self.dim
        # A sentence's share of the mean part's logit (up to a constant): what it adds over an average sentence.
        sentences = (
            (sentence_vectors - self.mean[:d]) / self.scale[:d]
            if len(sentence_vectors)
            else np.zeros((0, d), dtype=np.float32)
        )
        an, bn = self.platt_n
        a_s, b_s = self.platt_s
        return StorylineScores(
            narratives=sigmoid(an * (x @ self.wn + self.bn) + bn),
            subnarratives=sigmoid(a_s * (x @ self.ws + self.bs) + b_s),
            narrative_sentence_logits=sentences @ self.wn[:d],
            subnarrative_sentence_logits=sentences @ self.ws[:d],
        )

    def predict_proba(self, sentence_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(narratives, subnarratives) calibrated probabilities of one article, from its sentence vectors."""
        s = self.scores(sentence_vectors)
        return s.narratives, s.subnarratives

    def decide(
        self, s: StorylineScores, threshold: float | None = None
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """(narratives, subnarratives) as (label index, probability), best first; ``threshold`` (default the
        evaluation threshold) applies to narratives. A subnarrative is only chosen under a chosen narrative: its
        children above the subnarrative threshold, else its best child. Nothing above: Other."""
        t = self.threshold if threshold is None else threshold
        chosen = [i for i in np.argsort(-s.narratives) if i != self.other and s.narratives[i] >= t]
        if not chosen:
            sub_other = self.subnarratives.index(OTHER) if OTHER in self.subnarratives else -1
            p_other = float(1 - s.narratives.max()) if len(s.narratives) else 1.0
            return [(self.other, p_other)], ([(sub_other, p_other)] if sub_other >= 0 else [])
        subs: list[tuple[int, float]] = []
        for i in chosen:
            kids = self.children.get(int(i), [])
            if not kids:
                continue
            above = [j for j in kids if s.subnarratives[j] >= self.sub_threshold]
            picked = above or [max(kids, key=lambda j: s.subnarratives[j])]
            subs += [(j, float(s.subnarratives[j])) for j in picked]
        subs.sort(key=lambda x: -x[1])
        return [(int(i), float(s.narratives[i])) for i in chosen], subs

    def labels(self, s: StorylineScores) -> tuple[list[str], list[str]]:
        """The evaluation's labels (the organisers' strings)."""
        n, sub = self.decide(s)
        return [self.narratives[i] for i, _ in n], [self.subnarratives[j] for j, _ in sub] or [OTHER]


class RoleModel:
    """Main-role and fine-role heads for entity mentions (the registry's ``entity_roles`` role)."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        z = np.load(folder / "heads.npz")
        self.name = folder.name
        self.main_roles: list[str] = meta["main_roles"]
        self.fine_roles: list[str] = meta["fine_roles"]
        self.fine_main: list[str] = meta["fine_main"]  # the main role each fine role belongs to
        self.second_threshold = float(meta["second_fine_threshold"])
        self.languages: list[str] = meta["languages"]
        self.mean = z["mean"].astype(np.float32)
        self.scale = z["scale"].astype(np.float32)
        self.wm, self.bm = z["main_w"].astype(np.float32), z["main_b"].astype(np.float32)
        self.wf, self.bf = z["fine_w"].astype(np.float32), z["fine_b"].astype(np.float32)
        self.temperature = float(meta.get("main_temperature", 1.0))
        # The main-role head may read a hidden ReLU layer first (the trainer keeps it where it pays).
        self.hidden = (
            (z["main_hidden_w"].astype(np.float32), z["main_hidden_b"].astype(np.float32))
            if "main_hidden_w" in z
            else None
        )

    def predict_proba(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mentions, main roles) softmax and (mentions, fine roles) sigmoid probabilities."""
        x = (features - self.mean) / self.scale
        h = np.maximum(x @ self.hidden[0] + self.hidden[1], 0.0) if self.hidden is not None else x
        return softmax((h @ self.wm + self.bm) / self.temperature), sigmoid(x @ self.wf + self.bf)

    def decide(self, main: np.ndarray, fine: np.ndarray) -> tuple[int, list[int]]:
        """One mention's (or one entity's averaged) main role and fine roles: the best fine role of the main
        role, and a second one when it is itself likely (most mentions have one)."""
        m = int(np.argmax(main))
        kids = [j for j, r in enumerate(self.fine_main) if r == self.main_roles[m]]
        order = sorted(kids, key=lambda j: -fine[j])
        out = order[:1] + [j for j in order[1:2] if fine[j] >= self.second_threshold]
        return m, out
