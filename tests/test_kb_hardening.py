"""Knowledge base under hostile use (issue 19): one transaction per import with --on-error, rows refused
with their line numbers, concurrent writers, read-only commands that create nothing, and lossless round
trips proved by a property test."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from unspin.kb import Entry, KBError, SqliteKB, open_kb
from unspin.kb.importers import export_text, read_entries

UNSPIN = [sys.executable, "-m", "unspin.cli"]
GOOD = '{"id": "g1", "claim": "Sanctions hurt Europe more than Russia"}\n'


def _kb_cli(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([*UNSPIN, "kb", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    return p.returncode, p.stdout, p.stderr


def test_a_bad_row_aborts_the_import_by_default_and_names_its_line(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text(
        GOOD + "{not json\n" + '{"id": "g2", "claim": "Another claim"}\n' + "[1]\n", encoding="utf-8"
    )
    kb = tmp_path / "kb.sqlite"
    rc, out, err = _kb_cli("import", str(f), "-f", "jsonl", "--kb", str(kb))
    assert rc == 2 and "2 row(s) rejected (line 2, line 4" in err and "nothing was imported" in err
    assert open_kb(kb, read_only=True).stats()["entries"] == 0
    rc, out, err = _kb_cli("import", str(f), "-f", "jsonl", "--kb", str(kb), "--on-error", "skip")
    assert rc == 1 and "added 2" in out and "rejected 2" in out and "rejected line 2" in out
    assert open_kb(kb, read_only=True).stats()["entries"] == 2


def test_a_csv_imported_as_jsonl_fails_clearly(tmp_path: Path) -> None:
    f = tmp_path / "claims.csv"
    f.write_text("claim,verdict\nThe moon is cheese,false\nRain is dry,false\n", encoding="utf-8")
    kb = tmp_path / "kb.sqlite"
    for mode in ("abort", "skip"):
        rc, _, err = _kb_cli("import", str(f), "-f", "jsonl", "--kb", str(kb), "--on-error", mode)
        assert rc == 2 and "no row could be read as jsonl" in err and "is it really a jsonl file?" in err
        assert err.count("\n") == 1


def test_undecodable_bytes_are_refused_with_their_row(tmp_path: Path) -> None:
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(
        GOOD.encode()
        + b'{"id": "bad", "claim": "caf\\u00e9 '
        + b'\xff\xfe latin"}\n'
        + '{"id": "ru", "claim": "НАТО готовит наступление"}\n'.encode()
    )
    kb = SqliteKB(tmp_path / "kb.sqlite")
    items = read_entries(f, "jsonl")
    rejected = [i for i in items if isinstance(i, tuple)]
    assert rejected == [("line 2", "not UTF-8: undecodable byte 0xff in this row (the file must be UTF-8)")]
    result = kb.upsert(items)
    assert result.added == 2 and kb.get("ru").claim == "НАТО готовит наступление"  # type: ignore[union-attr]
    assert kb.get("bad") is None


@pytest.mark.parametrize(
    "command", [["stats"], ["search", "troops"], ["outlet", "rt.com"], ["export", "-f", "jsonl"]]
)
def test_read_only_commands_create_no_file(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "typo.sqlite"
    rc, _, err = _kb_cli(*command, "--kb", str(typo))
    assert rc == 2 and "no such knowledge base" in err and err.count("\n") == 1
    assert not typo.exists() and list(tmp_path.iterdir()) == []


def test_a_corrupt_or_foreign_file_is_an_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"garbage" * 1000)
    rc, _, err = _kb_cli("stats", "--kb", str(corrupt))
    assert rc == 2 and "not a usable unspin knowledge base" in err
    import sqlite3

    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(KBError, match="not an unspin knowledge base"):
        open_kb(foreign, read_only=True)
    with pytest.raises(KBError, match="not an unspin knowledge base"):
        open_kb(foreign)


def test_concurrent_imports_of_the_same_file(tmp_path: Path) -> None:
    """Two real processes import the same file at once: before, the second failed on the insert
    (sqlite3.IntegrityError: both read the ids as new before either took the write lock)."""
    f = tmp_path / "many.jsonl"
    f.write_text(
        "".join(
            json.dumps({"id": f"c{i}", "claim": f"claim number {i} about tanks"}) + "\n" for i in range(3000)
        ),
        encoding="utf-8",
    )
    kb = tmp_path / "kb.sqlite"
    procs = [
        subprocess.Popen(
            [*UNSPIN, "kb", "import", str(f), "-f", "jsonl", "--kb", str(kb)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all("Traceback" not in err for _, err in outs)
    added = sorted(int(out.split("added ")[1].split(",")[0]) for out, _ in outs)
    assert added == [0, 3000]  # one added them all, the other found them unchanged
    assert open_kb(kb, read_only=True).stats()["entries"] == 3000


def test_a_writer_waits_for_the_lock_instead_of_failing(tmp_path: Path) -> None:
    kb_path = tmp_path / "kb.sqlite"
    holder = SqliteKB(kb_path)
    holder.db.execute("BEGIN IMMEDIATE")  # another import is writing
    f = tmp_path / "a.jsonl"
    f.write_text(GOOD, encoding="utf-8")
    proc = subprocess.Popen(
        [*UNSPIN, "kb", "import", str(f), "-f", "jsonl", "--kb", str(kb_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        out, err = proc.communicate(timeout=8)  # it blocks on the lock while the holder has it
        pytest.fail(f"the import finished while another writer held the lock: {out} {err}")
    except subprocess.TimeoutExpired:
        pass
    holder.db.execute("COMMIT")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "added 1" in out, err


# --- round trips: export, then import into the same KB and into a fresh one, in every export format

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_CSV_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


def _rows(text: st.SearchStrategy[str]) -> st.SearchStrategy[list[dict[str, object]]]:
    row = st.fixed_dictionaries(
        {"claim": text.filter(lambda t: bool(t.strip()))},
        optional={
            "id": text,
            "verdict": text,
            "explanation": text,
            "title": text,
            "url": text,
            "date": st.one_of(text, st.dates().map(str), st.just("10/03/17")),
            "language": text,
            "outlet": text,
            "source": text,
            "keywords": st.lists(text, max_size=3),
        },
    )
    return st.lists(row, min_size=1, max_size=6)


def _seed_file(tmp: Path, rows: list[dict[str, object]], fmt: str) -> Path:
    if fmt == "jsonl":
        path = tmp / "seed.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return path
    buf = io.StringIO(newline="")
    columns = [
        "id",
        "claim",
        "verdict",
        "explanation",
        "title",
        "url",
        "date",
        "language",
        "outlet",
        "keywords",
    ]
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({**r, "keywords": ";".join(r.get("keywords", []))})  # type: ignore[arg-type]
    path = tmp / "seed.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def _entries(kb: SqliteKB) -> list[Entry]:
    return list(kb.entries())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_export_then_import_is_lossless(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    seed_fmt = data.draw(st.sampled_from(["jsonl", "csv"]), label="seed format")
    rows = data.draw(_rows(_TEXT if seed_fmt == "jsonl" else _CSV_TEXT), label="rows")
    tmp = tmp_path_factory.mktemp("rt")
    kb = SqliteKB(tmp / "kb.sqlite")
    try:
        kb.upsert(read_entries(_seed_file(tmp, rows, seed_fmt), seed_fmt), on_error="skip")
    except KBError:
        return  # a seed file the importer refuses whole (binary-looking text): nothing to round-trip
    before = _entries(kb)
    for fmt in ("jsonl", "claimreview"):
        exported = tmp / f"export.{fmt}"
        exported.write_text(export_text(before, fmt), encoding="utf-8")
        items = read_entries(exported, fmt)
        assert not [i for i in items if isinstance(i, tuple)], items
        again = kb.upsert(items, on_error="abort")
        assert (again.added, again.updated, again.skipped) == (0, 0, len(before))
        fresh = SqliteKB(tmp / f"fresh-{fmt}.sqlite")
        fresh.upsert(read_entries(exported, fmt), on_error="abort")
        assert _entries(fresh) == before  # ids, sources, verdicts, every field
        assert _entries(kb) == before
        fresh.close()
        os.unlink(tmp / f"fresh-{fmt}.sqlite")
    kb.close()


def test_kb_import_reads_no_further_than_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`kb import /dev/zero` read forever; a gzip bomb would too. Both stop at the import limit."""
    import gzip

    from unspin.kb import importers

    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 10_000)
    with pytest.raises(KBError, match="goes on past the 10,000-byte limit"):
        read_entries(Path("/dev/zero"), "jsonl")
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"\n" * 5_000_000))  # 5 KB on disk
    assert bomb.stat().st_size < 10_000
    with pytest.raises(KBError, match="goes on past the 10,000-byte limit"):
        read_entries(bomb, "jsonl")
    with pytest.raises(KBError, match="not a valid gzip file"):
        (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b not really")
        read_entries(tmp_path / "bad.gz", "csv")


@pytest.mark.parametrize("fmt", ["euvsdisinfo", "csv", "outlets"])
def test_csv_quirks_are_kb_errors(tmp_path: Path, fmt: str) -> None:
    """Found by `make fuzz`: a file of b'\\r\\x01' raised csv.Error (a traceback) from the EUvsDisinfo header
    check; the csv module's errors are KBErrors naming the file."""
    for i, data in enumerate([b"\r\x01", b'claim,domain,label,source\n"a"b,c\n', b"\x01\r\r\n"]):
        path = tmp_path / f"{i}.csv"
        path.write_bytes(data)
        try:
            read_entries(path, fmt)
        except KBError as exc:
            assert str(path) in str(exc)
