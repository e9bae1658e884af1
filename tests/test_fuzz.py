"""Fuzzing (Hypothesis) of everything a user can hand unspin: ingest (text, bytes, HTML, corpus rows, URLs),
the command line's options and the knowledge-base importers. The contract: a result or a known error
(unspin.errors.UnspinError), never another exception, never a traceback, and memory bounded by the input.

`make test` runs the short profile; `make fuzz` runs the long one (HYPOTHESIS_PROFILE=fuzz) and writes how
many inputs each target ran to $UNSPIN_FUZZ_REPORT.
"""

from __future__ import annotations

import json
import os
import sys
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin.errors import UnspinError

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "fuzz", max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

RAN: Counter[str] = Counter()
ERRORS: Counter[str] = Counter()
MEMORY_BOUND = 64 * 1024 * 1024  # per input of a few KB: anything near this would be an unbounded read


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    path = os.environ.get("UNSPIN_FUZZ_REPORT")
    if path:
        old = json.loads(Path(path).read_text()) if Path(path).exists() else {"ran": {}, "errors": {}}
        old["ran"].update(RAN)
        old["errors"].update(ERRORS)
        Path(path).write_text(json.dumps(old, indent=1, sort_keys=True))


def _contract(target: str, call: Callable[[], Any]) -> Any:
    """Run ``call``: it returns, or raises an UnspinError; memory stays bounded."""
    RAN[target] += 1
    tracemalloc.start()
    try:
        return call()
    except UnspinError as exc:
        ERRORS[f"{target}: {type(exc).__name__}"] += 1
        assert (str(exc) and "\n" not in str(exc).strip()) or target.startswith("html"), str(exc)
        return None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < MEMORY_BOUND, f"{target}: {peak / 1e6:.0f} MB"


# --- ingest

# Text as Python hands it over from argv or a file name: lone surrogates stand for bytes that were not UTF-8.
_ANY_TEXT = st.lists(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr)), max_size=300).map(
    "".join
)

_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=300).map(lambda t: t.encode("cp1251", "replace")),
)


@given(data=_BYTES)
def test_fuzz_decode(data: bytes) -> None:
    from unspin.ingest.decode import decode_with_note

    out = _contract("decode", lambda: decode_with_note(data, "fuzz"))
    if out is not None:
        text, note = out
        assert isinstance(text, str) and (note is None or "UTF-8" in note)


@given(
    text=st.one_of(st.text(max_size=1500), _ANY_TEXT),
    title=st.none() | st.text(max_size=100) | _ANY_TEXT,
    limit=st.integers(1, 5000),
)
def test_fuzz_text(text: str, title: str | None, limit: int) -> None:
    from unspin.ingest import load_article

    art = _contract("text", lambda: load_article(text=text, title=title, max_bytes=limit))
    if art is not None:
        try:  # a lone U+DC80-U+DCFF stands for one undecodable byte
            size = len(text.encode("utf-8", "surrogateescape"))
        except UnicodeEncodeError:
            size = len(text.encode("utf-8", "surrogatepass"))
        assert art.body.strip() and size <= limit
        art.model_dump_json()  # what the report will hold can be written out


@given(data=_BYTES, suffix=st.sampled_from([".txt", ".html", ".md", ""]), limit=st.integers(1, 3000))
def test_fuzz_files(tmp_path: Path, data: bytes, suffix: str, limit: int) -> None:
    from unspin.ingest import load_article

    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    _contract("file", lambda: load_article(path, max_bytes=limit))


_TAGS = st.sampled_from(["p", "div", "h1", "title", "script", "article", "b", "meta", "br", "html", "body"])
_HTML = st.lists(
    st.one_of(
        st.text(max_size=80),
        st.builds(lambda t, x: f"<{t}>{x}</{t}>", _TAGS, st.text(max_size=80)),
        st.builds(lambda t: f"<{t}", _TAGS),
        st.just("<!--"),
        st.just("<![CDATA["),
    ),
    max_size=25,
).map("".join)


@given(html=_HTML)
def test_fuzz_html(html: str) -> None:
    from unspin.ingest.html import article_from_html

    _contract("html", lambda: article_from_html(html, "fuzz.html"))


_JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_ROW = st.dictionaries(
    st.sampled_from(["id", "title", "text", "url", "outlet", "date", "x"]), _JSON_VALUE, max_size=6
)


@given(
    rows=st.lists(st.one_of(_ROW.map(lambda r: json.dumps(r)), st.text(max_size=60)), max_size=6),
    fmt=st.sampled_from(["jsonl", "csv"]),
    row_id=st.none() | st.text(max_size=5),
    limit=st.integers(1, 3000),
)
def test_fuzz_corpus_rows(tmp_path: Path, rows: list[str], fmt: str, row_id: str | None, limit: int) -> None:
    from unspin.ingest import load_article

    path = tmp_path / f"c.{fmt}"
    if fmt == "jsonl":
        path.write_text("\n".join(rows), encoding="utf-8", errors="surrogatepass")
    else:
        path.write_text("id,title,text\n" + "\n".join(rows), encoding="utf-8", errors="surrogatepass")
    _contract("corpus", lambda: load_article(path, row_id=row_id, max_bytes=limit))


_SCHEMES = st.sampled_from(["http", "https", "HTTP", "file", "ftp", "javascript", "data", "gopher", "h"])
_URLS = st.one_of(
    st.builds(lambda s, rest: f"{s}://{rest}", _SCHEMES, st.text(max_size=60)),
    st.builds(
        lambda s, host, port, path: f"{s}://{host}{port}/{path}",
        _SCHEMES,
        st.from_regex(r"[a-z0-9.\-\[\]:@]{0,30}", fullmatch=True),
        st.sampled_from(["", ":80", ":99999", ":-1", ":x", ":"]),
        st.text(max_size=30),
    ),
    st.text(max_size=60),
)


class _NoNetwork:
    """Stands in for httpx.Client: the fuzzed URLs reach the validation layer and never the network."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise httpx.ConnectError("fuzzing: no network")


@given(url=_URLS)
def test_fuzz_urls(url: str) -> None:
    from unspin.ingest.url import check_url, url_scheme

    checked = _contract("url-check", lambda: check_url(url))
    if checked is not None:
        assert url_scheme(checked) in ("http", "https")
    original = httpx.Client  # the fetcher imports httpx when it runs, so the stand-in goes into httpx itself
    httpx.Client = _NoNetwork  # type: ignore[misc,assignment]
    try:
        if url_scheme(url) is not None:
            from unspin.ingest import load_article

            _contract("url-load", lambda: load_article(url))
    finally:
        httpx.Client = original  # type: ignore[misc]


# --- the command line: options as a user types them, through the real entry point


_OPTION_VALUES = {
    "--max-bytes": st.one_of(st.integers(-(10**12), 10**12).map(str), st.text(max_size=8)),
    "--lang": st.one_of(st.sampled_from(["en", "RU", "de", "xx", "klingon", ""]), st.text(max_size=6)),
    "--id": st.one_of(st.text(max_size=6), _ANY_TEXT),
    "--format": st.one_of(st.sampled_from(["text", "json", "html", "xml"]), st.text(max_size=5)),
    "--title": st.one_of(st.text(max_size=20), _ANY_TEXT),
}


@given(
    options=st.lists(
        st.sampled_from(sorted(_OPTION_VALUES)).flatmap(lambda o: st.tuples(st.just(o), _OPTION_VALUES[o])),
        max_size=4,
    ),
    env=st.none() | st.text(max_size=8),
)
def test_fuzz_cli_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[tuple[str, str]], env: str | None
) -> None:
    """The source is a missing file, so each run stops at the options or at ingest: exit 2, one line."""
    from unspin.cli import main

    argv = ["unspin", "analyze", str(tmp_path / "missing.txt")]
    for name, value in options:
        argv += [name, value]
    old_argv, old_env = sys.argv, os.environ.get("UNSPIN_MAX_BYTES")
    sys.argv = argv
    if env is not None:
        os.environ["UNSPIN_MAX_BYTES"] = env.replace("\x00", "")
    RAN["cli"] += 1
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
    finally:
        sys.argv = old_argv
        if old_env is None:
            os.environ.pop("UNSPIN_MAX_BYTES", None)
        else:
            os.environ["UNSPIN_MAX_BYTES"] = old_env
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert err.startswith("unspin: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    message = err.removeprefix("unspin: error: ")
    ERRORS["cli: " + ("no such file" if "no such file" in message else message.split(":")[0][:40])] += 1


# --- the knowledge-base importers


@given(
    data=st.one_of(
        _BYTES,
        st.lists(_ROW.map(lambda r: json.dumps(r)), max_size=5).map(lambda x: "\n".join(x).encode()),
        st.lists(
            st.dictionaries(
                st.sampled_from(["claimReviewed", "@type", "url", "identifier", "keywords", "reviewRating"]),
                _JSON_VALUE,
            ),
            max_size=4,
        ).map(lambda x: json.dumps(x).encode()),
    ),
    fmt=st.sampled_from(["euvsdisinfo", "claimreview", "csv", "jsonl", "outlets"]),
    on_error=st.sampled_from(["skip", "abort"]),
    gz=st.booleans(),
)
def test_fuzz_kb_importers(tmp_path: Path, data: bytes, fmt: str, on_error: str, gz: bool) -> None:
    import gzip

    from unspin.kb import SqliteKB
    from unspin.kb.importers import read_entries

    path = tmp_path / ("in.gz" if gz else "in.txt")
    path.write_bytes(gzip.compress(data) if gz else data)
    items = _contract(f"kb-read-{fmt}", lambda: read_entries(path, fmt))
    if items is None:
        return
    kb = SqliteKB(":memory:")
    _contract("kb-upsert", lambda: kb.upsert(items, on_error=on_error))
    kb.close()
