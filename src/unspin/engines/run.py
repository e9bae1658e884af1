"""What every engine shares: the run's settings, the chunk plan, resuming, progress and manifest.json.

A run's input rows are numbered in order over all input files and cut into chunks of ``chunk_rows``
rows; chunk c is written as parts/part-<c>.parquet by exactly one rename. ``_run.json`` pins the inputs
(checksums) and settings, so a rerun of the same command skips the chunks already on disk and writes the
rest: after a crash at any moment every input row ends up in the output exactly once.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from unspin import __version__
from unspin.engines.inputs import InputRow, check_inputs, file_checksum, iter_inputs
from unspin.engines.records import PARTS_DIR, SCHEMA, done_chunks, remove_temporaries
from unspin.errors import UnspinError

RUN_FILE = "_run.json"
MANIFEST = "manifest.json"


@dataclass
class BatchConfig:
    inputs: list[Path]
    out: Path
    engine: str = "local"
    workers: int = 1
    kb: Path | None = None
    sections: list[str] | None = None
    max_bytes: int = 2_000_000
    chunk_rows: int = 32
    master: str | None = None  # Spark master URL (--engine spark)
    input_meta: list[dict[str, Any]] = field(default_factory=list)

    @property
    def input_names(self) -> list[str]:
        return [p.name for p in self.inputs]


def prepare(config: BatchConfig) -> set[int]:
    """Check the inputs, start or resume the run in ``config.out``; return the chunks already done."""
    check_inputs(config.inputs)
    if config.kb is not None and not config.kb.is_file():
        raise UnspinError(str(config.kb), "no such knowledge base file")
    config.input_meta = [
        {"path": str(p.resolve()), "name": p.name, "bytes": p.stat().st_size, "sha256": file_checksum(p)}
        for p in config.inputs
    ]
    pinned = {
        "inputs": [m["sha256"] for m in config.input_meta],
        "sections": config.sections,
        "chunk_rows": config.chunk_rows,
        "max_bytes": config.max_bytes,
        "kb_sha256": file_checksum(config.kb) if config.kb else None,
    }
    config.out.mkdir(parents=True, exist_ok=True)
    run_file = config.out / RUN_FILE
    if run_file.exists():
        previous = json.loads(run_file.read_text(encoding="utf-8"))
        changed = [k for k in pinned if previous.get(k) != pinned[k]]
        if changed:
            raise UnspinError(
                str(config.out),
                f"holds a run with other {', '.join(changed)}; resume with the same command or use a new --out",
            )
    elif any((config.out / PARTS_DIR).glob("*.parquet")):
        raise UnspinError(str(config.out), "holds part files of another run; use a new --out")
    else:
        tmp = run_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(pinned, indent=2), encoding="utf-8")
        os.replace(tmp, run_file)
    remove_temporaries(config.out)
    return done_chunks(config.out)


def count_rows(paths: list[Path]) -> int:
    """How many rows the inputs hold (one cheap streaming pass), for the progress bar's total."""
    return sum(1 for _ in iter_inputs(paths))


def iter_chunks(paths: list[Path], chunk_rows: int, skip: set[int]) -> Iterator[tuple[int, list[InputRow]]]:
    """(chunk number, its rows) for every chunk not in ``skip``; holds one chunk in memory at a time."""
    rows: list[InputRow] = []
    current = 0
    for n, row in enumerate(iter_inputs(paths)):
        chunk = n // chunk_rows
        if chunk != current:
            if rows:
                yield current, rows
            rows, current = [], chunk
        if chunk not in skip:
            rows.append(row)
    if rows:
        yield current, rows


class Progress:
    """A rich progress bar on a terminal (articles/s, ETA, errors); plain log lines every few seconds otherwise."""

    def __init__(self, total: int, done: int, *, quiet: bool = False) -> None:
        self.total, self.done, self.errors = total, done, 0
        self.start_done = done
        self.t0 = self.last_log = time.monotonic()
        self.quiet = quiet
        self.bar: Any = None
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(
                TextColumn("unspin batch"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.2f} articles/s"),
                TextColumn("errors {task.fields[errors]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.task = self.bar.add_task("batch", total=total, completed=done, rate=0.0, errors=0)
            self.bar.start()

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.t0
        return (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0

    def advance(self, rows: int, errors: int) -> None:
        self.done += rows
        self.errors += errors
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, rate=self.rate, errors=self.errors)
        elif not self.quiet and (time.monotonic() - self.last_log >= 5 or self.done >= self.total):
            self.last_log = time.monotonic()
            left = self.total - self.done
            eta = f"{left / self.rate:.0f}s" if self.rate > 0 else "?"
            print(
                f"unspin batch: {self.done}/{self.total} rows, {self.rate:.2f} articles/s, "
                f"{self.errors} errors, ETA {eta}",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def model_versions() -> list[str]:
    """The shipped model artifacts (their folder names carry the version)."""
    from unspin.models import MODELS_DIR

    return sorted(p.parent.name for p in MODELS_DIR.glob("*/MODEL_CARD.md"))


def write_manifest(config: BatchConfig, total_rows: int, started: str) -> dict[str, Any]:
    """manifest.json: inputs and checksums, versions, settings, counts; checks that no row is missing."""
    parts = sorted((config.out / PARTS_DIR).glob("part-*.parquet"))
    ok = errors = rows = 0
    for part in parts:
        status = pq.read_table(part, columns=["status"]).column("status").to_pylist()
        rows += len(status)
        ok += status.count("ok")
        errors += len(status) - status.count("ok")
    if rows != total_rows:
        raise UnspinError(str(config.out), f"output holds {rows} rows but the inputs {total_rows}")
    manifest = {
        "unspin_version": __version__,
        "engine": config.engine,
        "workers": config.workers,
        "started": started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": config.input_meta,
        "kb": {"path": str(config.kb.resolve()), "sha256": file_checksum(config.kb)} if config.kb else None,
        "models": model_versions(),
        "sections": config.sections,
        "max_bytes": config.max_bytes,
        "chunk_rows": config.chunk_rows,
        "counts": {"rows": rows, "ok": ok, "errors": errors},
        "parts": [f"{PARTS_DIR}/{p.name}" for p in parts],
        "columns": SCHEMA.names,
    }
    tmp = config.out / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, config.out / MANIFEST)
    return manifest


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
