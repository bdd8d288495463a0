"""`mestring serve`: the checks that must fail clearly at start, then uvicorn — and nothing else.

It never migrates (that is `mestring migrate`, a step of its own). uvicorn runs without proxy
headers, so the peer address reaches the app unchanged and the app alone decides which proxies
it trusts (README, Running in production); its own lines are JSON like ours, and its access log
is off (ours logs route templates, not raw paths).
"""

from __future__ import annotations

import logging

import uvicorn

from app.core.config import Settings
from app.core.db import async_url, is_sqlite
from app.core.logging import uvicorn_log_config
from app.core.metrics import (
    MULTIPROC_ENV,
    MetricsDirError,
    clear_multiprocess_dir,
    multiprocess_dir,
)

log = logging.getLogger("mestring.serve")


class ServeError(Exception):
    """The server cannot start as configured; the message says why and what to do."""


def prepare_metrics(*, workers: int) -> None:
    """Check the multi-process metrics directory and clear what an earlier run left there."""
    try:
        directory = multiprocess_dir()
        removed = clear_multiprocess_dir(directory) if directory else 0
    except MetricsDirError as exc:
        raise ServeError(str(exc)) from None
    if directory is None:
        if workers > 1:
            raise ServeError(
                f"{workers} workers need {MULTIPROC_ENV} (an empty, writable directory), or "
                "/metrics would answer for whichever worker took the scrape"
            )
        return
    log.info("metrics directory ready", extra={"path": str(directory), "cleared_files": removed})


def connection_budget(settings: Settings, *, workers: int) -> int:
    """The most database connections this server opens: per worker, its pool (no overflow)."""
    if is_sqlite(async_url(settings.database_url)):
        return 0
    return workers * settings.db_pool_size


def run(settings: Settings, *, host: str, port: int, workers: int, graceful_seconds: int) -> None:
    """Check, then serve until SIGTERM (in-flight requests get `graceful_seconds` to finish)."""
    prepare_metrics(workers=workers)
    log.info(
        "starting",
        extra={
            "env": settings.env,
            "workers": workers,
            "port": port,
            "db_connections_max": connection_budget(settings, workers=workers),
        },
    )
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_config=uvicorn_log_config(settings.log_level),
        timeout_graceful_shutdown=graceful_seconds,
    )
