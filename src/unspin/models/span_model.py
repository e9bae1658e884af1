"""Runtime of the technique span model: an ONNX encoder (int8 weights, float arithmetic) and two numpy heads.

The artifact folder holds encoder.onnx, heads.npz, tokenizer.json and calibration.json (decode threshold,
Platt scaling of span scores, temperature of technique probabilities), written by `unspin train techniques`.
"""

from __future__ import annotations

import json
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin.datasets.ptc import TECHNIQUES_2020
from unspin.models.float_graph import load_session
from unspin.models.span_context import SpanContext
from unspin.models.windows import Window, load_tokenizer, special_ids, token_range, windows
from unspin.threads import single_threaded_blas

_SQRT2 = math.sqrt(2.0)
SENTENCE_BREAK = re.compile(r"[.!?…]|\n")  # gold spans rarely cross sentences: runs never merge across one
DEFAULT_CALIBRATION = {
    "labels": list(TECHNIQUES_2020),
    "threshold": 0.5,
    "platt": [1.0, 0.0],
    "temperature": 1.0,
}


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 1.5e-7 (Abramowitz and Stegun 7.1.26), for the exact GELU the head was trained with."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / _SQRT2))


def softmax(x: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = x / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class SpanPrediction:
    start: int
    end: int
    score: float  # calibrated probability that the span is propaganda
    technique_probs: np.ndarray  # calibrated, over the model's technique labels


@dataclass
class Encoded:
    """One text run through the encoder: per-window hidden states and token offsets."""

    windows: list[Window]
    hidden: list[np.ndarray]  # per window: (tokens, hidden) without [CLS]/[SEP]


class SpanTagger:
    """What the single model and the ensemble share: from encoded text to calibrated spans and techniques.

    Subclasses provide ``encode``, ``decode``, ``technique_probs``, ``labels`` and ``platt``.
    """

    labels: list[str]
    platt: tuple[float, float]

    def encode(self, text: str, cores: int = 0) -> Any:
        """``cores``: at most this many threads for this text (0: the model's own setting)."""
        raise NotImplementedError

    def decode(self, text: str, enc: Any) -> list[tuple[int, int, float]]:
        raise NotImplementedError

    def technique_probs(self, text: str, enc: Any, spans: list[tuple[int, int]]) -> np.ndarray:
        raise NotImplementedError

    def calibrate_score(self, raw: float) -> float:
        a, b = self.platt
        z = math.log(max(raw, 1e-6) / max(1 - raw, 1e-6))
        return 1.0 / (1.0 + math.exp(-(a * z + b)))

    def spans(self, text: str, cores: int = 0) -> list[SpanPrediction]:
        """Technique spans with calibrated span scores and technique probabilities; ``cores``: at most this
        many threads (0: the model's own setting; 1 when another thread keeps the other core busy)."""
        with single_threaded_blas():
            enc = self.encode(text, cores)
            raw = self.decode(text, enc)
            probs = self.technique_probs(text, enc, [(s, e) for s, e, _ in raw])
        return [
            SpanPrediction(s, e, self.calibrate_score(score), probs[i]) for i, (s, e, score) in enumerate(raw)
        ]

    def classify(self, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities for given spans (the TC task)."""
        with single_threaded_blas():
            return self.technique_probs(text, self.encode(text), spans)

    def label_template(self, text: str, spans: list[tuple[int, int]]) -> list[str]:
        """One technique per template line (the TC task), see ``label_lines``."""
        return label_lines(self.labels, spans, self.classify(text, spans))


class SpanModel(SpanTagger):
    """Loads once; ``spans(text)`` finds technique spans, ``classify(text, spans)`` labels given spans."""

    def __init__(self, folder: Path, threads: int = 0, spread_windows: bool = True) -> None:
        """``threads``: the cores the encoder may use (0: all cores). ``spread_windows``: encode the windows
        of a text side by side, one per core (a caller that schedules windows itself, the span ensemble,
        passes False and gets one session with ``threads`` intra-op threads)."""
        # A 256-token window is too small a job to split between threads, so with more than one core the
        # windows go to a pool of one thread per core, each encoder call on one thread (see "Threads"
        # in docs/BENCHMARKS.md). Each call computes the same float32 operations whichever thread runs it, so
        # the token states match those of one call after another (bit for bit on the reference machine,
        # bench/bench_span_windows.py; tests/test_techniques.py allows float32 rounding).
        cores = threads or (os.cpu_count() or 1)
        self.workers = cores if spread_windows else 1
        self._pool: ThreadPoolExecutor | None = None
        # Float arithmetic on int8-stored weights, no spinning threads (float_graph.py).
        self.session = load_session(folder / "encoder.onnx", 1 if self.workers > 1 else threads)
        heads = np.load(folder / "heads.npz")
        self.si_w, self.si_b = heads["si.weight"], heads["si.bias"]
        self.tc = [(heads["tc.0.weight"], heads["tc.0.bias"]), (heads["tc.3.weight"], heads["tc.3.bias"])]
        self.tokenizer = load_tokenizer(str(folder / "tokenizer.json"))
        cal = folder / "calibration.json"
        # Before calibration (while `unspin train` tunes it) the neutral defaults apply.
        meta: dict[str, Any] = (
            json.loads(cal.read_text(encoding="utf-8")) if cal.exists() else {**DEFAULT_CALIBRATION}
        )
        self.labels: list[str] = meta["labels"]
        self.threshold: float = meta["threshold"]
        self.merge_gap: int = meta.get("merge_gap", 0)
        self.min_chars: int = meta.get("min_chars", 1)
        self.platt: tuple[float, float] = tuple(meta["platt"])  # type: ignore[assignment]
        self.temperature: float = meta["temperature"]
        self.cls_id, self.sep_id = special_ids(self.tokenizer)

    def encode(self, text: str, cores: int = 0) -> Encoded:
        """All windows of the text, one encoder call each.

        One window per call pads nothing: windows end at line breaks, so their lengths differ, and a padded
        batch took 127 ms against 99 ms for an 800-word article. It also keeps a window's states independent of
        its neighbours (the former int8-activation encoder scaled activations per call; padding still costs time).
        """
        wins = self.windows(text)
        if self.workers < 2 or cores == 1 or len(wins) < 2:
            return Encoded(wins, [self.encode_window(w) for w in wins])
        if self._pool is None:  # made on first use, in the process that uses it
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="unspin-span-window")
        # Longest windows first, so that the last job on a core is a short one.
        order = sorted(range(len(wins)), key=lambda i: -len(wins[i].ids))
        states = dict(zip(order, self._pool.map(lambda i: self.encode_window(wins[i]), order), strict=True))
        return Encoded(wins, [states[i] for i in range(len(wins))])

    def windows(self, text: str) -> list[Window]:
        return windows(self.tokenizer, text)

    def encode_window(self, w: Window) -> np.ndarray:
        """One window's token states, (tokens, hidden) without [CLS]/[SEP]; safe to call from several threads."""
        ids = np.array([[self.cls_id, *w.ids, self.sep_id]], dtype=np.int64)
        (hidden,) = self.session.run(["hidden"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        return hidden[0, 1:-1]

    def token_probs(self, enc: Encoded) -> list[np.ndarray]:
        """P(O), P(B), P(I) per token, per window."""
        return [softmax(h @ self.si_w.T + self.si_b) for h in enc.hidden]

    def char_probs(self, text: str, enc: Encoded) -> tuple[np.ndarray, np.ndarray]:
        """Propaganda probability P(not O) per character, and which characters lie inside a token."""
        p = np.zeros(len(text), dtype=np.float32)
        covered = np.zeros(len(text), dtype=bool)
        for w, probs in zip(enc.windows, self.token_probs(enc), strict=True):
            for (s, e), prob_o in zip(w.offsets, probs[:, 0], strict=True):
                p[s:e] = 1.0 - prob_o
                covered[s:e] = True
        return p, covered

    @property
    def n_context_features(self) -> int:
        """How many SpanContext features the technique head reads (2 for heads trained with the encoder)."""
        return int(self.tc[0][0].shape[1]) - 2 * int(self.si_w.shape[1])

    def span_inputs(
        self, text: str, enc: Encoded, spans: list[tuple[int, int]], features: int | None = None
    ) -> np.ndarray:
        """The technique head's input per span: mean and max of its token states, then the first ``features``
        context features (by default as many as the head reads)."""
        ctx = SpanContext(text)
        k = self.n_context_features if features is None else features
        width = 2 * int(self.si_w.shape[1]) + k
        rows = []
        for s, e in spans:
            feats = None
            for w, h in zip(enc.windows, enc.hidden, strict=True):
                r = token_range(w, s, e)
                if r:
                    seg = h[r[0] : r[1]]
                    feats = np.concatenate([seg.mean(0), seg.max(0), ctx.features(s, e, r[1] - r[0], k)])
                    break
            rows.append(feats if feats is not None else np.zeros(width, dtype=np.float32))
        if not rows:
            return np.zeros((0, width), dtype=np.float32)
        return np.stack(rows).astype(np.float32)

    def technique_logits(self, x: np.ndarray) -> np.ndarray:
        (w1, b1), (w2, b2) = self.tc
        return gelu(x @ w1.T + b1) @ w2.T + b2

    def technique_probs(self, text: str, enc: Encoded, spans: list[tuple[int, int]]) -> np.ndarray:
        """Calibrated technique probabilities for character spans (pooled over their tokens)."""
        if not spans:
            return np.zeros((0, len(self.labels)))
        return softmax(self.technique_logits(self.span_inputs(text, enc, spans)), self.temperature)

    def decode(
        self,
        text: str,
        enc: Encoded,
        threshold: float | None = None,
        gap: int | None = None,
        min_chars: int | None = None,
    ) -> list[tuple[int, int, float]]:
        """Runs of tokens whose propaganda probability passes the threshold, widened to whole words.

        Runs closer than ``gap`` characters within a sentence are merged and runs shorter than ``min_chars`` are
        dropped: the token tagger fragments long spans, and the SI metric counts every fragment.
        """
        tau = self.threshold if threshold is None else threshold
        gap = self.merge_gap if gap is None else gap
        min_chars = self.min_chars if min_chars is None else min_chars
        runs: list[list[float]] = []
        for w, probs in zip(enc.windows, self.token_probs(enc), strict=True):
            current: list[int] = []
            for i in range(len(w.ids) + 1):
                if i < len(w.ids) and 1.0 - probs[i, 0] > tau:
                    current.append(i)
                    continue
                if current:
                    s, e = widen(text, w.offsets[current[0]][0], w.offsets[current[-1]][1])
                    runs.append([s, e, float(np.sum(1.0 - probs[current, 0])), len(current)])
                    current = []
        return merge_runs(text, runs, gap, min_chars)


def label_lines(labels: list[str], spans: list[tuple[int, int]], probs: np.ndarray) -> list[str]:
    """The most probable technique per span, except that a span listed k times gets its k best techniques.

    A TC template lists a fragment once per technique annotated on it (3 % of PTC dev lines), so repeating
    the arg-max on every copy can be right at most once; the official scorer matches labels within such a group
    in any order.
    """
    out: list[str] = []
    seen: dict[tuple[int, int], int] = {}
    for span, p in zip(spans, probs, strict=True):
        rank = seen.get(span, 0)
        seen[span] = rank + 1
        order = np.argsort(-p)
        out.append(labels[int(order[min(rank, len(order) - 1)])])
    return out


def merge_runs(text: str, runs: list[list[float]], gap: int, min_chars: int) -> list[tuple[int, int, float]]:
    """Merge runs [start, end, summed probability, count] closer than ``gap`` characters within a sentence;
    return the spans of at least ``min_chars`` characters with their mean probability."""
    merged: list[list[float]] = []
    for run in sorted(runs):
        prev = merged[-1] if merged else None
        between = text[int(prev[1]) : int(run[0])] if prev else ""
        if prev and run[0] - prev[1] <= gap and not SENTENCE_BREAK.search(between):
            prev[1] = max(prev[1], run[1])
            prev[2] += run[2]
            prev[3] += run[3]
        else:
            merged.append(run)
    out = []
    for s, e, total, n in merged:
        s, e = trim_edges(text, int(s), int(e))
        if e - s >= min_chars:
            out.append((s, e, total / max(n, 1)))
    return out


EDGE_CHARS = frozenset(" \t\n\"'“”‘’«»,;:.!?()[]-—–")


def trim_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop blanks, quotation marks and punctuation from a span's ends: gold spans rarely begin with an
    opening quote or end with a comma, and the analyst reads the words (out-of-fold SI F1 +0.0005)."""
    while start < end and text[start] in EDGE_CHARS:
        start += 1
    while end > start and text[end - 1] in EDGE_CHARS:
        end -= 1
    return start, end


def widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend a span to whole words (subword tokens can end mid-word)."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end
