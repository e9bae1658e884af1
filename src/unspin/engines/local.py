"""The local engine: N worker processes on one machine, each loading the models once.

The parent streams the inputs and hands each worker a chunk of rows; the worker analyses them and writes
the chunk's part file itself (atomically), so the parent never holds more than a few chunks in memory.
With one worker everything runs in this process (the single-process baseline of the benchmarks).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from unspin.engines.inputs import InputRow
from unspin.engines.records import ArticleWorker, write_part
from unspin.engines.run import BatchConfig, Progress, count_rows, iter_chunks, now, prepare, write_manifest
from unspin.models.registry import threads_per_worker

_WORKER: dict[str, Any] = {}


def _init_worker(
    kb: str | None, sections: list[str] | None, max_bytes: int, out: str, names: list[str], threads: int = 0
) -> None:
    from pathlib import Path

    _WORKER["analyzer"] = ArticleWorker(kb=kb, sections=sections, max_bytes=max_bytes, threads=threads)
    _WORKER["out"] = Path(out)
    _WORKER["names"] = names


def _run_chunk(chunk: int, rows: list[InputRow]) -> tuple[int, int]:
    """Analyse one chunk and write its part file; returns (rows, error rows)."""
    records = _WORKER["analyzer"].records(rows, chunk, _WORKER["names"])
    write_part(_WORKER["out"], chunk, records)
    return len(records), sum(1 for r in records if r["status"] != "ok")


def run_local(config: BatchConfig, *, quiet: bool = False) -> dict[str, Any]:
    """Run (or resume) the batch; returns the manifest."""
    started = now()
    done = prepare(config)
    total = count_rows(config.inputs)
    already = sum(min(config.chunk_rows, total - c * config.chunk_rows) for c in done)
    progress = Progress(total, already, quiet=quiet)
    args = (
        str(config.kb) if config.kb else None,
        config.sections,
        config.max_bytes,
        str(config.out),
        config.input_names,
        # Each worker's encoders take their share of the cores: all of them in every worker oversubscribe.
        threads_per_worker(config.workers),
    )
    chunks = iter_chunks(config.inputs, config.chunk_rows, done)
    try:
        if config.workers <= 1:
            _init_worker(*args)
            for chunk, rows in chunks:
                progress.advance(*_run_chunk(chunk, rows))
        else:
            # spawn: onnxruntime and BLAS thread pools do not survive fork safely.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                config.workers, mp_context=context, initializer=_init_worker, initargs=args
            ) as pool:
                pending: set[Future[tuple[int, int]]] = set()
                for chunk, rows in chunks:
                    if len(pending) >= 2 * config.workers:  # bounded: the inputs stream, never pile up
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in finished:
                            progress.advance(*future.result())
                    pending.add(pool.submit(_run_chunk, chunk, rows))
                for future in pending:
                    progress.advance(*future.result())
    finally:
        progress.close()
    return write_manifest(config, total, started)
