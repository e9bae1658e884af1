"""Prometheus text exposition (format 0.0.4): request counts, a latency histogram, queue depth.

Counted per worker process; with several workers each scrape reaches one of them (the `worker` label says
which), as with any multi-process server without a shared registry.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self.sums: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self.lock:
            self.requests[(method, route, str(status))] += 1
            counts = self.buckets[route]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self.sums[route] += seconds
            self.counts[route] += 1

    def render(self, gauges: dict[str, tuple[str, float]]) -> str:
        worker = f'worker="{os.getpid()}"'
        lines = [
            "# HELP unspin_http_requests_total HTTP requests answered, by method, route and status.",
            "# TYPE unspin_http_requests_total counter",
        ]
        with self.lock:
            for (method, route, status), n in sorted(self.requests.items()):
                labels = f'method="{method}",route="{_escape(route)}",status="{status}",{worker}'
                lines.append(f"unspin_http_requests_total{{{labels}}} {n}")
            lines += [
                "# HELP unspin_http_request_duration_seconds Time to answer a request, by route.",
                "# TYPE unspin_http_request_duration_seconds histogram",
            ]
            for route in sorted(self.counts):
                r = f'route="{_escape(route)}",{worker}'
                for bound, n in zip(BUCKETS, self.buckets[route], strict=True):
                    lines.append(f'unspin_http_request_duration_seconds_bucket{{{r},le="{bound}"}} {n}')
                lines.append(
                    f'unspin_http_request_duration_seconds_bucket{{{r},le="+Inf"}} {self.counts[route]}'
                )
                lines.append(f"unspin_http_request_duration_seconds_sum{{{r}}} {self.sums[route]:.6f}")
                lines.append(f"unspin_http_request_duration_seconds_count{{{r}}} {self.counts[route]}")
        for name, (help_text, value) in gauges.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name}{{{worker}}} {value:g}"]
        return "\n".join(lines) + "\n"


class MetricsMiddleware:
    """Times every HTTP request; the route is the path template (/v1/jobs/{job_id}), not the raw path."""

    def __init__(self, app: ASGIApp, metrics: Metrics, route_of: Callable[[Scope], str]) -> None:
        self.app = app
        self.metrics = metrics
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        route = self.route_of(scope)  # before the app runs: routing rewrites the scope's root_path for mounts
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - t0)
