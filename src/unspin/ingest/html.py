"""HTML pages: main text and metadata through trafilatura, which copes with messy real-world markup."""

from __future__ import annotations

import trafilatura

from unspin.errors import IngestError
from unspin.ingest.text import check_text
from unspin.model import Article

MIN_WORDS = 5


def article_from_html(html: str, source: str, *, url: str | None = None, kind: str = "html") -> Article:
    """Extract title, body, author, date and site name; raise IngestError when no text can be extracted."""
    if not html.strip():
        raise IngestError(source, "empty HTML document")
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_recall=True, as_dict=False
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on broken markup
        raise IngestError(source, f"HTML could not be parsed ({type(exc).__name__})") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    words = len((text or "").split())
    if words < MIN_WORDS:
        # A page of navigation alone ('Home') is not an article.
        raise IngestError(source, f"no extractable article text in the HTML page ({words} words found)")
    body = check_text(text, source)
    return Article(
        title=(doc.title or "").strip(),
        body=body,
        url=url or doc.url,
        outlet=doc.sitename or None,
        author=doc.author or None,
        date=doc.date or None,
        source_kind=kind,
        source=source,
    )
