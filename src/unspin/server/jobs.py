"""A job's input (a JSON list of articles or a corpus file) and its results as Parquet."""

from __future__ import annotations

import asyncio
import io
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import Request
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile

from unspin.errors import UnspinError
from unspin.ingest.corpus import CORPUS_SUFFIXES, article_from_row, iter_rows
from unspin.server.problems import Problem, invalid_body
from unspin.server.schemas import LANG, JobIn

MAX_JOB_ARTICLES = 100_000


def job_from_json(raw: bytes) -> tuple[list[dict[str, Any] | str], dict[str, Any]]:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Problem(422, "Invalid request body", f"the body is not JSON ({exc})") from exc
    if isinstance(data, list):
        data = {"articles": data}
    try:
        job = TypeAdapter(JobIn).validate_python(data)
    except ValidationError as exc:
        raise invalid_body(exc.errors()) from exc
    rows = [a.model_dump() for a in job.articles]
    return articles_from_rows(rows, "articles"), {"lang": job.lang, "sections": job.sections}


def articles_from_rows(
    rows: list[dict[str, Any]] | Iterator[tuple[int, Any]], where: str
) -> list[dict[str, Any] | str]:
    """Each row as an Article dict, or its error message (kept as a failed article of the job)."""
    items: list[dict[str, Any] | str] = []
    numbered = enumerate(rows) if isinstance(rows, list) else rows
    for n, row in numbered:
        if len(items) >= MAX_JOB_ARTICLES:
            raise Problem(413, "Too many articles", f"a job holds at most {MAX_JOB_ARTICLES:,} articles")
        try:
            if isinstance(row, Exception):
                raise row
            items.append(article_from_row(row, f"{where}[{n}]").model_dump(mode="json"))
        except UnspinError as exc:
            items.append(str(exc))
    if not items:
        raise Problem(422, "Invalid request body", "the job has no articles")
    return items


async def job_from_upload(request: Request) -> tuple[list[dict[str, Any] | str], dict[str, Any]]:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Problem(422, "Invalid request body", "send the corpus file as multipart field 'file'")
    name = Path(upload.filename or "corpus")
    suffix = name.suffix.lower()
    if suffix not in CORPUS_SUFFIXES:
        raise Problem(
            422, "Unusable input", f"{name.name[:100]}: a corpus is .jsonl, .ndjson, .csv or .parquet"
        )
    data = await upload.read()
    lang = str(form.get("lang") or "") or None
    if lang is not None and not re.fullmatch(LANG, lang):
        raise Problem(422, "Invalid request body", "'lang' must be a language code such as 'en'")

    def read() -> list[dict[str, Any] | str]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"corpus{suffix}"
            path.write_bytes(data)
            rows = ((n, row) for n, row in iter_rows(path))
            items = articles_from_rows(rows, name.name[:100])
            # Error messages name the temporary file: name the upload instead.
            return [i.replace(str(path), name.name[:100]) if isinstance(i, str) else i for i in items]

    return await asyncio.to_thread(read), {"lang": lang, "sections": None}


def results_parquet(rows: Iterator[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = []
    for row in rows:
        report = row.get("report") or {}
        headline = report.get("headline") or {}
        records.append(
            {
                "index": row["index"],
                "article_id": row.get("article_id"),
                "state": row["state"],
                "error": row.get("error"),
                "report_id": row.get("report_id"),
                "title": report.get("title"),
                "language": (report.get("language") or {}).get("code"),
                "word_count": (report.get("article") or {}).get("word_count"),
                "findings": len(report.get("findings") or []),
                "headline_verdict": headline.get("verdict"),
                "report_json": json.dumps(report, ensure_ascii=False) if report else None,
            }
        )
    schema = pa.schema(
        [
            ("index", pa.int64()),
            ("article_id", pa.string()),
            ("state", pa.string()),
            ("error", pa.string()),
            ("report_id", pa.string()),
            ("title", pa.string()),
            ("language", pa.string()),
            ("word_count", pa.int64()),
            ("findings", pa.int64()),
            ("headline_verdict", pa.string()),
            ("report_json", pa.string()),
        ]
    )
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records, schema=schema), buf)
    return buf.getvalue()
