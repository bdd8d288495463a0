"""`mestring` admin commands."""

from __future__ import annotations

import json
import logging
import time
import traceback
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError

from app import cli_jobs  # noqa: F401  (registers the worker, purge, report and vapid-keys)
from app.accounts import service as accounts
from app.accounts.models import Role
from app.accounts.schemas import UserCreate
from app.cli_base import CONFIG_ERROR_EXIT, _run, _settings, cli, log
from app.core import migrate as migrations
from app.core.config import REPO_ROOT
from app.core.logging import configure_logging, redact
from app.core.openapi import operation_ids, read_published_ids, render_published_ids

__all__ = ["cli", "main", "render_openapi"]


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
    each (deterministic; for a fresh database, e.g. benchmarks: on PostgreSQL the tables it
    fills are locked, to readers too, until it is done).
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
