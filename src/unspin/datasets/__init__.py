"""Readers for the labelled corpora in the data directory (default ../shared/data), shared by train and eval."""

from __future__ import annotations

import os
from pathlib import Path

from unspin.errors import DataError

DEFAULT_DATA_DIR = Path(os.environ.get("UNSPIN_DATA", "../shared/data"))


def data_dir(path: str | Path | None = None) -> Path:
    """The data directory, checked to exist."""
    p = Path(path) if path else DEFAULT_DATA_DIR
    if not p.is_dir():
        raise DataError(str(p), "data directory not found (pass --data DIR or set UNSPIN_DATA)")
    return p
