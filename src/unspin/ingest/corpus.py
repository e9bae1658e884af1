"""Corpus files (JSONL, CSV, Parquet) with the fields id, title, text, url, outlet, date."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from unspin.errors import IngestError
from unspin.ingest.text import check_text
from unspin.model import Article

CORPUS_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".parquet"}
FIELDS = ("id", "title", "text", "url", "outlet", "date")


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | IngestError]]:
    """Yield (row number, row dict) for each row; a row that cannot be read yields an IngestError instead."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        with path.open("rb") as fh:
            for n, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    yield n, IngestError(f"{path}:{n}", f"bad JSON line ({exc})")
                    continue
                if not isinstance(row, dict):
                    yield n, IngestError(f"{path}:{n}", "JSON line is not an object")
                    continue
                yield n, row
    elif suffix == ".csv":
        csv.field_size_limit(50_000_000)
        with path.open(newline="", encoding="utf-8-sig", errors="strict") as fh:
            try:
                for n, row in enumerate(csv.DictReader(fh), start=2):
                    yield n, dict(row)
            except UnicodeDecodeError as exc:
                raise IngestError(str(path), f"CSV is not UTF-8 ({exc.reason})") from exc
            except csv.Error as exc:
                raise IngestError(str(path), f"malformed CSV ({exc})") from exc
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:
            raise IngestError(str(path), f"unreadable Parquet file ({exc})") from exc
        for n, row in enumerate(table.to_pylist(), start=1):
            yield n, row
    else:
        raise IngestError(str(path), f"unsupported corpus format '{suffix}'")


def article_from_row(row: dict[str, Any], where: str) -> Article:
    """One corpus row as an Article; the row must carry a non-empty 'text'."""
    if "text" not in row:
        raise IngestError(where, f"row has no 'text' field (fields: {', '.join(sorted(map(str, row)))})")

    def field(name: str) -> str | None:
        value = row.get(name)
        return None if value is None or str(value).strip() == "" else str(value)

    return Article(
        id=field("id"),
        title=(field("title") or "").strip(),
        body=check_text(str(row["text"] or ""), where),
        url=field("url"),
        outlet=field("outlet"),
        date=field("date"),
        source_kind="corpus",
        source=where,
    )


def article_from_corpus(path: Path, row_id: str | None) -> Article:
    """The row of a corpus file whose id is ``row_id`` (or its only row when no id is given)."""
    rows = iter_rows(path)
    if row_id is None:
        first = next(rows, None)
        if first is None:
            raise IngestError(str(path), "corpus file has no rows")
        if next(rows, None) is not None:
            raise IngestError(str(path), "corpus has several rows: pass --id to pick one")
        n, row = first
        if isinstance(row, IngestError):
            raise row
        return article_from_row(row, f"{path}:{n}")
    bad: list[tuple[int, IngestError]] = []
    for n, row in rows:
        if isinstance(row, IngestError):
            bad.append((n, row))  # the row asked for may be one of these: say so if it is not found
            continue
        if str(row.get("id")) == row_id:
            return article_from_row(row, f"{path} id={row_id}")
    unread = (
        f"; {len(bad)} row(s) could not be read, the first: line {bad[0][0]}, {bad[0][1].reason}"
        if bad
        else ""
    )
    raise IngestError(str(path), f"no row with id '{row_id}'{unread}")
