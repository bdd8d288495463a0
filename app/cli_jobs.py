"""`mestring` commands of the jobs an operator schedules or runs beside the API: the worker,
purge, the outcome report, and VAPID keys for Web Push."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import typer

from app.cli_base import CONFIG_ERROR_EXIT, _run, _settings, cli, log
from app.core.config import get_settings
from app.core.logging import configure_logging


@cli.command()
def worker(
    metrics_port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Serve the worker's Prometheus metrics on this port."),
    ] = None,
) -> None:
    """Run the reminder and push worker (procrastinate on PostgreSQL; see README, The worker)."""
    from prometheus_client import start_http_server

    from app.core.db import async_url, is_sqlite
    from app.core.metrics import PROCESS_REGISTRY
    from app.reminders import worker as engine

    settings = _settings()
    configure_logging(settings.log_level)
    if is_sqlite(async_url(settings.database_url)):
        log.error("mestring worker needs PostgreSQL; on SQLite the API runs reminders itself")
        raise typer.Exit(CONFIG_ERROR_EXIT)
    if metrics_port is not None:
        start_http_server(metrics_port, registry=PROCESS_REGISTRY)
    log.info("worker starting", extra={"concurrency": settings.worker_concurrency})
    asyncio.run(engine.run(settings))


@cli.command()
def purge(
    batch: Annotated[
        int, typer.Option(min=1, max=100_000, help="Rows per statement (and per commit).")
    ] = 1000,
) -> None:
    """Delete what has expired: idempotency keys, ended sessions, spent refresh tokens, throttle
    counters, sync change-log rows and pushes past 90 days. Safe to run from cron every few
    minutes, on several hosts at once."""
    from app.core.time import utcnow
    from app.privacy.retention import purge_expired

    settings = get_settings()
    done = _run(lambda _s, db: purge_expired(db, settings=settings, now=utcnow(), batch=batch))
    typer.echo("purged " + ", ".join(f"{name} {count}" for name, count in done.items()))


@cli.command()
def report(
    period: Annotated[str, typer.Option(help="A month YYYY-MM or a quarter YYYY-Qn.")],
    format: Annotated[str, typer.Option(help="json or csv.")] = "json",
    therapist_id: Annotated[
        uuid.UUID | None, typer.Option(help="One therapist's caseload.")
    ] = None,
) -> None:
    """Print the de-identified outcome report (GET /v1/reports/outcomes) of the whole clinic
    or one therapist's caseload, for the operations person's cron job."""
    from app.reports.render import to_csv
    from app.reports.service import outcome_report

    if format not in ("json", "csv"):
        typer.echo("error: --format must be json or csv", err=True)
        raise typer.Exit(1)
    found = _run(
        lambda _s, db: outcome_report(
            db, period=period, therapist_id=therapist_id, caller_id=None, caller_role=None
        )
    )
    text = (
        to_csv(found, newline="\n") if format == "csv" else found.model_dump_json(indent=2) + "\n"
    )
    typer.echo(text, nl=False)


@cli.command("vapid-keys")
def vapid_keys() -> None:
    """Print a new VAPID key pair for Web Push (MESTRING_VAPID_PRIVATE_KEY; the public key is
    what browsers take as applicationServerKey, also served at GET /v1/push/vapid-key)."""
    from app.devices.vapid import new_key_pair

    private, public = new_key_pair()
    typer.echo(f"MESTRING_VAPID_PRIVATE_KEY={private}")
    typer.echo(f"public key (applicationServerKey): {public}")
