"""http(s) URLs: fetch with a timeout, insist on an HTML answer, then extract like an HTML file."""

from __future__ import annotations

import httpx

from unspin.errors import IngestError
from unspin.ingest.decode import decode_bytes
from unspin.ingest.html import article_from_html
from unspin.model import Article

USER_AGENT = "unspin/0.1 (+https://github.com/unspin; news analysis)"


def article_from_url(url: str, *, timeout: float = 15.0, max_bytes: int = 2_000_000) -> Article:
    """Fetch ``url`` and return its Article; every failure is an IngestError naming the URL."""
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
            data = b""
            # HTML pages are larger than their text: allow 5x the text limit before giving up.
            for chunk in resp.iter_bytes():
                data += chunk
                if len(data) > max_bytes * 5:
                    raise IngestError(url, f"page larger than {max_bytes * 5} bytes")
    except httpx.TimeoutException as exc:
        raise IngestError(url, f"timed out after {timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise IngestError(url, f"could not fetch ({type(exc).__name__}: {exc})") from exc
    return article_from_html(decode_bytes(data, url), url, url=str(url), kind="url")
