"""Ingest: any source (text, file, HTML, URL, corpus row) becomes one Article, or a clear IngestError."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from unspin.errors import IngestError
from unspin.ingest.corpus import CORPUS_SUFFIXES, article_from_corpus, iter_rows
from unspin.ingest.decode import decode_bytes
from unspin.ingest.html import article_from_html
from unspin.ingest.text import article_from_text
from unspin.ingest.url import article_from_url
from unspin.model import Article

__all__ = ["DEFAULT_MAX_BYTES", "IngestError", "iter_rows", "load_article"]

DEFAULT_MAX_BYTES = int(os.environ.get("UNSPIN_MAX_BYTES", 2_000_000))
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_PATH_LIKE = re.compile(r"^[^\s]+\.[A-Za-z0-9]{1,8}$|^[^\s]*/[^\s]*$")


def _check_size(n: int, limit: int, source: str) -> None:
    if n > limit:
        raise IngestError(
            source, f"input is {n:,} bytes, over the {limit:,}-byte limit (raise it with --max-bytes)"
        )


def load_path(path: Path, *, row_id: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """An Article from a file, by its extension."""
    source = str(path)
    if not path.exists():
        raise IngestError(source, "no such file")
    if path.is_dir():
        raise IngestError(source, "is a directory, not an article file")
    suffix = path.suffix.lower()
    if suffix in CORPUS_SUFFIXES:
        return article_from_corpus(path, row_id)
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise IngestError(
            source, f"unsupported file type '{suffix}' (use .txt, .html, .jsonl, .csv or .parquet)"
        )
    _check_size(path.stat().st_size, max_bytes * (5 if suffix in HTML_SUFFIXES else 1), source)
    text = decode_bytes(path.read_bytes(), source)
    if suffix in HTML_SUFFIXES:
        return article_from_html(text, source)
    return article_from_text(text, source, kind="txt", split=True)


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
    """
    if text is None and isinstance(source, str) and source.startswith(("http://", "https://")):
        return article_from_url(source, timeout=timeout, max_bytes=max_bytes)
    if text is None and source == "-":
        data = sys.stdin.buffer.read()
        _check_size(len(data), max_bytes, "stdin")
        return article_from_text(decode_bytes(data, "stdin"), "stdin", title=title, split=title is None)
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
    _check_size(len(text.encode("utf-8")), max_bytes, "text")
    return article_from_text(text, "text", title=title)
