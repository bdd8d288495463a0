"""On SQLite (the embedded default) there is no job queue: the same tick and delivery run in a
background task of the API process, so `./dev serve` sends reminders alone. One process only
(SQLite is one file on one host); a failed delivery waits for the next tick."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from app.core.config import Settings
from app.core.db import async_url, is_sqlite
from app.core.deps import Services
from app.core.metrics import worker_metrics
from app.reminders.delivery import DeliveryFailed
from app.reminders.runtime import Runtime, deliver_and_count, tick

log = logging.getLogger("mestring.worker")


async def _loop(runtime: Runtime, every: float) -> None:
    async def deliver_now(outbox_id: uuid.UUID) -> None:
        with contextlib.suppress(DeliveryFailed):  # back to pending: the next tick retries
            await deliver_and_count(runtime, outbox_id)

    while True:
        try:
            await tick(runtime, defer=deliver_now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # keep the loop alive; the next tick retries
            log.error("reminder tick failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def running(runtime: Runtime, every: float) -> AsyncIterator[None]:
    """Run the loop for the lifetime of the block (the app's lifespan)."""
    task = asyncio.create_task(_loop(runtime, every), name="mestring-reminders")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def wanted(settings: Settings) -> bool:
    """On for SQLite outside tests unless MESTRING_INPROCESS_WORKER says otherwise."""
    if settings.inprocess_worker is not None:
        return settings.inprocess_worker
    return is_sqlite(async_url(settings.database_url)) and settings.env != "test"


@contextlib.asynccontextmanager
async def maybe_running(services: Services) -> AsyncIterator[None]:
    """The app's lifespan part: the loop when `wanted`, nothing otherwise."""
    if not wanted(services.settings):
        yield
        return
    # Imported here: the push senders' libraries load only in a process that sends (issue 12).
    from app.devices.delivery import push_to_patient

    runtime = Runtime(services=services, sender=push_to_patient, metrics=worker_metrics())
    async with running(runtime, services.settings.worker_tick_seconds):
        yield
