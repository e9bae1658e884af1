"""unspin: read news articles and show, with evidence, how they manipulate."""

__version__ = "0.1.0"

from unspin.errors import IngestError, UnspinError
from unspin.ingest import load_article
from unspin.model import Article, Report
from unspin.nlp import parse
from unspin.pipeline import analyze, analyze_article, stance, verify

__all__ = [
    "Article",
    "IngestError",
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
