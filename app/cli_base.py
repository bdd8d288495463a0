"""What every `mestring` command shares: the Typer app, the settings, and running a piece of
async work with a database session."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import ConfigError, Settings, get_settings
from app.core.deps import Services
from app.core.errors import AppError
from app.core.logging import configure_logging

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
