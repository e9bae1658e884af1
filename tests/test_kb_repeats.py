"""Rows repeated inside one import file: exact repeats are skipped and counted, conflicting ones are named."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import FIXTURES
from unspin.cli import app
from unspin.kb import SqliteKB
from unspin.kb.importers import read_entries, read_import

# 5 rows: 2 cases, 2 exact repeats, 1 repeat in another language.
CASES = FIXTURES / "kb-repeats" / "cases.csv"


def test_exact_repeats_are_counted_and_conflicts_named() -> None:
    read = read_import(CASES, "euvsdisinfo")
    entries = [i for i in read.items if not isinstance(i, tuple)]
    assert len(entries) == 2 and read.repeated == 2
    assert [(c.where, c.first, c.differs) for c in read.conflicts] == [("line 6", "line 3", ["language"])]
    kept = next(e for e in entries if e.outlet == "Outlet B")
    assert kept.language == "English"  # the first row of the id is the one kept
    assert read_entries(CASES, "euvsdisinfo") == read.items


def test_import_with_default_options_succeeds_and_reports_repeats(tmp_path: Path) -> None:
    kb = tmp_path / "kb.sqlite"
    res = CliRunner().invoke(app, ["kb", "import", str(CASES), "--format", "euvsdisinfo", "--kb", str(kb)])
    assert res.exit_code == 0, res.output
    assert "added 2," in res.output and "2 repeated row(s) skipped" in res.output
    assert "1 conflicting repeat(s) left out" in res.output
    assert "line 6 repeats line 3" in res.output and "differs in language" in res.output
    assert len(list(SqliteKB(kb).entries())) == 2
    again = CliRunner().invoke(app, ["kb", "import", str(CASES), "--format", "euvsdisinfo", "--kb", str(kb)])
    assert again.exit_code == 0 and "added 0, updated 0, skipped 2 (unchanged)" in again.output


def test_a_file_without_repeats_reports_none(tmp_path: Path) -> None:
    single = tmp_path / "one.csv"
    shutil.copy(CASES, single)
    lines = single.read_text(encoding="utf-8").splitlines(keepends=True)
    single.write_text("".join(lines[:3]), encoding="utf-8")
    res = CliRunner().invoke(
        app, ["kb", "import", str(single), "--format", "euvsdisinfo", "--kb", str(tmp_path / "kb.sqlite")]
    )
    assert res.exit_code == 0 and "repeated row" not in res.output and "conflicting" not in res.output
