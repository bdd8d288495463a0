"""`mestring` admin commands."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.schemas import UserCreate
from app.core import migrate as migrations
from app.core.config import REPO_ROOT, ConfigError, Settings, get_settings
from app.core.deps import Services
from app.core.errors import AppError
from app.core.logging import configure_logging, redact
from app.core.openapi import operation_ids, read_published_ids, render_published_ids

cli = typer.Typer(
    help="Mestring administration.", no_args_is_help=True, pretty_exceptions_enable=False
)
T = TypeVar("T")
log = logging.getLogger("mestring.cli")
CONFIG_ERROR_EXIT = 2


def _settings() -> Settings:
    """The settings, or one JSON line naming what is wrong (never a value) and exit code 2."""
    try:
        return get_settings()
    except ConfigError as exc:
        configure_logging()
        log.error(f"configuration error: {exc}")
        raise typer.Exit(CONFIG_ERROR_EXIT) from None


def _run(work: Callable[[Services, AsyncSession], Awaitable[T]]) -> T:
    settings = _settings()

    async def runner() -> T:
        services = Services.build(settings)
        try:
            async with services.sessions() as session:
                return await work(services, session)
        finally:
            await services.engine.dispose()

    try:
        return asyncio.run(runner())
    except AppError as exc:
        typer.echo(f"error: {exc.detail} ({exc.code})", err=True)
        raise typer.Exit(1) from exc


@cli.command()
def migrate() -> None:
    """Apply every database migration (safe to run several at once: they take turns)."""
    settings = _settings()
    configure_logging(settings.log_level)
    logging.getLogger("alembic").setLevel(logging.INFO)  # one line per migration applied
    try:
        migrations.upgrade(settings.database_url)
    except Exception as exc:
        secrets = settings.secret_values()
        extra = {"error": type(exc).__name__, "detail": redact(str(exc), secrets)}
        if isinstance(exc, OSError | OperationalError | InterfaceError):
            log.error("migration failed: the database is not reachable", extra=extra)
        else:  # a migration itself failed: say where
            extra["trace"] = redact("".join(traceback.format_exception(exc)), secrets)
            log.error("migration failed", extra=extra)
        raise typer.Exit(1) from None
    log.info("database migrated")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, envvar="WEB_CONCURRENCY", help="Worker processes.")
    ] = 1,
    graceful_timeout: Annotated[
        int, typer.Option(min=1, help="Seconds in-flight requests get after SIGTERM.")
    ] = 20,
) -> None:
    """Serve the API with uvicorn (never migrates; see README, Running in production)."""
    from app.ops import serve as server

    settings = _settings()
    configure_logging(settings.log_level)
    try:
        server.run(
            settings, host=host, port=port, workers=workers, graceful_seconds=graceful_timeout
        )
    except server.ServeError as exc:
        log.error(f"cannot serve: {exc}")
        raise typer.Exit(CONFIG_ERROR_EXIT) from None


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


def _create(role: Role, email: str, password: str, name: str) -> None:
    try:
        data = UserCreate(email=email, password=password, display_name=name)
    except ValidationError as exc:
        typer.echo(f"error: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}", err=True)
        raise typer.Exit(1) from exc
    user = _run(lambda s, db: accounts.create_user(db, hasher=s.hasher, data=data, role=role))
    typer.echo(f"created {role.value} {user.id}")


@cli.command("new-migration")
def new_migration(message: Annotated[str, typer.Argument(help="What changed.")]) -> None:
    """Autogenerate a dated migration from the models (against a scratch SQLite database)."""
    from alembic import command

    scratch = REPO_ROOT / "var" / "migration-scratch.db"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    scratch.unlink(missing_ok=True)
    url = f"sqlite:///{scratch}"
    migrations.upgrade(url)
    command.revision(migrations.alembic_config(url), message=message, autogenerate=True)
    scratch.unlink(missing_ok=True)
    typer.echo("review the new file in migrations/versions before committing it")


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()] = "Clinic admin",
) -> None:
    """Create a clinic admin account."""
    _create(Role.admin, email, password, name)


@cli.command("create-therapist")
def create_therapist(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
) -> None:
    """Create a therapist account."""
    _create(Role.therapist, email, password, name)


@cli.command("create-job-counsellor")
def create_job_counsellor(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
) -> None:
    """Create a job counsellor account."""
    _create(Role.job_counsellor, email, password, name)


@cli.command("seed-demo")
def seed_demo(
    patients: Annotated[
        int, typer.Option(min=0, max=100_000, help="Also seed this many synthetic patients.")
    ] = 0,
    days: Annotated[int, typer.Option(min=1, max=1_000, help="Days of synthetic history.")] = 90,
    random_seed: Annotated[
        int, typer.Option("--seed", help="Random seed of the synthetic data.")
    ] = 1,
) -> None:
    """Create demo accounts (safe to run again) and print how to log in.

    With --patients N: also one therapist with N synthetic patients and --days of history
    each (deterministic; for a fresh database, e.g. benchmarks).
    """
    from app.seed import seed_demo as seed

    logins = _run(lambda s, db: seed(db, hasher=s.hasher))
    if patients:
        from app.dashboard.demo import seed_bulk

        started = time.perf_counter()
        bulk = _run(
            lambda s, db: seed_bulk(
                db, hasher=s.hasher, patients=patients, days=days, seed=random_seed
            )
        )
        typer.echo(
            f"Seeded {bulk.patients} patients x {bulk.days} days ({bulk.rows} rows) in "
            f"{time.perf_counter() - started:.1f} s; their therapist: "
            f"{bulk.therapist_email} / {bulk.password}"
        )
    typer.echo("Demo accounts (email / password):")
    for account in logins:
        typer.echo(f"  {account.role.value:<14} {account.email} / {account.password}")


@cli.command("load-questionnaire")
def load_questionnaire(
    file: Annotated[Path, typer.Argument(help="A questionnaire definition (JSON).")],
) -> None:
    """Validate FILE and add it as the next version of its questionnaire (old answers stay).

    Any instrument: rtw-se, phq9, gad7, barriers. The file's `key` says which;
    app/instruments/definitions holds the shipped files to start from (replace the texts, keep
    the ids and the scoring).
    """
    from app.instruments.definition import InstrumentDefinition
    from app.instruments.store import add_version

    try:
        definition = InstrumentDefinition.model_validate_json(file.read_bytes())
    except OSError as exc:
        typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    except ValidationError as exc:
        typer.echo(f"error: {file} is not a valid questionnaire definition:", err=True)
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"]) or "(file)"
            typer.echo(f"  {where}: {err['msg']}", err=True)
        raise typer.Exit(1) from exc
    loaded = _run(lambda _s, db: add_version(db, definition=definition))
    typer.echo(
        f"loaded {definition.key} version {loaded.version} ({len(definition.items)} items, "
        f"id {loaded.id})"
    )


@cli.command()
def purge(
    batch: Annotated[
        int, typer.Option(min=1, max=100_000, help="Rows per statement (and per commit).")
    ] = 1000,
) -> None:
    """Delete what has expired: idempotency keys, ended sessions, spent refresh tokens, throttle
    counters. Safe to run from cron every few minutes, on several hosts at once."""
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


@cli.command("export-openapi")
def export_openapi(
    output: Annotated[Path, typer.Option()] = REPO_ROOT / "openapi" / "openapi.json",
) -> None:
    """Write the OpenAPI document generated from the app, and add its new operation ids."""
    from app.main import create_app

    document = create_app(_settings()).openapi()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_openapi(document))
    ids_file = output.parent / "operation-ids.txt"
    published = read_published_ids(ids_file)
    ids_file.write_text(render_published_ids(published, operation_ids(document)))
    typer.echo(f"wrote {output} and {ids_file}")


def render_openapi(document: dict[str, object]) -> str:
    """The stable text form checked into openapi/openapi.json."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Console-script entry point."""
    cli()
