"""JSON view of a Report (the schema is the Report model's)."""

from __future__ import annotations

import json as _json

from unspin.model import Report


def render_json(report: Report, *, indent: int | None = 2) -> str:
    """The Report as JSON, non-ASCII text kept readable."""
    return _json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=indent)


def report_schema() -> dict[str, object]:
    """JSON Schema of the Report."""
    schema = Report.model_json_schema()
    schema["$id"] = "https://unspin.dev/schema/report-1.0.json"
    return schema
