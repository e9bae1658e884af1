"""Several span models read one text: their propaganda probabilities are averaged character by character.

The members may tokenise differently (MiniLM's WordPiece, e5's SentencePiece), so the average is taken over
characters, not tokens. Decoding is hysteresis thresholding: a span needs one character above ``threshold``
and extends over neighbours above ``extend_threshold``, so a confident core keeps its weaker edges. Technique
probabilities are the members' calibrated probabilities, averaged, then tempered once more.

The artifact folder holds ensemble.json (member names, decoding, calibration) and a model card; the members
are artifact folders beside it, written by `unspin train techniques` and combined by
`unspin train span-ensemble`.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from unspin.models.span_model import (
    Encoded,
    SpanModel,
    SpanTagger,
    merge_runs,
    softmax,
    widen,
)

DEFAULTS = {"threshold": 0.5, "extend_threshold": 0.5, "merge_gap": 0, "min_chars": 1, "platt": [1.0, 0.0]}


def is_ensemble(folder: Path) -> bool:
    return (folder / "ensemble.json").exists()


def load_span_model(folder: Path, threads: int = 0) -> SpanModel | SpanEnsemble:
    """A span model folder, single (encoder.onnx) or ensemble (ensemble.json). ``threads``: a single model's
    intra-op threads (0: all cores); an ensemble spreads its members over the cores itself."""
    return SpanEnsemble(folder) if is_ensemble(folder) else SpanModel(folder, threads)


def average_char_probs(
    per_member: list[tuple[np.ndarray, np.ndarray]], weights: list[float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The members' character probabilities averaged (weighted when ``weights`` is given); a character
    counts as covered if any member covers it."""
    probs = np.average([p for p, _ in per_member], axis=0, weights=weights).astype(np.float32)
    covered = np.logical_or.reduce([c for _, c in per_member])
    return probs, covered


def space_mask(text: str) -> np.ndarray:
    """Which characters of ``text`` are blanks."""
    return np.fromiter((c.isspace() for c in text), dtype=bool, count=len(text))


def hysteresis_runs(
    text: str, p: np.ndarray, covered: np.ndarray, hi: float, lo: float, space: np.ndarray | None = None
) -> list[list[float]]:
    """Runs of characters above ``lo`` that reach ``hi`` somewhere, widened to whole words, as
    [start, end, summed probability, covered characters] for ``merge_runs``. ``space`` is ``space_mask(text)``,
    passed in by callers that decode one text many times."""
    above = p > lo
    # A single blank between two such characters (between two words) belongs to the run.
    space = space_mask(text) if space is None else space
    inner = np.zeros_like(above)
    inner[1:-1] = space[1:-1] & above[:-2] & above[2:]
    above |= inner
    edges = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    runs: list[list[float]] = []
    for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if p[s:e].max() > hi:
            ws, we = widen(text, int(s), int(e))
            inside = covered[s:e]
            runs.append([ws, we, float(p[s:e][inside].sum()), int(inside.sum())])
    return runs


class SpanEnsemble(SpanTagger):
    """Same interface as SpanModel; ``encode`` returns one Encoded per member."""

    def __init__(self, folder: Path, meta: dict[str, Any] | None = None) -> None:
        meta = (
            meta if meta is not None else json.loads((folder / "ensemble.json").read_text(encoding="utf-8"))
        )
        self.member_names: list[str] = list(meta["members"])
        # Tuned out of fold with the decoding when the members are not equally good; absent: a plain mean.
        self.weights: list[float] | None = meta.get("weights")
        if self.weights is not None and len(self.weights) != len(self.member_names):
            raise ValueError(
                f"{folder}: ensemble.json gives {len(self.weights)} weights for "
                f"{len(self.member_names)} members"
            )
        # One worker thread per core, each encoder call on one thread: one window is too small a job to split
        # between threads (members one after the other on both cores took 250 ms against 160 ms side by side,
        # an 800-word article, `bench/bench_techniques.py`). `encode` feeds the workers window by window.
        workers = min(len(self.member_names), os.cpu_count() or 1)
        threads = max(1, (os.cpu_count() or 1) // workers)
        self.members = [
            SpanModel(folder.parent / name, threads, spread_windows=False) for name in self.member_names
        ]
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="unspin-span-member")
        # Relative cost of a member's window: its encoder's size (e5, 12 layers, before MiniLM, 6 layers).
        self._cost = [(folder.parent / name / "encoder.onnx").stat().st_size for name in self.member_names]
        self.labels = self.members[0].labels
        if any(m.labels != self.labels for m in self.members):
            raise ValueError(f"{folder}: the members of a span ensemble must share their technique labels")
        cal = {**DEFAULTS, **meta}
        self.threshold: float = cal["threshold"]
        self.extend_threshold: float = cal["extend_threshold"]
        self.merge_gap: int = cal["merge_gap"]
        self.min_chars: int = cal["min_chars"]
        self.platt: tuple[float, float] = tuple(cal["platt"])  # type: ignore[assignment]
        self.temperature: float = cal.get("temperature", 1.0)

    def encode(self, text: str, cores: int = 0) -> list[Encoded]:
        """Every member's windows as one queue of jobs for the worker threads, the slowest member's first.

        A whole member per thread left one core idle once the fast member was done (MiniLM takes half of e5's
        time); window by window both cores stay busy until the last window.
        """
        wins = [m.windows(text) for m in self.members]
        order = sorted(range(len(self.members)), key=lambda i: -self._cost[i])
        jobs = [(i, w) for i in order for w in wins[i]]
        run = map if cores == 1 else self._pool.map
        states = list(run(lambda job: self.members[job[0]].encode_window(job[1]), jobs))
        hidden: list[list[np.ndarray]] = [[] for _ in self.members]
        for (i, _), h in zip(jobs, states, strict=True):
            hidden[i].append(h)
        return [Encoded(w, h) for w, h in zip(wins, hidden, strict=True)]

    def char_probs(self, text: str, encs: list[Encoded]) -> tuple[np.ndarray, np.ndarray]:
        """Mean propaganda probability per character, and which characters lie inside a token."""
        return average_char_probs(
            [m.char_probs(text, enc) for m, enc in zip(self.members, encs, strict=True)], self.weights
        )

    def decode(
        self,
        text: str,
        encs: list[Encoded],
        threshold: float | None = None,
        gap: int | None = None,
        min_chars: int | None = None,
        extend_threshold: float | None = None,
        probs: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> list[tuple[int, int, float]]:
        """Spans as (start, end, mean character probability); ``probs`` reuses a ``char_probs`` result."""
        hi = self.threshold if threshold is None else threshold
        if extend_threshold is not None:
            lo = min(extend_threshold, hi)
        else:  # a threshold passed alone decodes without hysteresis
            lo = hi if threshold is not None else self.extend_threshold
        gap = self.merge_gap if gap is None else gap
        min_chars = self.min_chars if min_chars is None else min_chars
        p, covered = probs if probs is not None else self.char_probs(text, encs)
        return merge_runs(text, hysteresis_runs(text, p, covered, hi, lo), gap, min_chars)

    def technique_probs(self, text: str, encs: list[Encoded], spans: list[tuple[int, int]]) -> np.ndarray:
        if not spans:
            return np.zeros((0, len(self.labels)))
        mean = np.mean(
            [m.technique_probs(text, enc, spans) for m, enc in zip(self.members, encs, strict=True)], 0
        )
        return softmax(np.log(np.clip(mean, 1e-9, 1.0)), self.temperature)
