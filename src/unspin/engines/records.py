"""The per-article function every engine runs, and the Parquet layout it writes.

``analyze_rows`` turns InputRows into one output record each (never raises for a bad row: the record
carries ``status='error'`` and the reason); ``write_part`` writes one chunk's records as one Parquet part
file, atomically (temporary name, then rename), so a part file on disk is always complete.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from unspin.engines.inputs import InputRow
from unspin.errors import UnspinError
from unspin.ingest.corpus import article_from_row
from unspin.model import Report

PARTS_DIR = "parts"
_strings = pa.list_(pa.string())
SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("chunk", pa.int64()),
        ("input_file", pa.string()),
        ("input_row", pa.int64()),
        ("id", pa.string()),
        ("title", pa.string()),
        ("url", pa.string()),
        ("outlet", pa.string()),
        ("date", pa.string()),
        ("lang", pa.string()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("language", pa.string()),
        ("word_count", pa.int64()),
        ("n_findings", pa.int64()),
        ("n_techniques", pa.int64()),
        ("techniques", _strings),
        ("n_claims", pa.int64()),
        ("n_unattributed_claims", pa.int64()),
        ("n_unattributed", pa.int64()),
        ("n_quotes", pa.int64()),
        ("speakers", _strings),
        ("sources", _strings),
        ("n_entities", pa.int64()),
        ("narratives", _strings),
        ("narrative_claims", _strings),
        ("storylines", _strings),
        ("subnarratives", _strings),
        ("actors", _strings),
        ("actor_roles", _strings),
        ("headline_verdict", pa.string()),
        ("report_json", pa.string()),
        ("elapsed_ms", pa.float64()),
    ]
)


class ArticleWorker:
    """What a worker holds: the loaded Pipeline and the run's settings."""

    def __init__(
        self,
        *,
        kb: str | None,
        sections: Sequence[str] | None,
        max_bytes: int,
        load: bool = True,
        threads: int = 0,
    ) -> None:
        from unspin.pipeline import Pipeline

        self.pipeline = Pipeline(kb=kb, threads=threads)
        self.sections = list(sections) if sections else None
        self.max_bytes = max_bytes
        if load and self.sections is None:
            self.pipeline.load()
        elif load:  # load only what the chosen sections need
            from unspin.model import Article

            warm_up = Article(title="Warm-up", body="The minister said on Monday that the talks would go on.")
            self.pipeline.analyze(warm_up, only=self.sections)

    def report(self, row: InputRow, row_id: str) -> Report:
        """The Report for one readable row; raises UnspinError for a row that cannot be analysed."""
        text = row.fields.get("text")
        if text is None:
            reason = "row has no 'text' field" if "text" not in row.fields else "empty text (null)"
            raise UnspinError(row.source, reason)
        if not isinstance(text, str):
            raise UnspinError(row.source, f"text is not a string but {type(text).__name__}")
        size = len(text.encode("utf-8", "replace"))
        if size > self.max_bytes:
            raise UnspinError(
                row.source, f"text is {size:,} bytes, over the {self.max_bytes:,}-byte limit (--max-bytes)"
            )
        fields = dict(row.fields, id=row_id)
        article = article_from_row(fields, row.source)
        return self.pipeline.analyze(article, only=self.sections)

    def record(self, row: InputRow, chunk: int, input_file: str) -> dict[str, Any]:
        """One output record: the analysed article, or an error row with the reason."""
        row_id = _text(row.fields.get("id")) or f"{Path(input_file).stem}-{row.row}"
        record: dict[str, Any] = {
            "key": row.key,
            "chunk": chunk,
            "input_file": input_file,
            "input_row": row.row,
            "id": row_id,
            **{name: _text(row.fields.get(name)) for name in ("title", "url", "outlet", "date", "lang")},
            "status": "error",
            "error": row.error,
        }
        if row.error is None:
            t0 = time.perf_counter()
            try:
                report = self.report(row, row_id)
            except UnspinError as exc:
                record["error"] = exc.reason
            except Exception as exc:  # an analyser bug on one article must not end a million-row run
                record["error"] = f"analysis failed: {type(exc).__name__}: {exc}"
            else:
                record.update(flat_columns(report))
                record["status"] = "ok"
            record["elapsed_ms"] = round((time.perf_counter() - t0) * 1000, 2)
        return {name: record.get(name) for name in SCHEMA.names}

    def records(
        self, rows: Iterable[InputRow], chunk: int, input_files: Sequence[str]
    ) -> list[dict[str, Any]]:
        return [self.record(row, chunk, input_files[row.file_index]) for row in rows]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def flat_columns(report: Report) -> dict[str, Any]:
    """The Report's counts and lists as flat columns, and the Report itself as JSON (timings left out, so
    the same input gives byte-identical output on every engine)."""
    techniques = Counter(t.technique for t in report.techniques)
    techniques.update(label.label for p in report.paragraphs for label in p.techniques)
    speakers = [q.speaker.name for q in report.quotes if q.speaker is not None]
    sources = [q.source.name for q in report.quotes if q.source is not None]
    narratives = {n.entry_id: n.claim for n in report.narratives}  # an entry may match several passages
    return {
        "language": report.language.code,
        "word_count": report.article.word_count,
        "n_findings": len(report.findings),
        "n_techniques": len(report.techniques),
        "techniques": [name for name, _ in sorted(techniques.items(), key=lambda kv: (-kv[1], kv[0]))],
        "n_claims": len(report.claims),
        "n_unattributed_claims": sum(1 for c in report.claims if c.unattributed),
        "n_unattributed": len(report.unattributed),
        "n_quotes": len(report.quotes),
        "speakers": sorted(set(speakers)),
        "sources": sorted(set(sources)),
        "n_entities": len(report.entities),
        "narratives": list(narratives),
        "narrative_claims": list(narratives.values()),
        # SemEval-2025 storylines above the reporting threshold, and the cast (``actors[i]`` is cast as
        # ``actor_roles[i]``: Protagonist, Antagonist or Innocent), for the corpus view.
        "storylines": [s.narrative for s in report.storylines.storylines] if report.storylines else [],
        "subnarratives": [x.label for s in report.storylines.storylines for x in s.subnarratives]
        if report.storylines
        else [],
        "actors": [a.canonical for a in report.entity_roles],
        "actor_roles": [a.main_role for a in report.entity_roles],
        "headline_verdict": report.headline.verdict if report.headline else None,
        "report_json": report.model_dump_json(exclude={"timings_ms"}),
    }


def part_name(chunk: int) -> str:
    return f"part-{chunk:06d}.parquet"


def write_part(out_dir: Path, chunk: int, records: list[dict[str, Any]]) -> Path:
    """Write one chunk's records as parts/part-NNNNNN.parquet: temporary file, fsync, then rename."""
    parts = out_dir / PARTS_DIR
    parts.mkdir(parents=True, exist_ok=True)
    final = parts / part_name(chunk)
    tmp = parts / f".{part_name(chunk)}.{uuid.uuid4().hex}.tmp"
    table = pa.Table.from_pylist(records, schema=SCHEMA)
    pq.write_table(table, tmp, compression="zstd")
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return final


def done_chunks(out_dir: Path) -> set[int]:
    """Chunks whose part file exists (complete by construction: part files appear only by rename)."""
    parts = out_dir / PARTS_DIR
    if not parts.is_dir():
        return set()
    return {int(p.name[5:11]) for p in parts.glob("part-*.parquet")}


def remove_temporaries(out_dir: Path) -> None:
    """Drop half-written part files left by a run that was killed."""
    parts = out_dir / PARTS_DIR
    if parts.is_dir():
        for tmp in parts.glob(".part-*.tmp"):
            tmp.unlink(missing_ok=True)
