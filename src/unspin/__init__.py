"""unspin: read news articles and show, with evidence, how they manipulate."""

__version__ = "0.1.0"

from unspin.errors import IngestError, UnspinError  # noqa: E402
from unspin.ingest import load_article  # noqa: E402
from unspin.model import Article, Report  # noqa: E402
from unspin.nlp import parse  # noqa: E402
from unspin.pipeline import analyze, analyze_article  # noqa: E402

__all__ = [
    "Article", "IngestError", "Report", "UnspinError", "__version__", "analyze", "analyze_article",
    "load_article", "parse",
]  # fmt: skip
