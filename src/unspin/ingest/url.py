"""http(s) URLs: fetch with a timeout, insist on an HTML answer, then extract like an HTML file."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from unspin.errors import IngestError
from unspin.ingest.decode import decode_with_note
from unspin.ingest.html import article_from_html
from unspin.ingest.limits import DEFAULT_MAX_BYTES, check_limit, too_big
from unspin.model import Article

USER_AGENT = "unspin/0.1 (+https://github.com/unspin; news analysis)"
FETCHED_SCHEMES = ("http", "https")
HTML_FACTOR = 5  # HTML pages are larger than their text: they may use 5x the text limit
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def url_scheme(source: str) -> str | None:
    """The scheme of a 'scheme://…' string (lowercase), or None when it is not written as a URL."""
    m = _SCHEME.match(source.strip())
    return m.group(1).lower() if m else None


def check_url(url: str) -> str:
    """The URL, stripped, if unspin can fetch it; an IngestError naming what is wrong otherwise.

    This is the whole validation layer: it parses, and sends nothing.
    """
    url = url.strip()
    scheme = url_scheme(url)
    if scheme not in FETCHED_SCHEMES:
        hint = " (pass a local file by its path)" if scheme == "file" else ""
        raise IngestError(url, f"unsupported URL scheme '{scheme}': only http and https are fetched{hint}")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise IngestError(url, "not a valid URL (it contains spaces or control characters)")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number in range
    except ValueError as exc:
        raise IngestError(url, f"not a valid URL ({exc})") from exc
    if not host:
        raise IngestError(url, "not a valid URL (no host name)")
    return url


def article_from_url(url: str, *, timeout: float = 15.0, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Fetch ``url`` and return its Article; every failure is an IngestError naming the URL."""
    # httpx (and what it imports) costs ~0.1 s of every start; only URL fetches need it.
    import httpx

    url = check_url(url)
    limit = check_limit(max_bytes) * HTML_FACTOR
    try:
        with (
            httpx.Client(
                follow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT}
            ) as client,
            client.stream("GET", url) as resp,
        ):
            if resp.status_code != 200:
                raise IngestError(url, f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
            ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype and ctype not in ("text/html", "application/xhtml+xml"):
                raise IngestError(url, f"not an HTML page (content-type {ctype})")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_big(url, limit, int(declared))
            data = bytearray()
            for chunk in resp.iter_bytes():
                data += chunk
                if len(data) > limit:
                    raise too_big(url, limit)
    except httpx.TimeoutException as exc:
        raise IngestError(url, f"timed out after {timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise IngestError(url, f"could not fetch ({type(exc).__name__}: {exc})") from exc
    except httpx.InvalidURL as exc:
        raise IngestError(url, f"not a valid URL ({exc})") from exc
    text, note = decode_with_note(bytes(data), url)
    article = article_from_html(text, url, url=str(url), kind="url")
    return article.model_copy(update={"notes": [note]}) if note else article
