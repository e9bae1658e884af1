"""A second process that scores sentences for check-worthiness (``unspin.worker_process``): texts in,
probabilities out.

The claims analyser hands it every sentence of a very long English article, so that the scoring (Python-level
n-gram hashing, which holds the GIL) runs on the other core while the main process finds entities and quotes.
Started as ``python -m unspin.models.checkworthiness_worker MODEL_FOLDER``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from unspin.worker_process import WorkerProcess, serve


def score_elsewhere(folder: Path, texts: list[str]) -> np.ndarray | None:
    """The probabilities from a worker process; None when it cannot start or fails (the caller scores itself)."""
    worker = WorkerProcess("unspin.models.checkworthiness_worker", [str(folder)], texts)
    try:
        scores = worker.result()
    finally:
        worker.close()
    return scores if isinstance(scores, np.ndarray) and scores.shape == (len(texts),) else None


if __name__ == "__main__":
    from unspin.models.checkworthiness import CheckworthinessModel

    serve(CheckworthinessModel(Path(sys.argv[1])).predict_proba)
