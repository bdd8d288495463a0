"""Reminder preferences (GET/PUT /v1/me/reminders) and the outbox write of therapist messages."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.db import dialect_insert
from app.core.time import utcnow
from app.reminders.models import push_outbox_table, reminder_settings_table
from app.reminders.rules import EVENT_KINDS, THERAPIST_MESSAGE_TTL, tag_for
from app.reminders.schemas import (
    QuietHours,
    ReminderPublic,
    ReminderUpdate,
    format_local,
    parse_local,
)

_s = reminder_settings_table.c
_u = user_table.c


def _public(row: Any, timezone: str) -> ReminderPublic:
    if row is None:
        return ReminderPublic(
            checkin_at=None,
            worry_time_minutes_before=None,
            homework_at=None,
            measures=None,
            quiet_hours=None,
            therapist_messages=True,
            timezone=timezone,
            updated_at=None,
        )
    quiet = None
    if row.quiet_from is not None and row.quiet_to is not None:
        quiet = QuietHours.model_validate(
            {"from": format_local(row.quiet_from), "to": format_local(row.quiet_to)}
        )
    return ReminderPublic(
        checkin_at=format_local(row.checkin_at),
        worry_time_minutes_before=row.worry_time_minutes_before,
        homework_at=format_local(row.homework_at),
        measures=format_local(row.measures_at),
        quiet_hours=quiet,
        therapist_messages=bool(row.therapist_messages),
        timezone=timezone,
        updated_at=row.updated_at,
    )


async def read_settings(session: AsyncSession, *, patient_id: uuid.UUID) -> ReminderPublic:
    """The patient's preferences (the defaults until they saved some), in one statement."""
    row = (
        await session.execute(
            select(_u.timezone, *reminder_settings_table.c)
            .select_from(user_table)
            .outerjoin(reminder_settings_table, _s.patient_id == _u.id)
            .where(_u.id == patient_id)
        )
    ).one()
    return _public(row if row.patient_id is not None else None, row.timezone)


async def replace_settings(
    session: AsyncSession, *, patient_id: uuid.UUID, data: ReminderUpdate
) -> ReminderPublic:
    """Replace the preferences (an upsert keyed by patient: a retry changes nothing)."""
    values: dict[str, Any] = {
        "checkin_at": parse_local(data.checkin_at),
        "worry_time_minutes_before": data.worry_time_minutes_before,
        "homework_at": parse_local(data.homework_at),
        "measures_at": parse_local(data.measures),
        "quiet_from": parse_local(data.quiet_hours.from_) if data.quiet_hours else None,
        "quiet_to": parse_local(data.quiet_hours.to) if data.quiet_hours else None,
        "therapist_messages": data.therapist_messages,
        "updated_at": utcnow(),
    }
    statement = dialect_insert(session, reminder_settings_table).values(
        patient_id=patient_id, **values
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["patient_id"], set_=values)
    )
    await session.commit()
    return await read_settings(session, patient_id=patient_id)


async def enqueue_therapist_message(
    session: AsyncSession, *, patient_id: uuid.UUID, kind: str, thing: uuid.UUID
) -> None:
    """Write a therapist-message push into the outbox, in the caller's transaction (no commit),
    when the patient has not switched therapist messages off. `deliver_outbox` sends it."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"not a therapist-message kind: {kind}")
    wanted = await session.scalar(select(_s.therapist_messages).where(_s.patient_id == patient_id))
    if wanted is False:
        return
    now = utcnow()
    outbox_id = uuid.uuid4()
    await session.execute(
        insert(push_outbox_table).values(
            id=outbox_id,
            patient_id=patient_id,
            kind=kind,
            thing=str(thing),
            local_date=None,
            tag=tag_for(patient_id, kind, str(thing), None, str(outbox_id)),
            status="pending",
            attempts=0,
            created_at=now,
            not_after=now + THERAPIST_MESSAGE_TTL,
        )
    )
