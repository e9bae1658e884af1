"""Server settings: one frozen object, passed to every worker process as JSON in the environment."""

from __future__ import annotations

import ipaddress
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from unspin.errors import UnspinError

SETTINGS_ENV = "UNSPIN_SERVER_SETTINGS"  # uvicorn's worker processes rebuild the app from this
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    kb: str | None = None  # knowledge base path (default $UNSPIN_KB)
    db: str = "unspin-server.sqlite"  # stored reports and jobs
    read_keys: tuple[str, ...] = ()
    admin_keys: tuple[str, ...] = ()
    max_body_bytes: int = 2_000_000
    max_upload_bytes: int = 50_000_000  # corpus uploads (POST /v1/jobs) and KB imports
    rate_limit_per_minute: int = 120  # per API key (per client address without keys), per worker
    queue_size: int = 16  # analyses waiting or running per worker; beyond it 503 + Retry-After
    request_timeout_s: float = 120.0
    cors_origins: tuple[str, ...] = ()
    url_allow_hosts: tuple[str, ...] = ()  # if given, /v1/analyze/url fetches only from these hosts
    url_allow_networks: tuple[str, ...] = ()  # networks fetched even though private (an in-house CMS)
    url_timeout_s: float = 15.0
    boot_id: str = field(
        default_factory=lambda: uuid.uuid4().hex
    )  # tells this run's job claims from older ones

    @property
    def auth_enabled(self) -> bool:
        return bool(self.read_keys or self.admin_keys)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> Settings:
        raw = os.environ.get(SETTINGS_ENV)
        if not raw:
            return cls()
        data: dict[str, Any] = json.loads(raw)
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**fields)


def split_keys(text: str | None) -> tuple[str, ...]:
    """Comma- or line-separated keys; blanks and '#' comments dropped."""
    if not text:
        return ()
    parts = (p.split("#", 1)[0].strip() for line in text.splitlines() for p in line.split(","))
    return tuple(p for p in parts if p)


def load_keys(key_file: Path | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read keys, admin keys) from $UNSPIN_API_KEYS / $UNSPIN_ADMIN_KEYS and a key file.

    The file has one key a line, ``admin:KEY`` for an admin key and ``KEY`` or ``read:KEY`` for a read key.
    """
    read = list(split_keys(os.environ.get("UNSPIN_API_KEYS")))
    admin = list(split_keys(os.environ.get("UNSPIN_ADMIN_KEYS")))
    if key_file is not None:
        try:
            lines = key_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UnspinError(str(key_file), f"cannot read the key file ({exc.strerror})") from exc
        for key in split_keys("\n".join(lines)):
            role, _, value = key.partition(":") if ":" in key else ("read", "", key)
            if role not in ("read", "admin") or not value:
                raise UnspinError(str(key_file), f"a line is not KEY, read:KEY or admin:KEY ({role}:...)")
            (admin if role == "admin" else read).append(value)
    short = [k for k in read + admin if len(k) < 16]
    if short:
        raise UnspinError("API keys", f"{len(short)} key(s) shorter than 16 characters: use long random keys")
    return tuple(read), tuple(admin)


def is_loopback_host(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings) -> None:
    """Without API keys the server answers anyone who can reach it: only loopback is allowed then."""
    if not is_loopback_host(settings.host) and not settings.auth_enabled:
        raise UnspinError(
            f"--host {settings.host}",
            "refusing to listen beyond loopback without API keys "
            "(set UNSPIN_API_KEYS / UNSPIN_ADMIN_KEYS or --key-file)",
        )
