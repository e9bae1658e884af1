"""Ingest: every source kind, and every kind of bad input, gives an Article or a clear IngestError."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES
from unspin.errors import IngestError
from unspin.ingest import load_article
from unspin.ingest.corpus import iter_rows
from unspin.ingest.decode import decode_bytes

RU = (FIXTURES / "ru_article.txt").read_text(encoding="utf-8")


def test_txt_semeval_shape_splits_title(tmp_path: Path) -> None:
    a = load_article(FIXTURES / "en_article.txt")
    assert a.title == "Minister denies plans for offensive"
    assert a.body.startswith("Ukrainian Defence Minister")
    raw = (FIXTURES / "en_article.txt").read_text(encoding="utf-8")
    assert raw[a.body_offset :] == a.body  # offsets map back to the file


def test_txt_without_title_shape_is_all_body(tmp_path: Path) -> None:
    p = tmp_path / "plain.txt"
    p.write_text("One line of text.\nAnother line right after it.\n", encoding="utf-8")
    a = load_article(p)
    assert a.title == "" and a.body.startswith("One line of text.")


def test_plain_text_argument_and_title() -> None:
    a = load_article("Some article text that is not a file name at all.", title="Headline")
    assert a.source_kind == "text" and a.title == "Headline" and a.body.startswith("Some article")
    assert load_article(text="forced text.txt").body == "forced text.txt"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "utf-16"])
def test_cyrillic_encodings_decode_right(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / f"ru-{encoding}.txt"
    text = RU
    if encoding == "koi8_r":  # KOI8-R has no guillemets, dashes or Ukrainian letters
        text = (
            RU.replace("«", '"').replace("»", '"').replace("—", "-").replace("Олексій Резніков", "Резников")
        )
    p.write_bytes(text.encode(encoding))
    a = load_article(p)
    assert a.title == "Киев готовит наступление на Донбасс"
    assert "Министр обороны Украины Алексей Резников" in a.body


def test_html_file_extracts_text_and_metadata(tmp_path: Path) -> None:
    a = load_article(FIXTURES / "article.html")
    assert a.title == "NATO troops near Kharkov?"
    assert a.author == "Ivan Petrov" and a.outlet == "Example Daily" and a.date == "2023-01-15"
    assert "secretly deployed near Kharkov" in a.body
    assert "Subscribe" not in a.body and "Home" not in a.body.split()  # boilerplate dropped
    assert "stray bold" in a.body  # malformed markup still read


def test_html_without_text_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    p.write_text("<html><body><script>var x = 1;</script></body></html>", encoding="utf-8")
    with pytest.raises(IngestError, match="no extractable article text"):
        load_article(p)


def test_url_ok_and_redirect(http_server: str) -> None:
    a = load_article(f"{http_server}/article")
    assert a.source_kind == "url" and a.url.endswith("/article") and "Kharkov" in a.body
    assert "Kharkov" in load_article(f"{http_server}/redirect").body


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404"),
        ("/error", "HTTP 500"),
        ("/pdf", "not an HTML page"),
        ("/empty", "no extractable article text"),
    ],
)
def test_url_failures(http_server: str, path: str, message: str) -> None:
    with pytest.raises(IngestError, match=message) as err:
        load_article(f"{http_server}{path}")
    assert err.value.source == f"{http_server}{path}"


def test_url_timeout(http_server: str) -> None:
    with pytest.raises(IngestError, match="timed out"):
        load_article(f"{http_server}/slow", timeout=0.5)


def test_dead_url() -> None:
    with pytest.raises(IngestError, match="could not fetch"):
        load_article("http://127.0.0.1:9/nothing-listens-here", timeout=2)


ROWS = [
    {
        "id": "a1",
        "title": "First",
        "text": "Kiev is the capital. It is reported that troops moved.",
        "url": "https://x.test/1",
        "outlet": "X",
        "date": "2023-01-01",
    },
    {
        "id": "a2",
        "title": "Second",
        "text": "Another article body here.",
        "url": None,
        "outlet": None,
        "date": None,
    },
]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_corpus_row_by_id(tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"corpus{suffix}"
    if suffix == ".jsonl":
        p.write_text("\n".join(json.dumps(r) for r in ROWS), encoding="utf-8")
    elif suffix == ".csv":
        import csv

        with p.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(ROWS[0]))
            w.writeheader()
            w.writerows(ROWS)
    else:
        pq.write_table(pa.Table.from_pylist(ROWS), p)
    a = load_article(p, row_id="a1")
    assert (a.id, a.title, a.outlet, a.url, a.source_kind) == (
        "a1",
        "First",
        "X",
        "https://x.test/1",
        "corpus",
    )
    assert load_article(p, row_id="a2").outlet is None
    with pytest.raises(IngestError, match="no row with id 'zz'"):
        load_article(p, row_id="zz")
    with pytest.raises(IngestError, match="pass --id"):
        load_article(p)


def test_corpus_bad_rows_are_reported_and_skipped(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text(
        '{"id": "ok", "text": "fine text"}\n{broken json\n[1, 2]\n{"id": "nt", "title": "x"}\n',
        encoding="utf-8",
    )
    rows = list(iter_rows(p))
    assert [n for n, r in rows if isinstance(r, IngestError)] == [2, 3]
    assert load_article(p, row_id="ok").body == "fine text"
    with pytest.raises(IngestError, match="no 'text' field"):
        load_article(p, row_id="nt")
    with pytest.raises(
        IngestError, match=r"no row with id 'gone'; 2 row.s. could not be read, the first: line 2, bad JSON"
    ):
        load_article(p, row_id="gone")  # the row asked for may be the broken one: the error says there is one


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "empty text"),
        (b"  \n\t \n", "blank.txt", "empty text"),
        (b"\x00\x01\x02binary\x00data" * 10, "bin.txt", "binary data"),
        (b"%PDF-1.4", "doc.pdf", "unsupported file type '.pdf'"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, name: str, message: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(IngestError, match=message) as err:
        load_article(p)
    assert str(p) in str(err.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        load_article(str(tmp_path / "nope.txt"))
    with pytest.raises(IngestError, match="is a directory"):
        load_article(tmp_path)


def test_size_limit(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("word " * 1000, encoding="utf-8")
    with pytest.raises(IngestError, match="over the 1,000-byte limit"):
        load_article(p, max_bytes=1000)
    with pytest.raises(IngestError, match="over the 100-byte limit"):
        load_article(text="x" * 200, max_bytes=100)


def test_undecodable_bytes_are_refused() -> None:
    with pytest.raises(IngestError):
        decode_bytes(bytes(range(1, 32)) * 50, "noise")
