"""Follow-up due (a therapist message, issue 17): on the local day a pending follow-up falls
due, at FOLLOW_UP_AT, a generic push, unless therapist messages are off (they are on unless the
patient switched them off, so patients without saved preferences are read too)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.models import follow_up_table
from app.core.time import local_today, zone
from app.reminders.models import reminder_settings_table
from app.reminders.rules import (
    FOLLOW_UP,
    FOLLOW_UP_AT,
    Due,
    at_instant,
    in_quiet_hours,
    is_due,
)

_f = follow_up_table.c
_s = reminder_settings_table.c
_u = user_table.c


async def follow_ups_due(session: AsyncSession, *, now: datetime) -> list[Due]:
    """Pending follow-ups due today (local) whose FOLLOW_UP_AT is due now, outside quiet hours."""
    utc_day = now.date()
    rows = await session.execute(
        select(_f.id, _f.patient_id, _f.due_on, _u.timezone, _s.quiet_from, _s.quiet_to)
        .join(user_table, _u.id == _f.patient_id)
        .outerjoin(reminder_settings_table, _s.patient_id == _f.patient_id)
        .where(
            _f.status == "pending",
            _f.due_on >= utc_day - timedelta(days=1),
            _f.due_on <= utc_day + timedelta(days=1),
            _u.disabled_at.is_(None),
            _s.therapist_messages.is_not(False),
        )
    )
    due = []
    for row in rows:
        tz = zone(row.timezone)
        if row.due_on != local_today(row.timezone, now=now):
            continue
        instant = at_instant(row.due_on, FOLLOW_UP_AT, tz)
        quiet = in_quiet_hours(now.astimezone(tz).time(), row.quiet_from, row.quiet_to)
        if is_due(instant, now) and not quiet:
            due.append(Due(row.patient_id, FOLLOW_UP, str(row.id), row.due_on, instant))
    return due
