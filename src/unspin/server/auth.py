"""API keys (X-API-Key or a bearer token), read and admin roles, and the per-key rate limit."""

from __future__ import annotations

import hmac
from typing import Literal

from fastapi import Request

from unspin.server.config import Settings
from unspin.server.limits import RateLimiter
from unspin.server.problems import Problem

Role = Literal["read", "admin"]


def presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _matches(key: str, keys: tuple[str, ...]) -> bool:
    # Compare against every key in constant time so that timing tells nothing about which prefix matched.
    found = False
    for k in keys:
        found |= hmac.compare_digest(key.encode(), k.encode())
    return found


class Gate:
    """Who is asking, with what rights; each caller (key, or address without keys) has its own rate."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_per_minute)

    def check(self, request: Request, role: Role) -> str:
        """The caller's identity; raises a 401, 403 or 429 Problem."""
        s = self.settings
        key = presented_key(request)
        if not s.auth_enabled:
            caller = "addr:" + (request.client.host if request.client else "?")
        elif key is None:
            raise Problem(
                401,
                "API key required",
                "send the key in the X-API-Key header or as 'Authorization: Bearer KEY'",
                headers={"WWW-Authenticate": 'Bearer realm="unspin"'},
            )
        elif _matches(key, s.admin_keys):
            caller = "key:" + key
        elif _matches(key, s.read_keys):
            if role == "admin":
                raise Problem(403, "Admin key required", "this endpoint needs an admin key")
            caller = "key:" + key
        else:
            raise Problem(
                401,
                "Invalid API key",
                "the key is not one this server knows",
                headers={"WWW-Authenticate": 'Bearer realm="unspin", error="invalid_token"'},
            )
        wait = self.limiter.retry_after(caller)
        if wait is not None:
            raise Problem(
                429,
                "Too many requests",
                f"over {s.rate_limit_per_minute} requests a minute",
                headers={"Retry-After": str(wait)},
            )
        return caller
