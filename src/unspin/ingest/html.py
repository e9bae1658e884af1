"""HTML pages: main text and metadata through trafilatura, which copes with messy real-world markup."""

from __future__ import annotations

from unspin.errors import IngestError
from unspin.ingest.text import check_text
from unspin.model import Article, SourceKind

MIN_WORDS = 5


def article_from_html(
    html: str, source: str, *, url: str | None = None, kind: SourceKind = "html"
) -> Article:
    """Extract title, body, author, date and site name; raise IngestError when no text can be extracted."""
    if not html.strip():
        raise IngestError(source, "empty HTML document")
    # Imported here: trafilatura and its URL helpers take ~0.3 s to import, which a plain-text article (the
    # common `unspin analyze` case) would pay at every cold start.
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, favor_recall=True, as_dict=False
        )
    except Exception as exc:  # trafilatura raises a variety of parser errors on broken markup
        raise IngestError(source, f"HTML could not be parsed ({type(exc).__name__})") from exc
    text: str = (getattr(doc, "text", None) or "") if doc is not None else ""
    words = len(text.split())
    if words < MIN_WORDS:
        # A page of navigation alone ('Home') is not an article.
        raise IngestError(source, f"no extractable article text in the HTML page ({words} words found)")
    body = check_text(text, source)
    meta = {k: getattr(doc, k, None) or None for k in ("title", "url", "sitename", "author", "date")}
    return Article(
        title=(meta["title"] or "").strip(),
        body=body,
        url=url or meta["url"],
        outlet=meta["sitename"],
        author=meta["author"],
        date=meta["date"],
        source_kind=kind,
        source=source,
    )
