"""unspin: read news articles and show, with evidence, how they manipulate."""

from unspin.errors import IngestError, UnspinError
from unspin.ingest import load_article
from unspin.model import Article, Report
from unspin.nlp import parse
from unspin.pipeline import Pipeline, analyze, analyze_article, stance, verify
from unspin.version import __version__

__all__ = [
    "Article",
    "IngestError",
    "Pipeline",
    "Report",
    "UnspinError",
    "__version__",
    "analyze",
    "analyze_article",
    "load_article",
    "parse",
    "stance",
    "verify",
]
