"""unspin: read news articles and show, with evidence, how they manipulate."""

from pathlib import Path

from unspin.errors import IngestError, UnspinError
from unspin.ingest import load_article
from unspin.model import Article, Report
from unspin.nlp import parse
from unspin.pipeline import Pipeline, analyze, analyze_article, stance, verify
from unspin.version import __version__


def compare(
    article: str | Path | Article,
    source: str | Path | Article,
    *,
    language: str | None = None,
    kb: str | Path | None = None,
) -> Report:
    """The article's Report with its ``comparison`` against the source it cites.

    Each side may be a path, an http(s) URL (fetched by the server's SSRF-safe fetcher: public addresses
    only), HTML, the text itself, or an Article."""
    from unspin.comparison import compare_articles
    from unspin.comparison.inputs import load_side
    from unspin.pipeline import default_pipeline
    from unspin.server.ssrf import SafeFetcher

    fetch = SafeFetcher().article
    return compare_articles(
        default_pipeline(kb),
        load_side(article, "article", fetch),
        load_side(source, "source", fetch),
        language=language,
    )


__all__ = [
    "Article",
    "IngestError",
    "Pipeline",
    "Report",
    "UnspinError",
    "__version__",
    "analyze",
    "analyze_article",
    "compare",
    "load_article",
    "parse",
    "stance",
    "verify",
]
