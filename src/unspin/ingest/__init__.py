"""Ingest: any source (text, file, HTML, URL, corpus row) becomes one Article, or a clear IngestError."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from unspin.errors import IngestError
from unspin.ingest.corpus import CORPUS_SUFFIXES, article_from_corpus, iter_rows
from unspin.ingest.decode import decode_with_note
from unspin.ingest.html import article_from_html
from unspin.ingest.limits import DEFAULT_MAX_BYTES, check_limit, read_bounded, too_big
from unspin.ingest.text import article_from_text
from unspin.ingest.url import article_from_url, url_scheme
from unspin.model import Article

__all__ = ["DEFAULT_MAX_BYTES", "IngestError", "iter_rows", "load_article"]

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_ONLY = re.compile("[^\ud800-\udc7f\udd00-\udfff]*", re.DOTALL)  # no surrogate but U+DC80-U+DCFF
_PATH_LIKE = re.compile(r"^[^\s]+\.[A-Za-z0-9]{1,8}$|^[^\s]*/[^\s]*$")


def _check_size(n: int, limit: int, source: str) -> None:
    if n > limit:
        raise too_big(source, limit, n)


def read_file(path: Path, limit: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, read no further than the limit (a device or a FIFO has no size to check first)."""
    try:
        if path.is_file():
            _check_size(path.stat().st_size, limit, str(path))
        with path.open("rb") as fh:
            return read_bounded(fh, limit, str(path))
    except OSError as exc:
        raise IngestError(str(path), f"cannot read ({exc.strerror or exc})") from exc


def load_path(path: Path, *, row_id: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """An Article from a file, by its extension."""
    source = str(path)
    if not path.exists():
        raise IngestError(source, "no such file")
    if path.is_dir():
        raise IngestError(source, "is a directory, not an article file")
    check_limit(max_bytes)
    suffix = path.suffix.lower()
    if suffix in CORPUS_SUFFIXES:
        return article_from_corpus(path, row_id, max_bytes=max_bytes)
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise IngestError(
            source, f"unsupported file type '{suffix}' (use .txt, .html, .jsonl, .csv or .parquet)"
        )
    # HTML pages are larger than their text: they may use 5x the text limit.
    text, note = decode_with_note(read_file(path, max_bytes * (5 if suffix in HTML_SUFFIXES else 1)), source)
    if suffix in HTML_SUFFIXES:
        return _noted(article_from_html(text, source), note)
    return _noted(article_from_text(text, source, kind="txt", split=True), note)


def _noted(article: Article, note: str | None) -> Article:
    """The article with an ingest caveat (how its bytes were decoded) added to its notes."""
    return article.model_copy(update={"notes": [*article.notes, note]}) if note else article


def load_article(
    source: str | Path | None = None,
    *,
    text: str | None = None,
    title: str | None = None,
    row_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 15.0,
) -> Article:
    """Turn a source into an Article.

    ``source`` may be a path, an http(s) URL, '-' for stdin, or the article text itself; ``text`` forces
    plain text. A string that looks like a file path but names no file is reported as a missing file.
    Every source is read no further than ``max_bytes`` (+1): a larger one is an IngestError naming the limit.
    A URL of another scheme than http(s) (file://, ftp://) is refused, not read as a path.
    """
    check_limit(max_bytes)
    if text is None and isinstance(source, str) and url_scheme(source) is not None:
        return article_from_url(source, timeout=timeout, max_bytes=max_bytes)
    if text is None and source == "-":
        data = read_bounded(sys.stdin.buffer, max_bytes, "stdin")
        decoded, note = decode_with_note(data, "stdin")
        return _noted(article_from_text(decoded, "stdin", title=title, split=title is None), note)
    if text is None and isinstance(source, Path):
        return load_path(source, row_id=row_id, max_bytes=max_bytes)
    if text is None and isinstance(source, str):
        candidate = Path(source)
        looks_like_path = "\n" not in source and len(source) < 4096 and _PATH_LIKE.match(source.strip())
        if looks_like_path or (len(source) < 4096 and candidate.exists()):
            return load_path(candidate, row_id=row_id, max_bytes=max_bytes)
        text = source
    if text is None:
        raise IngestError("input", "no article given (pass a file, a URL, text, or '-' for stdin)")
    data = text.encode("utf-8", "surrogateescape" if _ESCAPED_ONLY.fullmatch(text) else "surrogatepass")
    _check_size(len(data), max_bytes, "text")
    note = None
    if _SURROGATE.search(text):
        # Bytes that were not UTF-8 reach us as lone surrogates (a command-line argument, say): decode
        # the bytes as a file's would be, with the same note.
        text, note = decode_with_note(data, "text")
    title = _SURROGATE.sub("\ufffd", title) if title else title
    return _noted(article_from_text(text, "text", title=title), note)
