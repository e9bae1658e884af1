"""The CLI end to end, as a user runs it: outputs, summaries, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES, ROOT

UNSPIN = [sys.executable, "-m", "unspin.cli"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*UNSPIN, *args], input=stdin, capture_output=True, cwd=ROOT, timeout=300)


def test_analyze_json_html_and_summary(tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "r.json", tmp_path / "r.html"
    p = run("analyze", str(EXAMPLE), "--html", str(out_html), "--json", str(out_json))
    assert p.returncode == 0, p.stderr.decode()
    summary = p.stdout.decode()
    assert "Kiev requested military assistance" in summary and "spelt 3 ways" in summary
    assert "The Globe and Mail" in summary and "unattributed" in summary
    data = json.loads(out_json.read_text(encoding="utf-8"))
    for f in data["findings"]:
        text = data["title"] if f["field"] == "title" else data["body"]
        assert text[f["start"] : f["end"]] == f["text"]
    top = max(data["techniques"], key=lambda t: t["score"])  # the strongest span is shown, with its place
    assert f"{top['score']:.2f} " in summary and " ".join(top["text"].split())[:30] in " ".join(
        summary.split()
    )
    assert out_html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_format_json_to_stdout_and_text_from_stdin() -> None:
    p = run("analyze", "-", "--format", "json", stdin=b"Headline here\n\nSources say the bridge fell.")
    assert p.returncode == 0, p.stderr.decode()
    data = json.loads(p.stdout)
    assert data["title"] == "Headline here" and data["unattributed"][0]["trigger"]["text"] == "Sources say"


def test_text_argument_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "s.txt"
    p = run("analyze", "It is reported that Kiev is preparing an offensive.", "-f", "text", "-o", str(out))
    assert p.returncode == 0 and "unattributed" in out.read_text(encoding="utf-8")


def test_corpus_row(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "7", "title": "T", "text": "Sources say Kiev fell."})
        + "\n"
        + json.dumps({"id": "8", "text": "Other."})
        + "\n",
        encoding="utf-8",
    )
    p = run("analyze", str(corpus), "--id", "7", "-f", "json")
    assert p.returncode == 0 and json.loads(p.stdout)["article"]["id"] == "7"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["analyze", "missing-file.txt"], None, "missing-file.txt: no such file"),
        (["analyze", "-"], b"   \n ", "stdin: empty text"),
        (["analyze", str(FIXTURES / "article.html"), "--max-bytes", "100"], None, "over the 500-byte limit"),
        (["analyze", "-"], b"\x00\x01\x02\x03" * 100, "stdin: looks like binary data"),
        (["analyze", str(ROOT / "pyproject.toml")], None, "unsupported file type '.toml'"),
        (["analyze", "http://127.0.0.1:9/"], None, "could not fetch"),
    ],
)
def test_errors_are_one_line_exit_2(args: list[str], stdin: bytes | None, message: str) -> None:
    p = run(*args, stdin=stdin)
    err = p.stderr.decode()
    assert p.returncode == 2, err
    assert err.startswith("unspin: error: ") and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_schema_command() -> None:
    p = run("schema")
    assert p.returncode == 0 and json.loads(p.stdout)["title"] == "Report"


def test_russian_article_summary_is_quiet_on_stderr() -> None:
    """A Russian article goes through natasha and the sentence heads; the libraries' own warnings stay hidden."""
    p = run("analyze", str(FIXTURES / "ru_article.txt"))
    assert p.returncode == 0 and p.stderr.decode() == ""
    out = p.stdout.decode()
    assert "language ru" in out and "spelt 2 ways" in out and "сообщается" in out
