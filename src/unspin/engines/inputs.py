"""Streaming readers for corpus files (JSONL, CSV, Parquet): one InputRow at a time, never a whole file.

Every input row, readable or not, becomes exactly one InputRow with a stable key (file index + row number),
so that a batch can name which rows it has finished and a rerun can skip them. A row that cannot be read
carries its reason in ``error`` and becomes an error row in the output.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unspin.errors import IngestError

SUFFIXES = {".jsonl", ".ndjson", ".csv", ".parquet"}
FIELDS = ("id", "title", "text", "url", "outlet", "date", "lang")
PARQUET_BATCH_ROWS = 256


@dataclass
class InputRow:
    """One row of one input file: its raw fields (strings or None), or why it could not be read."""

    file_index: int
    row: int  # 1-based line (JSONL), record (CSV) or row (Parquet) number
    fields: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    source: str = ""

    @property
    def key(self) -> str:
        return f"{self.file_index}:{self.row}"


def check_inputs(paths: list[Path]) -> None:
    """Refuse missing files, folders and unsupported formats before any work starts."""
    if not paths:
        raise IngestError("INPUT", "give at least one .jsonl, .csv or .parquet corpus file")
    for path in paths:
        if not path.exists():
            raise IngestError(str(path), "no such file")
        if path.is_dir():
            raise IngestError(str(path), "is a directory; give the corpus files inside it")
        if path.suffix.lower() not in SUFFIXES:
            raise IngestError(
                str(path), f"unsupported corpus format '{path.suffix}' (use .jsonl, .csv or .parquet)"
            )


def file_checksum(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def iter_inputs(paths: list[Path]) -> Iterator[InputRow]:
    """Every row of every file, in order."""
    for index, path in enumerate(paths):
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".ndjson"):
            yield from _iter_jsonl(index, path)
        elif suffix == ".csv":
            yield from _iter_csv(index, path)
        else:
            yield from _iter_parquet(index, path)


def _iter_jsonl(index: int, path: Path) -> Iterator[InputRow]:
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            where = f"{path.name}:{n}"
            if not raw.strip():
                continue  # a blank line is not a row (as in unspin.ingest.corpus)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield InputRow(index, n, error=f"line is not UTF-8 (byte {exc.start})", source=where)
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield InputRow(index, n, error=f"bad JSON ({exc.msg} at column {exc.colno})", source=where)
                continue
            if not isinstance(value, dict):
                yield InputRow(index, n, error="JSON line is not an object", source=where)
                continue
            yield InputRow(index, n, fields=value, source=where)


def _iter_csv(index: int, path: Path) -> Iterator[InputRow]:
    # surrogateescape keeps undecodable bytes as lone surrogates, so one bad row does not end the file.
    csv.field_size_limit(1 << 30)
    with path.open("rb") as raw:
        if raw.read(3) != codecs.BOM_UTF8:
            raw.seek(0)
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        n = 0
        while True:
            n += 1
            where = f"{path.name}:record {n}"
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield InputRow(index, n, error=f"malformed CSV ({exc})", source=where)
                continue
            if any(_has_surrogates(v) for v in values):
                # Keep the readable fields (the id, usually) so that the error row says which article it was.
                readable = {k: v for k, v in zip(header, values, strict=False) if not _has_surrogates(v)}
                bad = [k for k, v in zip(header, values, strict=False) if _has_surrogates(v)]
                reason = f"field(s) {', '.join(bad)} not UTF-8 (undecodable bytes)"
                yield InputRow(index, n, fields=readable, error=reason, source=where)
                continue
            if len(values) != len(header):
                yield InputRow(
                    index, n, error=f"record has {len(values)} fields, the header {len(header)}", source=where
                )
                continue
            yield InputRow(index, n, fields=dict(zip(header, values, strict=True)), source=where)


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _iter_parquet(index: int, path: Path) -> Iterator[InputRow]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:
        raise IngestError(str(path), f"unreadable Parquet file ({exc})") from exc
    n = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        for values in batch.to_pylist():
            n += 1
            yield InputRow(index, n, fields=values, source=f"{path.name}:row {n}")
