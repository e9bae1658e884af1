"""The script spark-submit runs: ``spark-submit [options] .../unspin/spark_submit.py INPUT... --out DIR [options]``
takes `unspin batch`'s arguments and runs the batch on the Spark engine (see docs/BATCH.md)."""

from __future__ import annotations

import sys

from unspin.cli import main

if __name__ == "__main__":
    sys.argv = [sys.argv[0], "batch", *sys.argv[1:], "--engine", "spark"]
    main()
