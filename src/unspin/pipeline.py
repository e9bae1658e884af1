"""The flow: source -> ingest -> Article -> parse (once) -> Doc -> analysers -> Report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unspin.analyzers import Analyzer, Section, default_analyzers
from unspin.errors import IngestError
from unspin.ingest import DEFAULT_MAX_BYTES, load_article
from unspin.model import Article, ArticleMeta, HeadlineCheck, LanguageInfo, Report
from unspin.models.registry import ModelRegistry
from unspin.models.verification import Verification, verify_with
from unspin.nlp import parse
from unspin.nlp.doc import Doc
from unspin.nlp.language import SUPPORTED_LANGUAGES, detect_language
from unspin.nlp.parse import parsed_in_two
from unspin.threads import single_threaded_blas
from unspin.version import __version__


class PipelineError(ValueError):
    """A pipeline that cannot be built: an unknown analyser, or one whose requirements nothing provides."""


def _order(analyzers: list[Analyzer], wanted: Sequence[str] | None) -> list[Analyzer]:
    """The analysers to run, each after those that provide what it requires; ``wanted`` and what they need."""
    by_name = {a.name: a for a in analyzers}
    provider: dict[str, str] = {}
    for a in analyzers:
        for item in a.provides:
            provider.setdefault(item, a.name)
    unknown = [n for n in wanted or () if n not in by_name]
    if unknown:
        raise PipelineError(f"no analyser named {unknown[0]!r} (analysers: {', '.join(by_name)})")
    ordered: list[Analyzer] = []
    state: dict[str, str] = {}  # name -> "visiting" | "done"

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise PipelineError(f"analysers require each other in a loop: {' -> '.join((*chain, name))}")
        state[name] = "visiting"
        for item in by_name[name].requires:
            if item not in provider:
                raise PipelineError(f"analyser {name!r} requires {item!r}, which no analyser provides")
            visit(provider[item], (*chain, name))
        state[name] = "done"
        ordered.append(by_name[name])

    for a in analyzers:
        if wanted is None or a.name in wanted:
            visit(a.name, ())
    return ordered


@dataclass
class Run:
    """One article through the pipeline: its Doc, each analyser's Section by name, timings in ms."""

    doc: Doc
    sections: dict[str, Section]
    timings_ms: dict[str, float]


def _check_provided(analyzer: Analyzer, doc: Doc) -> None:
    """Every Doc layer an analyser declares is set once it has run (a later analyser reads it)."""
    for item in analyzer.provides:
        kind, _, name = item.partition(".")
        if kind == "doc" and getattr(doc, name) is None:
            raise PipelineError(f"analyser {analyzer.name!r} did not provide {item!r}")


def _timed(job: Callable[[], Any]) -> tuple[Any, float]:
    """A job's result and its milliseconds (on the second thread)."""
    t = time.perf_counter()
    result = job()
    return result, (time.perf_counter() - t) * 1000


class Pipeline:
    """The analysers and their models: ``analyze`` runs them over one Article.

    Built once (engines and the server build one per worker process) and called many times: the order of the
    analysers is checked here, models load on first use (``load`` loads them now) and stay with the Pipeline.
    ``models``: a ModelRegistry or ``{role: artifact folder}`` swaps (``unspin analyze --model ROLE=PATH``);
    ``kb``: the knowledge base of known narratives (default $UNSPIN_KB or the user data directory);
    ``analyzers``: another set of analysers (default: all); ``threads``: the cores each encoder may use
    (0: all; a worker process sharing the machine with others takes its share, ``threads_per_worker``); with two or
    more, a very long English text is also parsed in two processes (``nlp.parse.PARALLEL_PARSE_CHARS``).
    """

    def __init__(
        self,
        *,
        models: ModelRegistry | Mapping[str, str | Path] | None = None,
        kb: str | Path | None = None,
        analyzers: list[Analyzer] | None = None,
        threads: int = 0,
    ) -> None:
        self.models = models if isinstance(models, ModelRegistry) else ModelRegistry(models, threads)
        # With two cores or more, a very long English text is parsed in two processes, and analysers' work on
        # the raw text (``Analyzer.start``) runs on a second thread beside the parse or the other analysers.
        cores = threads or os.cpu_count() or 1
        self.parse_processes = 2 if cores >= 2 else 1
        self.beside_parse = cores >= 2
        self._thread: ThreadPoolExecutor | None = None
        self.kb = kb
        self.analyzers = analyzers if analyzers is not None else default_analyzers(kb)
        self.order = _order(self.analyzers, None)
        self._plans: dict[tuple[str, ...], list[Analyzer]] = {}

    def plan(self, only: Sequence[str] | None = None) -> list[Analyzer]:
        """The analysers a run of ``only`` (None: all) executes, in order (what they require included)."""
        if only is None:
            return self.order
        key = tuple(sorted(set(only)))
        if key not in self._plans:
            self._plans[key] = _order(self.analyzers, key)
        return self._plans[key]

    def load(self, languages: Sequence[str] = ("en",)) -> Pipeline:
        """Load the models for ``languages`` now rather than on the first article (server readiness, engine
        workers); other languages' models load when an article needs them."""
        with single_threaded_blas():
            for language in languages:
                for a in self.order:
                    a.load(self.models, language)
            parse(Article(title="", body="Warm-up."), language=languages[0] if languages else None)
        return self

    def analyze(
        self, article: Article, *, language: str | None = None, only: Sequence[str] | None = None
    ) -> Report:
        """The Report of one Article; with ``only``, just those sections (run with what they require)."""
        result = self.run(article, language=language, only=only)
        shown = [s for name, s in result.sections.items() if only is None or name in only]
        return assemble(article, result.doc, shown, result.timings_ms)

    def run(self, article: Article, *, language: str | None = None, only: Sequence[str] | None = None) -> Run:
        """Parse once and run the planned analysers: the Doc and every analyser's Section, by name."""
        with single_threaded_blas():
            timings: dict[str, float] = {}
            t0 = time.perf_counter()
            plan = self.plan(only)
            detected = None if language else detect_language(f"{article.title}\n{article.body}")
            lang = (language or (detected[0] if detected else "und")).lower()
            # Raw-text work starts before the parse, on the core spaCy leaves free; when the parse takes both
            # cores (a long text, two processes), it starts after it, beside the single-threaded analysers.
            after_parse = parsed_in_two(article, lang, self.parse_processes)
            started = {} if after_parse else self._start_raw_text_work(plan, article, lang, cores=0)
            try:
                doc = parse(article, language=language, processes=self.parse_processes, detected=detected)
                timings["parse"] = (time.perf_counter() - t0) * 1000
                if after_parse:  # one thread: the analysers keep the other core busy
                    started = self._start_raw_text_work(plan, article, lang, cores=1)
                started |= self._start_doc_work(plan, doc)
                sections: dict[str, Section] = {}
                for analyzer in plan:
                    t = time.perf_counter()
                    if analyzer.name in started:
                        doc.started[analyzer.name], ms = started.pop(analyzer.name).result()
                        timings[f"{analyzer.name} (second thread)"] = ms
                    sections[analyzer.name] = analyzer.run(doc, self.models)
                    timings[analyzer.name] = (time.perf_counter() - t) * 1000
                    _check_provided(analyzer, doc)
            finally:
                # After an error, wait for what is still running: it must not outlive the BLAS limit above.
                for future in started.values():
                    if not future.cancel():
                        future.exception()
            timings["total"] = (time.perf_counter() - t0) * 1000
        return Run(doc, sections, timings)

    def _start_raw_text_work(
        self, plan: list[Analyzer], article: Article, language: str, cores: int
    ) -> dict[str, Future[tuple[Any, float]]]:
        """Submit the analysers' raw-text work to the second thread; their futures by analyser name."""
        if not self.beside_parse:
            return {}
        jobs = {a.name: job for a in plan if (job := a.start(article, language.lower(), self.models, cores))}
        return self._submit(jobs)

    def _start_doc_work(self, plan: list[Analyzer], doc: Doc) -> dict[str, Future[tuple[Any, float]]]:
        """Submit the analysers' work on the fresh Doc (``Analyzer.start_after_parse``)."""
        if not self.beside_parse:
            return {}
        return self._submit({a.name: job for a in plan if (job := a.start_after_parse(doc, self.models))})

    def _submit(self, jobs: dict[str, Callable[[], Any]]) -> dict[str, Future[tuple[Any, float]]]:
        if jobs and self._thread is None:
            # Two threads: a model's work and one waiting on a worker process can run at the same time.
            self._thread = ThreadPoolExecutor(max_workers=2, thread_name_prefix="unspin-second-thread")
        return {name: self._thread.submit(_timed, job) for name, job in jobs.items()} if self._thread else {}

    def stance(self, headline: str, body: str, *, language: str | None = None) -> HeadlineCheck:
        """Does ``body`` back ``headline``? FNC-1 stance plus the check of the headline's key elements.

        Works for any claim against any text: pass the claim as ``headline``.
        """
        if not headline or not headline.strip():
            raise IngestError("headline", "empty: give the headline or claim to check")
        if not body or not body.strip():
            raise IngestError("body", "empty: give the text to check the headline against")
        report = self.analyze(
            Article(title=headline.strip(), body=body), language=language, only=["headline"]
        )
        assert report.headline is not None
        return report.headline

    def verify(self, claim: str, evidence: str | list[str]) -> Verification:
        """Does ``evidence`` (a text or a list of sentences) support or refute ``claim``? Cites each sentence."""
        if not claim or not claim.strip():
            raise IngestError("claim", "empty: give the claim to verify")
        return verify_with(
            self.models.get("verification"), self.models.get("stance"), claim.strip(), evidence
        )


def assemble(article: Article, doc: Doc, sections: list[Section], timings: dict[str, float]) -> Report:
    """The Report from the sections of one run: findings in reading order, fields, notes (ingest's and
    language id's caveats first), claim verdicts."""
    findings, fields = [], {}
    notes = list(article.notes)  # e.g. a guessed encoding, a first line too long to be a title
    if doc.language == "und":
        notes.append(
            "The language could not be determined (too little text, or a language unspin does not know): "
            f"unspin identifies {', '.join(SUPPORTED_LANGUAGES)}; set it (--lang, or 'lang' in the API)."
        )
    verdicts: dict[str, tuple[str, list[str]]] = {}
    for section in sections:
        findings += section.findings
        notes += section.notes
        fields.update(section.fields)
        verdicts.update(section.claim_verdicts)
    if verdicts and "claims" in fields:
        fields["claims"] = [
            c.model_copy(update={"verdict": verdicts[c.id][0], "evidence": [*c.evidence, *verdicts[c.id][1]]})
            if c.id in verdicts
            else c
            for c in fields["claims"]
        ]
    findings.sort(key=lambda f: (f.field != "title", f.start, -f.end, f.kind))
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


_default: dict[str | None, Pipeline] = {}


def default_pipeline(kb: str | Path | None = None) -> Pipeline:
    """The Pipeline behind the module functions below, one per knowledge base (the Python API's shortcut;
    engines and the server build their own)."""
    key = str(kb) if kb is not None else None
    if key not in _default:
        _default[key] = Pipeline(kb=kb)
    return _default[key]


def analyze_article(
    article: Article,
    *,
    language: str | None = None,
    only: list[str] | None = None,
    kb: str | Path | None = None,
) -> Report:
    """Run every analyser (or those named in ``only``, with what they require) over one Article."""
    return default_pipeline(kb).analyze(article, language=language, only=only)


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


def stance(headline: str, body: str, *, language: str | None = None) -> HeadlineCheck:
    """Does ``body`` back ``headline``? See ``Pipeline.stance``."""
    return default_pipeline().stance(headline, body, language=language)


def verify(claim: str, evidence: str | list[str]) -> Verification:
    """Does ``evidence`` support or refute ``claim``? See ``Pipeline.verify``."""
    return default_pipeline().verify(claim, evidence)
