"""Hostile input, as issue 19 tried it: every source bounded, every bad option one line and exit 2, honest
verdicts. Each test names the defect it guards against."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES, ROOT
from unspin.errors import IngestError
from unspin.ingest import load_article
from unspin.ingest.limits import max_bytes_from_env, read_bounded
from unspin.ingest.url import check_url
from unspin.model import Article

UNSPIN = [sys.executable, "-m", "unspin.cli"]
MEMORY_BOUND_MB = 1500  # the models' imports take ~500 MB; an unbounded read of a stream took 4.6 GB in 8 s


def _unspin(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
    p = subprocess.run(
        [*UNSPIN, *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    return p.returncode, p.stderr.decode()


def _one_line_error(err: str) -> str:
    assert err.startswith("unspin: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _peak_child_mb(cmd: str) -> tuple[int, str, float]:
    """Run a shell pipeline in a fresh process group and return (exit code, stderr, peak RSS of its children
    in MB): the memory probe of the issue, as a bound rather than a timing."""
    code = (
        "import resource, subprocess, sys\n"
        f"p = subprocess.run({cmd!r}, shell=True, capture_output=True, timeout=300)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "sys.stderr.write(p.stderr.decode())\n"
        "print(p.returncode, peak)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=400)
    rc, peak = p.stdout.decode().split()
    return int(rc), p.stderr.decode(), float(peak)


@pytest.mark.parametrize(
    "pipeline",
    [
        f"yes | {sys.executable} -m unspin.cli analyze -",  # stdin without an end
        f"{sys.executable} -m unspin.cli analyze /dev/zero",  # a device without an end
    ],
)
def test_endless_input_stops_at_the_limit(pipeline: str) -> None:
    rc, err, peak_mb = _peak_child_mb(pipeline)  # a pipeline's code is its last command's
    assert rc == 2, err
    assert "the 2,000,000-byte limit" in err and "--max-bytes" in err
    assert "Traceback" not in err
    assert peak_mb < MEMORY_BOUND_MB, f"peak RSS {peak_mb:.0f} MB"


def test_read_bounded_reads_limit_plus_one() -> None:
    class Counting:
        read_total = 0

        def read(self, n: int) -> bytes:
            self.read_total += n
            return b"y\n" * (n // 2) + b"y" * (n % 2)

    stream = Counting()
    with pytest.raises(IngestError, match="the 1,000-byte limit"):
        read_bounded(stream, 1000, "stdin")  # type: ignore[arg-type]
    assert stream.read_total == 1001


def test_corpus_row_and_line_over_the_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "1", "text": "' + "word " * 400 + '"}\n', encoding="utf-8")
    with pytest.raises(IngestError, match="the 1,000-byte limit"):
        load_article(corpus, max_bytes=1000)
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("id,text\n1," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(IngestError, match="the 1,000-byte limit"):
        load_article(csv_file, max_bytes=1000)


def test_bad_env_limit_breaks_nothing_but_its_use() -> None:
    rc, err = _unspin("--help", env={"UNSPIN_MAX_BYTES": "abc"})
    assert rc == 0, err
    rc, err = _unspin("analyze", "Some text.", env={"UNSPIN_MAX_BYTES": "abc"})
    assert rc == 2 and "UNSPIN_MAX_BYTES" in _one_line_error(err) and "valid integer" in err
    with pytest.raises(IngestError, match="UNSPIN_MAX_BYTES"):
        os.environ["UNSPIN_MAX_BYTES"] = "-3"
        try:
            max_bytes_from_env()
        finally:
            del os.environ["UNSPIN_MAX_BYTES"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-bytes", "-5"], "--max-bytes"),
        (["--max-bytes", "lots"], "valid integer"),
        (["--lang", "klingon"], "'klingon' is not a supported language code"),
        (["--id", ""], "--id"),
        (["--id", "   "], "empty"),
        (["--format", "xml"], "--format"),
    ],
)
def test_bad_options_are_one_line_exit_2(args: list[str], message: str) -> None:
    rc, err = _unspin("analyze", str(EXAMPLE), *args)
    assert rc == 2 and message in _one_line_error(err)


def test_output_paths_checked_before_the_analysis_and_written_all_or_none(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    rc, err = _unspin("analyze", str(EXAMPLE), "--html", str(html), "--json", str(tmp_path / "no" / "r.json"))
    assert rc == 2 and "does not exist" in _one_line_error(err)
    assert not html.exists()
    rc, err = _unspin("analyze", str(EXAMPLE), "-o", str(tmp_path))
    assert rc == 2 and "is a folder" in _one_line_error(err)


def test_write_all_leaves_nothing_when_one_fails(tmp_path: Path) -> None:
    from unspin.cli_checks import OutputError, write_all

    good = tmp_path / "a.html"
    with pytest.raises(OutputError):
        write_all([(good, "x"), (tmp_path / "missing" / "b.json", "y")])
    assert not good.exists() and list(tmp_path.iterdir()) == []
    write_all([(good, "x")])
    assert good.read_text() == "x" and oct(good.stat().st_mode & 0o777) != "0o600"


def test_analyze_with_a_corrupt_kb_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "kb.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    rc, err = _unspin("analyze", str(EXAMPLE), "--kb", str(bad))
    assert rc == 2 and "kb.sqlite" in _one_line_error(err)
    rc, err = _unspin("analyze", str(EXAMPLE), "--kb", str(tmp_path / "typo.sqlite"))
    assert rc == 2 and "no such knowledge base" in err
    assert not (tmp_path / "typo.sqlite").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("ftp://example.org/a.txt", "unsupported URL scheme 'ftp'"),
        ("FILE:///etc/hosts", "unsupported URL scheme 'file'"),
        ("http://", "no host name"),
        ("http://exa mple.org/", "spaces"),
        ("http://example.org:99999/", "not a valid URL"),
    ],
)
def test_urls_are_validated_before_any_traffic(url: str, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        check_url(url)
    with pytest.raises(IngestError, match=message):
        load_article(url)  # not read as a path ('file:/etc/passwd: no such file')


def test_invalid_utf8_gets_a_note_naming_the_encoding(tmp_path: Path) -> None:
    p = tmp_path / "ru.txt"
    p.write_bytes("Заголовок\n\nНАТО готовит наступление на Донбасс.\n".encode("cp1251"))
    a = load_article(p)
    assert "наступление" in a.body
    assert any("not valid UTF-8" in n and "cp1251" in n for n in a.notes)
    assert load_article(FIXTURES / "en_article.txt").notes == []


def test_long_first_line_is_noted_not_silently_body(tmp_path: Path) -> None:
    first = "The government announced a sweeping package of measures on Tuesday. " * 8
    p = tmp_path / "long.txt"
    p.write_text(first + "\n\nThe minister said the plan would be debated next week.\n", encoding="utf-8")
    a = load_article(p)
    assert a.title == "" and a.body.startswith("The government")
    assert any("too long for a headline" in n for n in a.notes)


def test_language_floor_and_supported_list() -> None:
    from unspin.nlp.language import SUPPORTED_LANGUAGES, detect_language
    from unspin.nlp.models import language_detector

    assert detect_language("中国政府今天宣布了新的经济政策，以促进国内消费。")[0] == "und"
    assert detect_language("The minister said on Monday that the talks would go on.")[0] == "en"
    detector = language_detector()
    known = {
        lang.iso_code_639_1.name.lower()
        for lang in detector.compute_language_confidence_values("text")
        if hasattr(lang, "language")
        for lang in [lang.language]
    }
    assert known == set(SUPPORTED_LANGUAGES)


def test_undetermined_language_note_names_the_supported_ones() -> None:
    from unspin.pipeline import analyze_article

    art = Article(title="", body="中国政府今天宣布了新的经济政策，以促进国内消费。")
    report = analyze_article(art, only=["entities"])
    assert report.language.code == "und"
    assert any("could not be determined" in n and "en, ru" in n for n in report.notes)


def test_headline_checked_nothing_is_not_supported_or_checked() -> None:
    from unspin.pipeline import stance

    baker = (
        "Der Bäcker Hans Müller steht jeden Morgen um vier Uhr auf. Er backt Brot und Brötchen für das "
        "ganze Dorf. Seine Frau verkauft die Ware im Laden an der Hauptstraße."
    )
    h = stance("Aliens landen in Berlin", baker)
    assert h.verdict == "not supported" and [(e.kind, e.span.text) for e in h.elements] == [
        ("name", "Berlin")
    ]
    assert stance("Bäcker backt Brot für das Dorf", baker).verdict == "supported"
    h = stance("aliens landen heute", baker, language="de")
    assert h.verdict == "not checked" and "not checked" in h.explanation and h.elements == []
    assert stance("这是标题", "这是一篇关于面包师的文章。他每天早上四点起床。").verdict == "not checked"


def test_short_text_gets_no_genre_or_frames() -> None:
    from unspin.pipeline import analyze_article

    report = analyze_article(Article(body="x"), only=["paragraphs"])
    assert report.classification is None
    assert any("No framing or genre verdict" in n for n in report.notes)
    long_enough = analyze_article(Article(body=(EXAMPLE.read_text(encoding="utf-8"))), only=["paragraphs"])
    assert long_enough.classification is not None


def test_long_paragraph_is_parsed_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paragraph over spaCy's max_length was E088, a traceback; it is read in pieces."""
    import importlib

    from unspin.nlp import models

    parse = importlib.import_module("unspin.nlp.parse")  # the package exports the function under that name
    nlp = models.spacy_english()
    monkeypatch.setattr(parse, "MAX_PIECE_CHARS", 2_000)
    monkeypatch.setattr(nlp, "max_length", 3_000)
    body = " ".join(f"Minister Anna Novak spoke in Kharkiv on day {i}." for i in range(300))  # 14k chars
    doc = parse.parse(Article(title="T", body=body), language="en")
    assert len(doc.body.sentences) >= 250
    assert all(body[s.start : s.end] == s.text for s in doc.body.sentences)
    assert all(body[m.start : m.end] == m.text for m in doc.body.mentions)


def test_pieces_cover_the_text() -> None:
    from unspin.nlp.parse import pieces_of

    text = "Abc def. " * 3000 + "x" * 2500
    pieces = pieces_of(text, 0, len(text), 1000)
    assert all(0 < b - a <= 1000 for a, b in pieces)
    assert "".join(text[a:b] for a, b in pieces).replace(" ", "") == text.replace(" ", "")
    assert all(text[b - 1] == "." for a, b in pieces[:-4])  # cut after a sentence end when there is one


def test_cli_main_rlimit_free_of_tracebacks_on_missing_command() -> None:
    rc, err = _unspin("no-such-command")
    assert rc == 2 and "No such command" in _one_line_error(err)
    resource.getrusage(resource.RUSAGE_SELF)  # (imported for the probe above)
