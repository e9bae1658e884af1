"""The Spark engine: the local engine's per-article function in ``mapInPandas`` over Arrow batches.

The driver streams the inputs once (the same readers as the local engine, so the same row keys and the
same error rows) into staged Parquet files of pickled rows; Spark hashes each chunk to one partition,
sorts it by row, and every executor Python worker (models loaded once per worker, kept between tasks by
``spark.python.worker.reuse``) analyses its chunks and writes their part files into the same layout as the
local engine, atomically. Resuming skips the chunks on disk, exactly as locally. The output folder and the
staged files must be on a filesystem every executor sees (local mode, or a shared mount on a cluster).

Run inside ``spark-submit`` as ``spark-submit [options] path/to/unspin/spark_submit.py INPUT... --out DIR``.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from unspin.engines.records import ArticleWorker, write_part
from unspin.engines.run import BatchConfig, Progress, count_rows, iter_chunks, now, prepare, write_manifest
from unspin.errors import UnspinError

if TYPE_CHECKING:
    import pandas as pd

STAGE_DIR = "staging"  # not _-prefixed: Spark skips such paths when it lists files
STAGE_SCHEMA = pa.schema([("chunk", pa.int64()), ("n", pa.int64()), ("row", pa.binary())])
STATS_SCHEMA = "chunk long, rows long, errors long"
STAGE_FILE_ROWS = 4096

_WORKERS: dict[tuple[Any, ...], ArticleWorker] = {}  # one per executor Python worker and settings


def stage_inputs(config: BatchConfig, done: set[int]) -> tuple[Path, int, int]:
    """Write the rows of the chunks still to do as Parquet files of pickled InputRows.

    Returns (folder, chunks, rows) staged."""
    stage = config.out / STAGE_DIR
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    batch: list[dict[str, Any]] = []
    files = chunks = 0
    n = 0

    def flush() -> None:
        nonlocal files, batch
        if batch:
            pq.write_table(
                pa.Table.from_pylist(batch, schema=STAGE_SCHEMA), stage / f"stage-{files:06d}.parquet"
            )
            files += 1
            batch = []

    for chunk, rows in iter_chunks(config.inputs, config.chunk_rows, done):
        chunks += 1
        for row in rows:
            batch.append({"chunk": chunk, "n": n, "row": pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)})
            n += 1
        if len(batch) >= STAGE_FILE_ROWS:
            flush()
    flush()
    return stage, chunks, n


def _analyzer(kb_name: str | None, sections: list[str] | None, max_bytes: int) -> ArticleWorker:
    """The worker's ArticleWorker, built (and its models loaded) on the first task this Python worker runs."""
    key = (kb_name, tuple(sections or ()), max_bytes)
    if key not in _WORKERS:
        kb = None
        if kb_name is not None:
            from pyspark import SparkFiles

            kb = SparkFiles.get(kb_name)  # the driver's KB file, shipped by addFile
        _WORKERS[key] = ArticleWorker(kb=kb, sections=sections, max_bytes=max_bytes)
    return _WORKERS[key]


def chunk_function(
    out: str, names: list[str], kb_name: str | None, sections: list[str] | None, max_bytes: int
) -> Any:
    """The mapInPandas function: rows of whole chunks, sorted by row, in; one stats row per chunk out."""

    def analyse(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        analyzer = _analyzer(kb_name, sections, max_bytes)
        out_dir = Path(out)
        current: int | None = None
        rows: list[Any] = []

        def finish() -> pd.DataFrame:
            assert current is not None
            records = analyzer.records(rows, current, names)
            write_part(out_dir, current, records)
            errors = sum(1 for r in records if r["status"] != "ok")
            return pd.DataFrame({"chunk": [current], "rows": [len(records)], "errors": [errors]})

        for frame in batches:
            for chunk, payload in zip(frame["chunk"], frame["row"], strict=True):
                if current is not None and chunk != current:
                    yield finish()
                    rows = []
                current = int(chunk)
                rows.append(pickle.loads(payload))
        if rows:
            yield finish()

    return analyse


@contextmanager
def spark_context(master: str | None, cores: int, app: str = "unspin batch") -> Iterator[Any]:
    """The active SparkSession when there is one (a notebook, a test, a caller's job), left running;
    otherwise a new one from ``spark_session``, stopped at the end."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UnspinError("--engine spark", "needs pyspark and pandas: pip install 'unspin[spark]'") from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    spark = spark_session(master, cores, app)
    try:
        yield spark
    finally:
        spark.stop()


def spark_session(master: str | None, cores: int, app: str = "unspin batch") -> Any:
    """A SparkSession on ``master``, or local[cores] when none is given and spark-submit did not set one."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UnspinError("--engine spark", "needs pyspark and pandas: pip install 'unspin[spark]'") from exc

    builder = (
        SparkSession.builder.appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit, which sets the master itself
        builder = builder.master(f"local[{cores}]")
    # The executors' Python is this one (the same unspin, models and dependencies) unless set otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if os.environ.get("PYTHONPATH"):
        builder = builder.config("spark.executorEnv.PYTHONPATH", os.environ["PYTHONPATH"])
    try:
        return builder.getOrCreate()
    except Exception as exc:  # no Java, a master that does not answer: one line, not a JVM stack trace
        raise UnspinError(
            master or "spark", f"could not start Spark ({str(exc).strip().splitlines()[0]})"
        ) from exc


def run_spark(config: BatchConfig, *, quiet: bool = False) -> dict[str, Any]:
    """Run (or resume) the batch on Spark; returns the manifest (the same as the local engine's)."""
    started = now()
    done = prepare(config)
    total = count_rows(config.inputs)
    stage, chunks, staged = stage_inputs(config, done)
    # Spark reports the chunks' counts when the job ends: the bar moves once, the log line comes then.
    progress = Progress(total, total - staged, quiet=quiet)
    try:
        if chunks:
            with spark_context(config.master, config.workers) as spark:
                kb_name = None
                if config.kb is not None:
                    spark.sparkContext.addFile(str(config.kb.resolve()))
                    kb_name = config.kb.name
                frame = spark.read.parquet(str(stage.resolve()))
                parallelism = max(config.workers, spark.sparkContext.defaultParallelism)
                function = chunk_function(
                    str(config.out.resolve()), config.input_names, kb_name, config.sections, config.max_bytes
                )
                stats = (
                    frame.repartition(max(1, min(chunks, 4 * parallelism)), "chunk")
                    .sortWithinPartitions("chunk", "n")
                    .mapInPandas(function, schema=STATS_SCHEMA)
                    .collect()
                )
                for stat in stats:
                    progress.advance(int(stat["rows"]), int(stat["errors"]))
    finally:
        progress.close()
    shutil.rmtree(stage, ignore_errors=True)
    return write_manifest(config, total, started)
