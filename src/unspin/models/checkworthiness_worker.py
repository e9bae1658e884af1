"""A second process that scores sentences for check-worthiness: pickled texts in on stdin, probabilities out.

The claims analyser hands it every sentence of a very long English article, so that the scoring (Python-level
n-gram hashing, which holds the GIL) runs on the other core while the main process finds entities and quotes.
Started as ``python -m unspin.models.checkworthiness_worker MODEL_FOLDER`` (a plain subprocess, as
``unspin.nlp.parse_worker``, for the same reasons).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np


def score_elsewhere(folder: Path, texts: list[str]) -> np.ndarray | None:
    """The probabilities from a worker process; None when it cannot start or fails (the caller scores itself)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "unspin.models.checkworthiness_worker", str(folder)],
            input=pickle.dumps(texts, protocol=pickle.HIGHEST_PROTOCOL),
            capture_output=True,
            env=env,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    with contextlib.suppress(pickle.UnpicklingError, EOFError, ValueError):
        scores = pickle.loads(done.stdout)
        if isinstance(scores, np.ndarray) and scores.shape == (len(texts),):
            return scores
    return None


def main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing a library prints may reach the pickled answer
    texts = pickle.load(sys.stdin.buffer)
    from unspin.models.checkworthiness import CheckworthinessModel

    pickle.dump(
        CheckworthinessModel(Path(sys.argv[1])).predict_proba(texts), out, protocol=pickle.HIGHEST_PROTOCOL
    )
    out.flush()


if __name__ == "__main__":
    main()
