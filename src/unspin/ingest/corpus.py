"""Corpus files (JSONL, CSV, Parquet) with the fields id, title, text, url, outlet, date."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from unspin.errors import IngestError
from unspin.ingest.limits import DEFAULT_MAX_BYTES, check_limit, too_big
from unspin.ingest.text import check_text
from unspin.model import Article

CORPUS_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".parquet"}
FIELDS = ("id", "title", "text", "url", "outlet", "date")


# A row holds one article plus its metadata: it may be this much larger than the article's byte limit.
ROW_OVERHEAD = 64_000


def iter_rows(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[int, dict[str, Any] | IngestError]]:
    """Yield (row number, row dict) for each row; a row that cannot be read yields an IngestError instead.

    No row is read past ``max_bytes`` (plus room for its metadata): a longer JSONL line or CSV field is an
    IngestError for that row (JSONL) or for the file (CSV), never an unbounded read.
    """
    check_limit(max_bytes)
    row_limit = max_bytes + ROW_OVERHEAD
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        with path.open("rb") as fh:
            n = 0
            while raw := fh.readline(row_limit + 1):
                n += 1
                if len(raw) > row_limit and not raw.endswith(b"\n"):
                    while (rest := fh.readline(1 << 16)) and not rest.endswith(b"\n"):
                        pass  # skip the rest of the line without holding it
                    yield n, too_big(f"{path}:{n}", max_bytes)
                    continue
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
        csv.field_size_limit(row_limit)  # the csv module then stops reading a field at the limit
        with path.open(newline="", encoding="utf-8-sig", errors="strict") as fh:
            reader = csv.DictReader(fh)
            try:
                for row in reader:
                    yield reader.line_num, dict(row)
            except UnicodeDecodeError as exc:
                raise IngestError(str(path), f"CSV is not UTF-8 ({exc.reason})") from exc
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise too_big(f"{path}:{reader.line_num}", max_bytes) from exc
                raise IngestError(str(path), f"malformed CSV ({exc})") from exc
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            batches = pq.ParquetFile(path).iter_batches(batch_size=64)
            n = 0
            for batch in batches:  # a batch at a time: the file is never held whole
                for row in batch.to_pylist():
                    n += 1
                    yield n, row
        except IngestError:
            raise
        except Exception as exc:  # pyarrow raises many kinds of error on a broken file
            raise IngestError(str(path), f"unreadable Parquet file ({exc})") from exc
    else:
        raise IngestError(str(path), f"unsupported corpus format '{suffix}'")


def article_from_row(row: dict[str, Any], where: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """One corpus row as an Article; the row must carry a non-empty 'text' of at most ``max_bytes``."""
    if "text" not in row:
        raise IngestError(where, f"row has no 'text' field (fields: {', '.join(sorted(map(str, row)))})")
    size = len(str(row["text"] or "").encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise too_big(where, max_bytes, size)

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


def article_from_corpus(path: Path, row_id: str | None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """The row of a corpus file whose id is ``row_id`` (or its only row when no id is given)."""
    if row_id is not None and not row_id.strip():
        raise IngestError("--id", "empty: give the id of a row of the corpus")
    rows = iter_rows(path, max_bytes=max_bytes)
    if row_id is None:
        first = next(rows, None)
        if first is None:
            raise IngestError(str(path), "corpus file has no rows")
        if next(rows, None) is not None:
            raise IngestError(str(path), "corpus has several rows: pass --id to pick one")
        n, row = first
        if isinstance(row, IngestError):
            raise row
        return article_from_row(row, f"{path}:{n}", max_bytes=max_bytes)
    bad: list[tuple[int, IngestError]] = []
    for n, row in rows:
        if isinstance(row, IngestError):
            bad.append((n, row))  # the row asked for may be one of these: say so if it is not found
            continue
        if str(row.get("id")) == row_id:
            return article_from_row(row, f"{path} id={row_id}", max_bytes=max_bytes)
    unread = (
        f"; {len(bad)} row(s) could not be read, the first: line {bad[0][0]}, {bad[0][1].reason}"
        if bad
        else ""
    )
    raise IngestError(str(path), f"no row with id '{row_id}'{unread}")
