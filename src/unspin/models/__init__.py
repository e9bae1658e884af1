"""Shipped model artifacts and their runtimes (ONNX + numpy; no torch at inference)."""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).parent


def artifact(name: str) -> Path:
    """The folder of a shipped artifact, checked to exist."""
    path = MODELS_DIR / name
    if not (path / "MODEL_CARD.md").exists():
        raise FileNotFoundError(f"model artifact '{name}' is not installed at {path}")
    return path
