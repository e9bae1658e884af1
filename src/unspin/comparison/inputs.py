"""Either side of a comparison from what a user has: a file, a URL, HTML, plain text or an Article."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from unspin.errors import IngestError
from unspin.ingest import DEFAULT_MAX_BYTES, article_from_html, load_article
from unspin.ingest.url import url_scheme
from unspin.model import Article

# A fetcher turns a URL into an Article: the CLI, the API and the server pass the server's SSRF-safe one
# (public addresses only, each redirect checked), so a comparison never reads an internal address.
Fetch = Callable[[str], Article]
_HTML = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<article|<p[\s>]|<div[\s>])", re.IGNORECASE)


def load_side(
    value: str | Path | Article,
    what: str,
    fetch: Fetch | None,
    *,
    title: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Article:
    """The Article for ``value``; ``what`` ('article' or 'source') names the side in an error."""
    if isinstance(value, Article):
        return value
    if isinstance(value, str) and not value.strip():
        raise IngestError(what, "empty: give a file, a URL, HTML or the text itself")
    if isinstance(value, str) and url_scheme(value) is not None:
        if fetch is None:
            raise IngestError(value, "URLs are not fetched here (no fetcher given)")
        article = fetch(value.strip())
    elif isinstance(value, str) and _HTML.match(value):
        article = article_from_html(value, what)
    else:
        article = load_article(value, title=title, max_bytes=max_bytes)
    if title:
        article = article.model_copy(update={"title": title})
    if not article.body.strip():
        raise IngestError(what, "no text to compare")
    return article
