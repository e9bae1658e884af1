"""CPU seconds of the phases of a cold start, in this fresh process: importing the CLI, loading spaCy's English
pipeline, the n-gram paragraph heads and the span tagger. CPU time, not wall time: on cores shared with other
jobs it moves far less. Run it several times (and with PYTHONPATH on another checkout's src to compare):

    python bench/bench_cold_phases.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe, machine


def main() -> None:
    t0 = time.process_time()
    import unspin.cli  # noqa: F401  (what `unspin analyze` imports before it reads the article)

    t1 = time.process_time()
    from unspin.nlp import models

    models.spacy_english()
    t2 = time.process_time()
    from unspin.models.registry import ModelRegistry

    registry = ModelRegistry()
    registry.get("paragraph_ngram")
    t3 = time.process_time()
    registry.get("span_tagger")
    t4 = time.process_time()
    print(describe(machine()))
    print(
        f"CPU s: import {t1 - t0:.3f}, spaCy {t2 - t1:.3f}, n-gram heads {t3 - t2:.3f}, "
        f"span tagger {t4 - t3:.3f}, total {t4 - t0:.3f}"
    )


if __name__ == "__main__":
    main()
