"""`unspin serve`: the REST API and the web UI (uvicorn, one Pipeline per worker process)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from unspin.errors import UnspinError
from unspin.server.config import SETTINGS_ENV, Settings, check_bind, load_keys


def open_store(db: Path) -> None:
    import sqlite3

    from unspin.server.store import Store

    try:
        Store(db, owner="check:0").close()
    except (sqlite3.Error, OSError) as exc:
        raise UnspinError(str(db), f"cannot open the server's store ({exc})") from exc


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (beyond loopback only with API keys).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes, each with its own models.")] = 1,
    kb: Annotated[
        Path | None, typer.Option(help="Knowledge base of known narratives (default $UNSPIN_KB).")
    ] = None,
    db: Annotated[Path, typer.Option(help="SQLite file for stored reports and jobs.")] = Path(
        "unspin-server.sqlite"
    ),
    key_file: Annotated[
        Path | None,
        typer.Option(
            help="API keys, one a line: KEY or read:KEY, admin:KEY (also $UNSPIN_API_KEYS, $UNSPIN_ADMIN_KEYS)."
        ),
    ] = None,
    max_body: Annotated[int, typer.Option(help="Largest request body in bytes (413 beyond).")] = 2_000_000,
    max_upload: Annotated[int, typer.Option(help="Largest corpus or KB upload in bytes.")] = 50_000_000,
    rate_limit: Annotated[int, typer.Option(help="Requests a minute per key (0: no limit).")] = 120,
    queue_size: Annotated[int, typer.Option(min=1, help="Analyses queued per worker before 503.")] = 16,
    request_timeout: Annotated[float, typer.Option(help="Seconds an analysis may take before 503.")] = 120.0,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Allow browser calls from this origin (repeatable; off by default)."),
    ] = None,
    url_allow_host: Annotated[
        list[str] | None, typer.Option(help="Fetch URLs only from these hosts (repeatable).")
    ] = None,
    url_allow_network: Annotated[
        list[str] | None,
        typer.Option(help="Fetch from this private network even so, e.g. an in-house CMS (repeatable)."),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the REST API (/v1, OpenAPI at /openapi.json, Swagger UI at /docs) and the web UI (/)."""
    import uvicorn

    try:
        read_keys, admin_keys = load_keys(key_file)
        settings = Settings(
            host=host,
            port=port,
            workers=workers,
            kb=str(kb) if kb else None,
            db=str(db),
            read_keys=read_keys,
            admin_keys=admin_keys,
            max_body_bytes=max_body,
            max_upload_bytes=max_upload,
            rate_limit_per_minute=rate_limit,
            queue_size=queue_size,
            request_timeout_s=request_timeout,
            cors_origins=tuple(cors_origin or ()),
            url_allow_hosts=tuple(url_allow_host or ()),
            url_allow_networks=tuple(url_allow_network or ()),
        )
        check_bind(settings)
        from unspin.server.ssrf import SafeFetcher

        # A bad network or an unusable store is one error line now, not a failing worker later.
        SafeFetcher(allow_networks=settings.url_allow_networks)
        open_store(db)
    except (UnspinError, ValueError) as exc:
        typer.echo(f"unspin: error: {exc}", err=True)
        raise typer.Exit(2) from exc
    os.environ[SETTINGS_ENV] = settings.to_env()  # the worker processes build their app from it
    typer.echo(
        f"unspin serve: http://{host}:{port}/ (API keys {'on' if settings.auth_enabled else 'off'}, "
        f"{workers} worker(s), store {db})",
        err=True,
    )
    uvicorn.run(
        "unspin.server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=5,
        # Loading the models holds the GIL for seconds at a time on a busy machine: uvicorn's default 5 s
        # health check then takes a loading worker for hung and restarts it, over and over.
        timeout_worker_healthcheck=60,
    )
