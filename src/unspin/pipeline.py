"""The flow: source -> ingest -> Article -> parse (once) -> Doc -> analysers -> Report."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from unspin import __version__
from unspin.analyzers import ANALYZERS
from unspin.ingest import DEFAULT_MAX_BYTES, load_article
from unspin.model import Article, ArticleMeta, HeadlineCheck, LanguageInfo, Report
from unspin.models.threads import single_threaded_blas
from unspin.models.verification import Verification
from unspin.nlp import parse


class Pipeline:
    """The analysers and their models, loaded once; ``analyze`` runs them over one Article.

    Engines and the server build one Pipeline per worker process and call ``analyze`` many times.
    ``models`` maps a model role to an artifact folder (``unspin analyze --model ROLE=PATH``);
    ``kb`` is the knowledge base of known narratives (default $UNSPIN_KB or the user data directory).
    """

    def __init__(
        self,
        *,
        models: Mapping[str, str | Path] | None = None,
        kb: str | Path | None = None,
    ) -> None:
        self.models = dict(models or {})
        self.kb = kb

    def analyze(
        self, article: Article, *, language: str | None = None, only: Sequence[str] | None = None
    ) -> Report:
        """The Report for one Article (only the sections of ``only`` and what they require, if given)."""
        return analyze_article(article, language=language, only=list(only) if only else None, kb=self.kb)

    def load(self) -> Pipeline:
        """Load every model now rather than on the first article (server readiness, engine workers)."""
        self.analyze(Article(title="Warm-up", body="The minister said on Monday that the talks would go on."))
        return self

    def stance(self, headline: str, body: str, *, language: str | None = None) -> HeadlineCheck:
        return stance(headline, body, language=language)

    def verify(self, claim: str, evidence: str | list[str]) -> Verification:
        return verify(claim, evidence)


def analyze_article(
    article: Article,
    *,
    language: str | None = None,
    only: list[str] | None = None,
    kb: str | Path | None = None,
) -> Report:
    """Run every analyser (or those named in ``only``) over one Article.

    ``kb``: the knowledge base of known narratives (default $UNSPIN_KB or the user data directory).
    """
    with single_threaded_blas():
        return _analyze_article(article, language=language, only=only, kb=kb)


def _analyze_article(
    article: Article, *, language: str | None, only: list[str] | None, kb: str | Path | None
) -> Report:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    doc = parse(article, language=language)
    if kb is not None:
        doc.cache["kb_path"] = str(kb)
    timings["parse"] = (time.perf_counter() - t0) * 1000
    findings, notes, fields = [], [], {}
    for name, run in ANALYZERS.items():
        if only is not None and name not in only:
            continue
        t = time.perf_counter()
        section = run(doc)
        timings[name] = (time.perf_counter() - t) * 1000
        findings += section.findings
        notes += section.notes
        fields.update(section.fields)
    findings.sort(key=lambda f: (f.field != "title", f.start, -f.end, f.kind))
    timings["total"] = (time.perf_counter() - t0) * 1000
    return Report(
        unspin_version=__version__,
        article=ArticleMeta(
            id=article.id,
            url=article.url,
            outlet=article.outlet,
            author=article.author,
            date=article.date,
            source_kind=article.source_kind,
            source=article.source,
            body_offset=article.body_offset,
            word_count=doc.word_count,
            char_count=len(article.body),
        ),
        title=article.title,
        body=article.body,
        language=LanguageInfo(
            code=doc.language,
            confidence=round(doc.language_confidence, 4),
            ner_available=doc.ner_available,
            ner_model=doc.ner_model,
        ),
        findings=findings,
        notes=notes,
        timings_ms={k: round(v, 2) for k, v in timings.items()},
        **fields,
    )


def analyze(
    source: str | Path | None = None,
    *,
    text: str | None = None,
    title: str | None = None,
    row_id: str | None = None,
    language: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    kb: str | Path | None = None,
) -> Report:
    """Analyse one article from a path, URL, '-' (stdin) or the text itself."""
    article = load_article(source, text=text, title=title, row_id=row_id, max_bytes=max_bytes)
    return analyze_article(article, language=language, kb=kb)


STANCE_ANALYZERS = ["entities", "quotes", "unattributed", "headline"]


def stance(headline: str, body: str, *, language: str | None = None) -> HeadlineCheck:
    """Does ``body`` back ``headline``? FNC-1 stance plus the check of the headline's key elements.

    Works for any claim against any text: pass the claim as ``headline``.
    """
    from unspin.errors import IngestError

    if not headline or not headline.strip():
        raise IngestError("headline", "empty: give the headline or claim to check")
    if not body or not body.strip():
        raise IngestError("body", "empty: give the text to check the headline against")
    report = analyze_article(
        Article(title=headline.strip(), body=body), language=language, only=STANCE_ANALYZERS
    )
    assert report.headline is not None
    return report.headline


def verify(claim: str, evidence: str | list[str]) -> Verification:
    """Does ``evidence`` (a text or a list of sentences) support or refute ``claim``? Cites each sentence."""
    from unspin.errors import IngestError
    from unspin.models.verification import verification_model, verify_with

    if not claim or not claim.strip():
        raise IngestError("claim", "empty: give the claim to verify")
    return verify_with(verification_model(), claim.strip(), evidence)
