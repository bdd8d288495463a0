"""`mestring purge` step: pushes finished more than PUSH_RETENTION ago, and the once-a-day
claims of reminders that old (their only use is "not twice today")."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import rowcount
from app.reminders.models import push_outbox_table, sent_reminder_table

PUSH_RETENTION = timedelta(days=90)
_o = push_outbox_table.c
_sent = sent_reminder_table.c


async def purge(session: AsyncSession, *, now: datetime, batch: int) -> int:
    """Delete up to `batch` old finished outbox rows and up to `batch` old claims; commits."""
    before = now - PUSH_RETENTION
    old_pushes = (
        select(_o.id)
        .where(_o.created_at < before, _o.status.not_in(("pending", "sending")))
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    pushes = await session.execute(delete(push_outbox_table).where(_o.id.in_(old_pushes)))
    old_claims = (
        select(_sent.id)
        .where(_sent.created_at < before)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claims = await session.execute(delete(sent_reminder_table).where(_sent.id.in_(old_claims)))
    await session.commit()
    return rowcount(pushes) + rowcount(claims)
