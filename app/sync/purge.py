"""Change-log rows (tombstones included) are kept RETENTION_DAYS, then `mestring purge`
deletes them; cursors older than that answer 410 `cursor_expired` (app/sync/cursor.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import rowcount
from app.sync.cursor import RETENTION_DAYS
from app.sync.models import sync_change_table

_s = sync_change_table.c


async def purge(session: AsyncSession, *, now: datetime, batch: int) -> int:
    """Delete up to `batch` change rows older than RETENTION_DAYS; commits. Returns how many."""
    # SKIP LOCKED (PostgreSQL): purges running at once on several hosts take different rows.
    old = (
        select(_s.seq)
        .where(_s.at < now - timedelta(days=RETENTION_DAYS))
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    gone = await session.execute(delete(sync_change_table).where(_s.seq.in_(old)))
    await session.commit()
    return rowcount(gone)


async def forget_patient(session: AsyncSession, *, patient_id: uuid.UUID) -> int:
    """Delete a patient's change rows (erasure; no commit: the caller's transaction)."""
    gone = await session.execute(delete(sync_change_table).where(_s.patient_id == patient_id))
    return rowcount(gone)
