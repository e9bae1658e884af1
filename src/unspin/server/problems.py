"""Errors as RFC 9457 problem details: JSON with type, title, status, detail; never a stack trace."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

PROBLEM_TYPE = "https://unspin.dev/problems/"  # + a slug of the title; documentation, not fetched


class Problem(Exception):
    """Raise anywhere in a request: becomes a problem response with this status."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}


def problem_response(problem: Problem, instance: str | None = None) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + problem.title.lower().replace(" ", "-"),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    body.update(problem.extra)
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=problem.headers,
    )


def invalid_body(errors: Any) -> Problem:
    listed = [
        {"loc": ".".join(str(p) for p in e.get("loc", ())), "msg": str(e.get("msg", ""))}
        for e in list(errors)[:20]
    ]
    detail = "; ".join(f"{e['loc']}: {e['msg']}" for e in listed[:3])
    return Problem(
        422, "Invalid request body", detail or "the body does not match the schema", extra={"errors": listed}
    )
