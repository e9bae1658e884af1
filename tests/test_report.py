"""The Report: schema in sync, every offset slices its text, golden JSON for the bundled example."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT
from unspin.model import Report
from unspin.render.json import render_json, report_schema

GOLDEN = Path(__file__).parent / "golden" / "nato-donbass.json"
SCHEMA_FILE = ROOT / "schema" / "report.schema.json"


def _stable(report: Report) -> dict[str, object]:
    """The report without what legitimately changes between runs (timings, version, source path)."""
    data = json.loads(render_json(report))
    data.pop("timings_ms")
    data.pop("unspin_version")
    data["article"].pop("source")
    return data


def test_schema_file_is_in_sync() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == report_schema(), "run `make schema`"


@pytest.mark.parametrize("name", ["example_report", "en_report", "ru_report"])
def test_report_validates_and_offsets_slice(name: str, request: pytest.FixtureRequest) -> None:
    report: Report = request.getfixturevalue(name)
    jsonschema.validate(json.loads(render_json(report)), report_schema())
    assert report.schema_version == "1.0" and report.findings
    for f in report.findings:
        text = report.title if f.field == "title" else report.body
        assert text[f.start : f.end] == f.text, f
        assert 0 <= f.score <= 1 and f.explanation
    assert set(report.timings_ms) >= {"parse", "entities", "quotes", "unattributed", "signals", "total"}


# Scores may differ between CPUs by float32 rounding (the encoders compute in float: test_encoder_numerics.py);
# everything else (labels, offsets, texts, which findings there are) must match exactly.
SCORE_TOLERANCE = 1e-3


def differences(got: object, want: object, where: str = "$") -> list[str]:
    """Where ``got`` differs from ``want``: floats by more than SCORE_TOLERANCE, anything else at all."""
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return [] if abs(got - want) <= SCORE_TOLERANCE else [f"{where}: {got} != {want}"]
    if isinstance(want, dict) and isinstance(got, dict):
        if set(got) != set(want):
            return [f"{where}: keys {sorted(set(got) ^ set(want))} differ"]
        return [d for k in want for d in differences(got[k], want[k], f"{where}.{k}")]
    if isinstance(want, list) and isinstance(got, list):
        if len(got) != len(want):
            return [f"{where}: {len(got)} items != {len(want)}"]
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in differences(g, w, f"{where}[{i}]")
        ]
    return [] if got == want and type(got) is type(want) else [f"{where}: {got!r} != {want!r}"]


def test_golden_comparison_tolerates_rounding_only() -> None:
    want = {"findings": [{"label": "Loaded_Language", "score": 0.8123, "start": 3}]}
    assert differences({"findings": [{"label": "Loaded_Language", "score": 0.8127, "start": 3}]}, want) == []
    assert differences({"findings": [{"label": "Loaded_Language", "score": 0.8143, "start": 3}]}, want)
    assert differences({"findings": [{"label": "Doubt", "score": 0.8123, "start": 3}]}, want)
    assert differences({"findings": [{"label": "Loaded_Language", "score": 0.8123, "start": 4}]}, want)
    assert differences({"findings": []}, want)


def test_golden_example(example_report: Report) -> None:
    data = _stable(example_report)
    if os.environ.get("UNSPIN_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    diff = differences(data, json.loads(GOLDEN.read_text(encoding="utf-8")))
    assert not diff, "\n".join(diff[:20]) + "\n(set UNSPIN_UPDATE_GOLDEN=1 to refresh)"


def test_example_shows_the_demo_story(example_report: Report) -> None:
    """What the bundled example is for: merged spellings, a sourced quote, unattributed claims, naming."""
    assert any(e.multiple_spellings and e.type == "PER" for e in example_report.entities)
    assert any(q.source and q.source.name == "The Globe and Mail" for q in example_report.quotes)
    assert {u.trigger.text for u in example_report.unattributed} >= {"it is reported"}
    assert example_report.naming.convention == "russian-derived"
