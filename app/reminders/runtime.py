"""What every worker tick does, whichever engine runs it (procrastinate or the in-process
loop): schedule due reminders, find outbox rows to (re)deliver, measure the queue lag."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.deps import Services
from app.core.metrics import WorkerMetrics
from app.core.time import utcnow
from app.reminders.delivery import Outcome, Sender, deliver
from app.reminders.models import push_outbox_table
from app.reminders.scheduler import schedule_due

_o = push_outbox_table.c
# A row `sending` for this long belongs to a delivery that died without its job being
# recovered (procrastinate normally retries such a job first): the relay defers it again.
CLAIM_LEASE = timedelta(minutes=5)
RELAY_BATCH = 500


@dataclass(slots=True)
class Runtime:
    """What the task functions need: the process's services, the sender, the metrics."""

    services: Services
    sender: Sender
    metrics: WorkerMetrics


async def to_deliver(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Outbox rows waiting for a delivery: pending, or claimed by a delivery that died."""
    rows = await session.execute(
        select(_o.id)
        .where(
            or_(
                _o.status == "pending",
                (_o.status == "sending") & (_o.claimed_at < now - CLAIM_LEASE),
            )
        )
        .order_by(_o.created_at)
        .limit(RELAY_BATCH)
    )
    return [row.id for row in rows]


async def queue_lag(session: AsyncSession, *, now: datetime) -> float:
    """Seconds since the oldest undelivered outbox row was written (0 when none waits)."""
    oldest: datetime | None = await session.scalar(
        select(func.min(_o.created_at)).where(_o.status.in_(("pending", "sending")))
    )
    if oldest is None:
        return 0.0
    return max(0.0, float((now - oldest).total_seconds()))


async def tick(
    runtime: Runtime, *, defer: Callable[[uuid.UUID], Awaitable[None]], now: datetime | None = None
) -> list[uuid.UUID]:
    """Schedule what is due, then hand every waiting outbox row to `defer`."""
    now = now or utcnow()
    async with runtime.services.sessions() as session:
        await schedule_due(session, now=now)
        waiting = await to_deliver(session, now=now)
        runtime.metrics.queue_lag.set(await queue_lag(session, now=now))
    for outbox_id in waiting:
        await defer(outbox_id)
    return waiting


async def deliver_and_count(runtime: Runtime, outbox_id: uuid.UUID) -> Outcome:
    """One delivery, counted in the metrics (DeliveryFailed propagates, to be retried)."""
    async with runtime.services.sessions() as session:
        try:
            outcome = await deliver(
                session, runtime.services.settings, outbox_id, sender=runtime.sender
            )
        except Exception:
            runtime.metrics.failed.inc()
            raise
    runtime.metrics.record(outcome.status)
    return outcome
