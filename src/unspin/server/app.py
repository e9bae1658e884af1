"""The FastAPI app: the REST API under /v1, health and metrics, the web UI and the offline Swagger UI.

One app per worker process, built by ``create_app`` from the Settings in the environment. Each worker loads
its own Pipeline at start-up on its model thread (readiness says when it is done); analyses, job articles
and knowledge-base calls run off the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import json
import logging
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal

import fastapi_offline
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unspin import __version__
from unspin.errors import UnspinError
from unspin.ingest.html import article_from_html
from unspin.ingest.text import article_from_text
from unspin.model import HeadlineCheck, Report
from unspin.render import render_html
from unspin.server.auth import Role
from unspin.server.config import Settings
from unspin.server.jobs import job_from_json, job_from_upload, results_parquet
from unspin.server.limits import BodyLimit
from unspin.server.metrics import MetricsMiddleware
from unspin.server.problems import Problem, invalid_body, problem_response
from unspin.server.schemas import AnalyzeIn, CompareIn, JobIn, SideIn, StanceIn, UrlIn, VerifyIn
from unspin.server.ssrf import FetchRefused
from unspin.server.worker import Worker, check_sections

log = logging.getLogger("uvicorn.error.unspin")  # under uvicorn's logger: its handlers and --log-level
UI_DIR = Path(__file__).parent / "ui"
UPLOAD_PATHS = ("/v1/jobs", "/v1/kb/import")


# Security headers and the UI's content security policy ----------------------------------------------------


def _report_script_hash(name: str) -> str:
    """The CSP hash of a page's one inline script (the report, the comparison view), so the UI can show it in
    a sandboxed frame. The scripts are static: the template puts no data into them."""
    template = (Path(render_html.__code__.co_filename).parent / "templates" / name).read_text("utf-8")
    scripts = re.findall(r"<script>(.*?)</script>", template, flags=re.S)
    return "'sha256-" + base64.b64encode(hashlib.sha256(scripts[-1].encode()).digest()).decode() + "'"


REPORT_SCRIPT = f"{_report_script_hash('report.html.j2')} {_report_script_hash('compare.html.j2')}"
UI_CSP = (
    f"default-src 'self'; script-src 'self' {REPORT_SCRIPT}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
REPORT_CSP = (
    f"default-src 'none'; script-src {REPORT_SCRIPT}; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; sandbox allow-scripts"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                if scope["path"].startswith("/v1/"):
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, add)


# The app ------------------------------------------------------------------------------------------------


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    worker = Worker(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker.new_work = asyncio.Event()  # bound to the running loop
        tasks = [asyncio.create_task(worker.load()), asyncio.create_task(worker.run_jobs())]
        yield
        for t in tasks:
            t.cancel()
        worker.executor.shutdown(wait=False, cancel_futures=True)
        worker.store.close()

    app = FastAPI(
        title="unspin",
        version=__version__,
        description="Read news articles and show, with evidence, how they manipulate. Offline.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.worker = worker

    def allow(role: Role) -> Any:
        def dependency(request: Request) -> str:
            return worker.gate.check(request, role)

        return Depends(dependency)

    read, admin = allow("read"), allow("admin")

    _error_handlers(app)
    _health_routes(app, worker, read)
    _analysis_routes(app, worker, read)
    _job_routes(app, worker, read)
    _kb_routes(app, settings, read, admin)
    _ui_routes(app)
    # Middleware, innermost first: limits, security headers, CORS (only when configured), metrics.
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
    )
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )
    app.add_middleware(
        MetricsMiddleware, metrics=worker.metrics, route_of=lambda scope: route_name(app, scope)
    )
    return app


def _error_handlers(app: FastAPI) -> None:
    """Every error as problem details (RFC 9457), never a stack trace."""

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc, request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        title = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            Problem(exc.status_code, title, detail, headers=dict(exc.headers or {})), request.url.path
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        return problem_response(invalid_body(exc.errors()), request.url.path)

    @app.exception_handler(FetchRefused)
    async def on_refused(request: Request, exc: FetchRefused) -> Response:
        return problem_response(Problem(400, "URL refused", str(exc)), request.url.path)

    @app.exception_handler(UnspinError)
    async def on_input(request: Request, exc: UnspinError) -> Response:
        return problem_response(Problem(422, "Unusable input", str(exc)), request.url.path)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem_response(
            Problem(500, "Internal error", "the server could not answer this request (the error is logged)"),
            request.url.path,
        )


def _health_routes(app: FastAPI, worker: Worker, read: Any) -> None:
    """Liveness, readiness (models loaded) and Prometheus metrics."""

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> dict[str, str]:
        worker.require_ready()
        return {"status": "ready"}

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse, dependencies=[read])
    async def metrics() -> PlainTextResponse:
        pending = await asyncio.to_thread(worker.store.pending_count)
        text = worker.metrics.render(
            {
                "unspin_queue_depth": ("Analyses waiting or running on this worker.", worker.queue.depth),
                "unspin_jobs_pending_articles": ("Job articles not yet analysed (all workers).", pending),
                "unspin_ready": ("1 once this worker's models are loaded.", float(worker.ready)),
            }
        )
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4; charset=utf-8")


def _analysis_routes(app: FastAPI, worker: Worker, read: Any) -> None:
    """One article: analyse text, HTML or a URL; stored reports; stance and verification."""

    @app.post("/v1/analyze", tags=["analyze"], responses={200: {"model": Report}}, dependencies=[read])
    async def analyze(body: AnalyzeIn) -> Response:
        """The Report of one article (the same JSON as `unspin analyze --format json`).

        Its id (a hash of the input) is in the `X-Report-Id` and `Location` headers."""
        if body.html:
            article = article_from_html(body.html, "html", url=body.url)
            if body.title:
                article = article.model_copy(update={"title": body.title})
        elif body.text is not None:
            article = article_from_text(body.text, "text", title=body.title, split=body.split_title)
            article = article.model_copy(update={"url": body.url}) if body.url else article
        else:
            raise Problem(422, "Invalid request body", "give the article as 'text' or 'html'")
        return await worker.analyze(article, body.lang, body.sections)

    @app.post("/v1/analyze/url", tags=["analyze"], responses={200: {"model": Report}}, dependencies=[read])
    async def analyze_url(body: UrlIn) -> Response:
        """Fetch a page (SSRF-safe: public addresses only, each redirect checked) and analyse it."""
        worker.require_ready()
        article = await asyncio.to_thread(worker.fetcher.article, body.url)
        return await worker.analyze(article, body.lang, body.sections)

    async def side(value: SideIn, what: str) -> Any:
        if value.html:
            article = article_from_html(value.html, what, url=value.url)
        elif value.text is not None and value.text.strip():
            article = article_from_text(value.text, what, title=value.title, split=False)
        elif value.url:
            worker.require_ready()
            article = await asyncio.to_thread(worker.fetcher.article, value.url)
        else:
            raise Problem(422, "Invalid request body", f"give the {what} as 'text', 'html' or 'url'")
        return article.model_copy(update={"title": value.title}) if value.title else article

    @app.post("/v1/compare", tags=["analyze"], responses={200: {"model": Report}}, dependencies=[read])
    async def compare(body: CompareIn) -> Response:
        """The article held against the source it cites: the article's Report with its `comparison` (the
        same JSON as `unspin compare --format json`). Each side is text, HTML or a URL (fetched SSRF-safe).
        `/v1/reports/{id}/html` then shows the two side by side."""
        return await worker.compare(
            await side(body.article, "article"), await side(body.source, "source"), body.lang
        )

    @app.get(
        "/v1/reports/{report_id}", tags=["analyze"], responses={200: {"model": Report}}, dependencies=[read]
    )
    async def get_report(report_id: str) -> Response:
        return Response(await stored_report(report_id), media_type="application/json")

    @app.get(
        "/v1/reports/{report_id}/html", tags=["analyze"], response_class=HTMLResponse, dependencies=[read]
    )
    async def get_report_html(report_id: str) -> HTMLResponse:
        """The interactive HTML report (self-contained; served sandboxed)."""
        report = Report.model_validate_json(await stored_report(report_id))
        if report.comparison is not None:  # a comparison's view is the side-by-side page
            from unspin.render.compare_html import render_comparison_html

            page = render_comparison_html(report)
        else:
            page = render_html(report)
        return HTMLResponse(page, headers={"Content-Security-Policy": REPORT_CSP})

    async def stored_report(report_id: str) -> str:
        found = await asyncio.to_thread(worker.store.get_report, report_id)
        if found is None:
            raise Problem(404, "Not found", f"no stored report with id {report_id[:64]!r}")
        return found

    @app.post("/v1/stance", tags=["analyze"], response_model=HeadlineCheck, dependencies=[read])
    async def stance(body: StanceIn) -> HeadlineCheck:
        """Does the body back the headline? FNC-1 stance and the headline's key elements."""
        worker.require_ready()
        result: HeadlineCheck = await worker.queue.run(
            lambda: worker.pipeline.stance(body.headline, body.body, language=body.lang)
        )
        return result

    @app.post("/v1/verify", tags=["analyze"], dependencies=[read])
    async def verify(body: VerifyIn) -> dict[str, Any]:
        """Does the evidence support or refute the claim? A verdict per evidence sentence and for the claim."""
        worker.require_ready()
        result = await worker.queue.run(worker.pipeline.verify, body.claim, body.evidence)
        return dataclasses.asdict(result)


def _job_routes(app: FastAPI, worker: Worker, read: Any) -> None:
    """Corpus jobs: create, follow, download the results."""

    @app.post(
        "/v1/jobs",
        tags=["jobs"],
        status_code=202,
        dependencies=[read],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": JobIn.model_json_schema()},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "lang": {"type": "string"},
                            },
                            "required": ["file"],
                        }
                    },
                },
            }
        },
    )
    async def create_job(request: Request) -> JSONResponse:
        """Queue many articles: a JSON list of articles (or {articles, lang, sections}), or a corpus file
        (.jsonl, .csv, .parquet with the fields id, title, text, url, outlet, date) as multipart 'file'."""
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            items, options = await job_from_upload(request)
        else:
            items, options = job_from_json(await request.body())
        check_sections(options.get("sections"))
        job_id = await asyncio.to_thread(worker.store.create_job, items, options)
        worker.new_work.set()
        return JSONResponse(
            {"id": job_id, "total": len(items), "status_url": f"/v1/jobs/{job_id}"},
            status_code=202,
            headers={"Location": f"/v1/jobs/{job_id}"},
        )

    @app.get("/v1/jobs", tags=["jobs"], dependencies=[read])
    async def list_jobs() -> list[dict[str, Any]]:
        return await asyncio.to_thread(worker.store.jobs)

    @app.get("/v1/jobs/{job_id}", tags=["jobs"], dependencies=[read])
    async def get_job(job_id: str) -> dict[str, Any]:
        """State, progress, counts, errors, and each article's report id (the first 1,000 articles)."""
        job = await asyncio.to_thread(worker.store.job, job_id)
        if job is None:
            raise Problem(404, "Not found", f"no job with id {job_id[:64]!r}")
        return job

    @app.get("/v1/jobs/{job_id}/results", tags=["jobs"], dependencies=[read])
    async def job_results(job_id: str, format: Literal["jsonl", "parquet"] = "jsonl") -> Response:
        """The finished articles in input order: JSONL (one {index, article_id, state, report | error} a
        line, streamed) or Parquet (one row per article, the report as a JSON string)."""
        if await asyncio.to_thread(worker.store.job, job_id, max_items=0) is None:
            raise Problem(404, "Not found", f"no job with id {job_id[:64]!r}")
        name = f"unspin-job-{job_id[:12]}"
        if format == "parquet":
            data = await asyncio.to_thread(results_parquet, worker.store.results(job_id))
            return Response(
                data,
                media_type="application/vnd.apache.parquet",
                headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'},
            )

        def lines() -> Iterator[str]:
            for row in worker.store.results(job_id):
                yield json.dumps(row, ensure_ascii=False) + "\n"

        return StreamingResponse(
            lines(),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": f'attachment; filename="{name}.jsonl"'},
        )


def _kb_routes(app: FastAPI, settings: Settings, read: Any, admin: Any) -> None:
    """The knowledge base: search, statistics, import (admin)."""

    @app.get("/v1/kb/search", tags=["kb"], dependencies=[read])
    async def kb_search(
        q: str = Query(..., min_length=1), limit: int = Query(10, ge=1, le=100)
    ) -> list[dict[str, Any]]:
        """Known claims that match the text (BM25 over their rarest words)."""

        def search() -> list[dict[str, Any]]:
            store = open_kb()
            try:
                return [
                    {"score": round(h.score, 4), **dataclasses.asdict(h.entry)}
                    for h in store.search(q, limit)
                ]
            finally:
                store.close()

        return await asyncio.to_thread(search)

    @app.get("/v1/kb/stats", tags=["kb"], dependencies=[read])
    async def kb_stats() -> dict[str, Any]:
        def stats() -> dict[str, Any]:
            store = open_kb()
            try:
                stats = dict(store.stats())
                stats.pop("path", None)  # where the file lives on the server is not the client's business
                return stats
            finally:
                store.close()

        return await asyncio.to_thread(stats)

    @app.post("/v1/kb/import", tags=["kb"], dependencies=[admin])
    async def kb_import(request: Request) -> dict[str, Any]:
        """Import entries (admin key): multipart 'file' and 'format' (euvsdisinfo, claimreview, csv, jsonl,
        outlets); new entries added, changed ones updated, identical ones skipped."""
        from unspin.kb.importers import FORMATS, read_entries

        form = await request.form()
        upload, fmt = form.get("file"), str(form.get("format") or "")
        if not isinstance(upload, UploadFile):
            raise Problem(422, "Invalid request body", "send the file as multipart field 'file'")
        if fmt not in FORMATS:
            raise Problem(422, "Invalid request body", f"'format' must be one of {', '.join(FORMATS)}")
        data = await upload.read()
        suffix = Path(upload.filename or "").suffix.lower()[:16]

        def run() -> dict[str, Any]:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"import{suffix}"
                path.write_bytes(data)
                items = read_entries(path, fmt)
                store = open_kb()
                try:
                    result = store.upsert(items)
                finally:
                    store.close()
            return {
                "added": result.added,
                "updated": result.updated,
                "skipped": result.skipped,
                "rejected": [
                    {"row": w.replace(str(path), upload.filename or "file"), "reason": r}
                    for w, r in result.rejected[:100]
                ],
            }

        return await asyncio.to_thread(run)

    def open_kb() -> Any:
        from unspin.kb import open_kb as open_store

        return open_store(settings.kb)


def _ui_routes(app: FastAPI) -> None:
    """The web UI and the offline API docs (no external assets)."""

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        page = (UI_DIR / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(page, headers={"Content-Security-Policy": UI_CSP})

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="unspin API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    app.mount("/ui", StaticFiles(directory=UI_DIR), name="ui")
    # Swagger UI 5 (OpenAPI 3.1) as shipped by the fastapi-offline package: no CDN.
    swagger_assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/static/swagger", StaticFiles(directory=swagger_assets), name="swagger")


def route_name(app: FastAPI, scope: Scope) -> str:
    """The route's path template, so that metrics have one series per endpoint, not per id."""
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "unmatched"
