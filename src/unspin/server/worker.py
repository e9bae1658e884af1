"""One worker process's state: its Pipeline on its model thread, the queue, the store, the job loop."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from fastapi.responses import Response

from unspin import __version__
from unspin.analyzers import NAMES
from unspin.errors import UnspinError
from unspin.model import Article
from unspin.models.registry import threads_per_worker
from unspin.pipeline import Pipeline
from unspin.render import render_json
from unspin.server.auth import Gate
from unspin.server.config import Settings
from unspin.server.limits import ModelQueue
from unspin.server.metrics import Metrics
from unspin.server.problems import Problem
from unspin.server.ssrf import SafeFetcher
from unspin.server.store import Claim, Store, content_hash

log = logging.getLogger("uvicorn.error.unspin")  # under uvicorn's logger: its handlers and --log-level


class Worker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pipeline = Pipeline(kb=settings.kb, threads=threads_per_worker(settings.workers))
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unspin-model")
        self.queue = ModelQueue(settings.queue_size, settings.request_timeout_s, self.executor)
        self.gate = Gate(settings)
        self.metrics = Metrics()
        self.store = Store(settings.db, owner=f"{settings.boot_id}:{os.getpid()}")
        self.fetcher = SafeFetcher(
            allow_hosts=settings.url_allow_hosts,
            allow_networks=settings.url_allow_networks,
            timeout_s=settings.url_timeout_s,
            max_bytes=settings.max_body_bytes * 5,
        )
        self.ready = False
        self.load_error: str | None = None
        self.new_work = asyncio.Event()

    def require_ready(self) -> None:
        if not self.ready:
            detail = self.load_error or "the models are still loading"
            raise Problem(503, "Not ready", detail, headers={"Retry-After": "5"})

    def analyze_json(self, article: Article, lang: str | None, sections: list[str] | None) -> str:
        """Runs on the model thread: the Report as the CLI writes it."""
        return render_json(self.pipeline.analyze(article, language=lang, only=sections))

    async def analyze(self, article: Article, lang: str | None, sections: list[str] | None) -> Response:
        self.require_ready()
        check_sections(sections)
        report_id = report_key(article, lang, sections)
        report_json = await self.queue.run(self.analyze_json, article, lang, sections)
        return await self._stored(report_id, report_json)

    def compare_json(self, article: Article, source: Article, lang: str | None) -> str:
        """Runs on the model thread: the article's Report with its comparison against ``source``."""
        from unspin.comparison import compare_articles

        return render_json(compare_articles(self.pipeline, article, source, language=lang))

    async def compare(self, article: Article, source: Article, lang: str | None) -> Response:
        self.require_ready()
        report_id = content_hash(
            {
                "version": __version__,
                "compare": [article.model_dump(mode="json"), source.model_dump(mode="json")],
                "lang": lang,
            }
        )
        report_json = await self.queue.run(self.compare_json, article, source, lang)
        return await self._stored(report_id, report_json)

    async def _stored(self, report_id: str, report_json: str) -> Response:
        """Keep the report under its id and answer with it (its id in ``Location`` and ``X-Report-Id``)."""
        await asyncio.to_thread(self.store.put_report, report_id, report_json)
        return Response(
            report_json,
            media_type="application/json",
            headers={"Location": f"/v1/reports/{report_id}", "X-Report-Id": report_id},
        )

    async def load(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.executor, self.pipeline.load)
            self.ready = True
            log.info("worker %s ready", os.getpid())
        except Exception as exc:
            self.load_error = f"the models could not be loaded ({type(exc).__name__}: {exc})"
            log.exception("model loading failed")

    async def run_jobs(self) -> None:
        """Analyse the articles of stored jobs, one at a time, until the worker stops."""
        released = await asyncio.to_thread(self.store.release_stale_claims)
        if released:
            log.info("resuming %d article(s) left unfinished by an earlier run", released)
        idle_rounds = 0
        while True:
            if not self.ready:
                await asyncio.sleep(0.2)
                continue
            claim = await asyncio.to_thread(self.store.claim_next)
            if claim is None:
                idle_rounds += 1
                if idle_rounds % 30 == 0:  # a worker that died in this run leaves claims behind
                    await asyncio.to_thread(self.store.release_stale_claims)
                self.new_work.clear()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self.new_work.wait(), timeout=1.0)
                continue
            await self._run_one(claim)

    async def _run_one(self, claim: Claim) -> None:
        lang, sections = claim.options.get("lang"), claim.options.get("sections")
        try:
            article = Article.model_validate(claim.article)
            report_json = await self.queue.run_job(self.analyze_json, article, lang, sections)
            report_id = report_key(article, lang, sections)
            await asyncio.to_thread(self.store.finish, claim, report_id=report_id, report_json=report_json)
        except UnspinError as exc:
            await asyncio.to_thread(self.store.finish, claim, error=str(exc))
        except Exception as exc:
            log.exception("job %s article %d failed", claim.job_id, claim.seq)
            await asyncio.to_thread(self.store.finish, claim, error=f"internal error ({type(exc).__name__})")


def report_key(article: Article, lang: str | None, sections: list[str] | None) -> str:
    return content_hash(
        {
            "version": __version__,
            "article": article.model_dump(mode="json"),
            "lang": lang,
            "sections": sorted(sections) if sections else None,
        }
    )


def check_sections(sections: list[str] | None) -> None:
    unknown = sorted(set(sections or ()) - set(NAMES))
    if unknown:
        raise Problem(422, "Unknown section", f"{', '.join(unknown)}: choose from {', '.join(NAMES)}")
