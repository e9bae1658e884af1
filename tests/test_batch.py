"""`unspin batch`, local engine: streaming inputs, error rows for bad rows, kill -9 then resume exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, ROOT, run_cli
from unspin.engines.inputs import iter_inputs
from unspin.engines.local import run_local
from unspin.engines.run import BatchConfig

CORPUS = FIXTURES / "corpus" / "articles.jsonl"
GOOD = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def read_output(out: Path) -> list[dict[str, object]]:
    return pq.read_table(out / "parts").sort_by("key").to_pylist()


def write_bad_inputs(tmp_path: Path) -> list[Path]:
    """One file per format, each mixing good rows with every kind of bad row."""
    good = GOOD[0]
    jsonl = tmp_path / "bad.jsonl"
    lines = [
        json.dumps(good).encode(),
        json.dumps({"id": "empty", "text": "   "}).encode(),
        b'{"id": "latin1", "text": "caf\xe9 au lait"}',
        json.dumps({"id": "number", "text": 42}).encode(),
        json.dumps({"id": "big", "text": "word " * 1000}).encode(),
        b'{"id": "broken", "text": ',
        json.dumps({"id": "notext", "title": "no body"}).encode(),
        json.dumps(["not", "an", "object"]).encode(),
    ]
    jsonl.write_bytes(b"\n".join(lines) + b"\n")
    csv_path = tmp_path / "bad.csv"
    csv_path.write_bytes(
        b"id,title,text,outlet\n"
        + f'c1,A title,"{GOOD[6]["text"]}",Reuters\n'.encode()
        + b'c2,Bad bytes,"caf\xe9 \xff text",X\n'
        + b"c3,Empty,,Y\n"
    )
    parquet = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": [GOOD[7]["text"], None]}), parquet)
    return [jsonl, csv_path, parquet]


def test_bad_rows_become_error_rows_and_the_run_goes_on(tmp_path: Path) -> None:
    inputs = write_bad_inputs(tmp_path)
    config = BatchConfig(
        inputs=inputs, out=tmp_path / "out", sections=["entities"], max_bytes=3000, chunk_rows=4
    )
    manifest = run_local(config, quiet=True)
    rows = {r["id"]: r for r in read_output(tmp_path / "out")}
    assert manifest["counts"] == {"rows": 13, "ok": 3, "errors": 10}
    assert {i for i, r in rows.items() if r["status"] == "ok"} == {"a1", "c1", "p1"}
    reasons = {i: r["error"] for i, r in rows.items() if r["status"] == "error"}
    assert "empty text" in reasons["empty"]
    assert "not UTF-8" in reasons["bad-3"]  # an undecodable JSON line has no readable id: file stem + line
    assert "not a string but int" in reasons["number"]
    assert "over the 3,000-byte limit" in reasons["big"]
    assert "bad JSON" in reasons["bad-6"]
    assert "no 'text' field" in reasons["notext"]
    assert "not an object" in reasons["bad-8"]
    assert "not UTF-8" in reasons["c2"]
    assert "empty text" in reasons["c3"]
    assert "empty text" in reasons["p2"]
    ok = rows["a1"]
    assert ok["outlet"] == "Kyiv Post" and ok["language"] == "en" and ok["n_entities"] > 0
    report = json.loads(ok["report_json"])
    assert report["article"]["id"] == "a1" and "timings_ms" not in report
    assert manifest["inputs"][0]["sha256"] and manifest["sections"] == ["entities"]


def test_inputs_stream_in_order_with_stable_keys(tmp_path: Path) -> None:
    inputs = write_bad_inputs(tmp_path)
    keys = [row.key for row in iter_inputs(inputs)]
    assert keys[:3] == ["0:1", "0:2", "0:3"] and keys[-2:] == ["2:1", "2:2"]
    assert len(keys) == len(set(keys)) == 13


def big_corpus(tmp_path: Path, copies: int) -> Path:
    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for n in range(copies):
            for row in GOOD:
                fh.write(json.dumps(dict(row, id=f"{row['id']}-{n}"), ensure_ascii=False) + "\n")
    return path


def test_kill_9_then_rerun_gives_every_row_exactly_once(tmp_path: Path) -> None:
    corpus = big_corpus(tmp_path, 4)  # 40 rows, 20 chunks of 2
    out = tmp_path / "out"
    args = [str(corpus), "--out", str(out), "--workers", "2", "--sections", "entities", "--chunk-rows", "2"]
    command = [sys.executable, "-m", "unspin.cli", "batch", *args]
    proc = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE)
    parts = out / "parts"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(parts.glob("part-*.parquet"))) < 3:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-run
    proc.wait()
    written = len(list(parts.glob("part-*.parquet")))
    assert 3 <= written < 20 and not (out / "manifest.json").exists()

    result = run_cli("batch", *args)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"rows": 40, "ok": 40, "errors": 0}
    rows = read_output(out)
    ids = [r["id"] for r in rows]
    assert len(ids) == 40 and set(ids) == {f"{r['id']}-{n}" for n in range(4) for r in GOOD}
    assert [r["key"] for r in rows] == sorted(f"0:{n}" for n in range(1, 41))
    assert not list(parts.glob(".*tmp"))


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    missing = run_cli("batch", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
    unknown = run_cli("batch", str(CORPUS), "--out", str(tmp_path / "o"), "--sections", "entities,bogus")
    assert unknown.returncode == 2 and "unknown section(s) bogus" in unknown.stderr


def test_resume_with_other_settings_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out).mkdir()
    (out / "_run.json").write_text(json.dumps({"inputs": ["x"], "sections": None}))
    config = BatchConfig(inputs=[CORPUS], out=out, sections=["entities"])
    with pytest.raises(Exception, match="holds a run with other inputs, sections"):
        run_local(config, quiet=True)
