"""Limits that keep one client from taking the server: body size, request rate, analysis queue."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from unspin.server.problems import Problem, problem_response


class BodyLimit:
    """ASGI middleware: a body over the limit is answered 413 before the app sees it.

    The declared Content-Length is checked first; a chunked body is read up to the limit and replayed.
    ``upload_paths`` get the (larger) upload limit: corpus files and knowledge-base imports.
    """

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int, upload_paths: tuple[str, ...]) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] in self.upload_paths else self.limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            Problem(413, "Request body too large", f"the body is over the {limit:,}-byte limit")
        )
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last refill)
        self.lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """None when the request may go ahead (a token is taken), else the seconds until one is free."""
        if self.rate <= 0:
            return None
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[client] = (tokens - 1, now)
                return None
            self.buckets[client] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))


class ModelQueue:
    """The one thread that runs model work in this worker, and admission to it.

    The models are CPU-bound and not shared between threads, so one thread per worker process runs them; the
    event loop stays free. At most ``size`` interactive requests wait or run at once: beyond that a client is
    told to come back (503 + Retry-After) rather than wait for a time no one can promise.
    """

    def __init__(self, size: int, timeout_s: float, executor: Any) -> None:
        self.size = size
        self.timeout_s = timeout_s
        self.executor = executor
        self.waiting = 0  # interactive requests admitted and not finished
        self.jobs_running = 0  # job articles being analysed (0 or 1 per worker)
        self.mean_s = 1.0  # running mean of one analysis, for Retry-After

    @property
    def depth(self) -> int:
        return self.waiting + self.jobs_running

    def _retry_after(self) -> str:
        return str(max(1, math.ceil(self.mean_s * max(1, self.depth))))

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the model thread for an interactive request (Problem 503 when full)."""
        if self.waiting >= self.size:
            raise Problem(
                503,
                "Server busy",
                f"{self.waiting} analyses are queued on this worker (the limit is {self.size}); retry later",
                headers={"Retry-After": self._retry_after()},
            )
        self.waiting += 1
        try:
            return await asyncio.wait_for(self._timed(fn, *args), self.timeout_s)
        except TimeoutError as exc:
            raise Problem(
                503,
                "Request timed out",
                f"the analysis did not finish within {self.timeout_s:g} s; retry later",
                headers={"Retry-After": self._retry_after()},
            ) from exc
        finally:
            self.waiting -= 1

    async def run_job(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.jobs_running += 1
        try:
            return await self._timed(fn, *args)
        finally:
            self.jobs_running -= 1

    async def _timed(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        t0 = time.monotonic()
        result = await loop.run_in_executor(self.executor, fn, *args)
        self.mean_s = 0.8 * self.mean_s + 0.2 * (time.monotonic() - t0)
        return result
