"""The every-minute scheduler: which reminders are due now, for every patient, set-based.

One read of all preferences with zones, then `load_facts` (a fixed number of statements for
any number of patients), then per due reminder one `sent_reminders` insert whose unique key
(patient, kind, thing, local date) lets only one scheduler ever claim it, and its outbox row in
the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.db import dialect_insert
from app.core.time import local_today, utcnow, zone
from app.reminders.facts import Facts, load_facts
from app.reminders.followups import follow_ups_due
from app.reminders.models import push_outbox_table, reminder_settings_table, sent_reminder_table
from app.reminders.rules import (
    CHECKIN,
    HOMEWORK,
    LATE_LIMIT,
    MEASURE,
    WORRY_TIME,
    Due,
    at_instant,
    in_quiet_hours,
    is_due,
    tag_for,
    worry_reminder,
)

_s = reminder_settings_table.c
_u = user_table.c
_sent = sent_reminder_table.c


def _fixed(pref: Any, today: date, now: datetime) -> list[Due]:
    tz = zone(pref.timezone)
    found = []
    for kind, at in ((CHECKIN, pref.checkin_at), (HOMEWORK, pref.homework_at)):
        if at is not None and is_due(at_instant(today, at, tz), now):
            found.append(Due(pref.patient_id, kind, "", today, at_instant(today, at, tz)))
    if pref.measures_at is not None and is_due(at_instant(today, pref.measures_at, tz), now):
        found.append(
            Due(pref.patient_id, MEASURE, "", today, at_instant(today, pref.measures_at, tz))
        )
    return found


def _worry(pref: Any, today: date, now: datetime, facts: Facts) -> list[Due]:
    if pref.worry_time_minutes_before is None:
        return []
    tz = zone(pref.timezone)
    found = []
    for plan in facts.plans.get(pref.patient_id, []):
        if plan.worry_time is None:
            continue
        worry_at = time.fromisoformat(plan.worry_time)
        day = worry_reminder(
            worry_time=worry_at,
            minutes_before=pref.worry_time_minutes_before,
            today=today,
            zone=tz,
            now=now,
        )
        if day is not None:
            instant = at_instant(day, worry_at, tz) - timedelta(
                minutes=pref.worry_time_minutes_before
            )
            found.append(Due(pref.patient_id, WORRY_TIME, str(plan.id), day, instant))
    return found


async def _preferences(session: AsyncSession) -> list[Any]:
    return list(
        (
            await session.execute(
                select(*reminder_settings_table.c, _u.timezone, _u.locale)
                .join(user_table, _u.id == _s.patient_id)
                .where(
                    _u.role == "patient",
                    _u.disabled_at.is_(None),
                    (
                        _s.checkin_at.is_not(None)
                        | _s.homework_at.is_not(None)
                        | _s.measures_at.is_not(None)
                        | _s.worry_time_minutes_before.is_not(None)
                    ),
                )
            )
        ).all()
    )


async def find_due(session: AsyncSession, *, now: datetime) -> list[Due]:
    """Every reminder due at `now` that is still undone, outside quiet hours, not yet sent.

    The facts (what is still undone) are loaded only for the patients with something due this
    minute, or a worry-time reminder to place: most minutes, for nobody."""
    prefs = [
        pref
        for pref in await _preferences(session)
        if not in_quiet_hours(
            now.astimezone(zone(pref.timezone)).time(), pref.quiet_from, pref.quiet_to
        )
    ]
    today = {pref.patient_id: local_today(pref.timezone, now=now) for pref in prefs}
    fixed = [item for pref in prefs for item in _fixed(pref, today[pref.patient_id], now)]
    worriers = [pref for pref in prefs if pref.worry_time_minutes_before is not None]
    follow_ups = await follow_ups_due(session, now=now)
    days = {item.patient_id: item.local_date for item in fixed + follow_ups}
    days.update({pref.patient_id: today[pref.patient_id] for pref in worriers})
    if not days:
        return []
    facts = await load_facts(session, days)
    worry = [item for pref in worriers for item in _worry(pref, today[pref.patient_id], now, facts)]
    sent = {
        (row.patient_id, row.kind, row.thing, row.local_date)
        for row in await session.execute(
            select(_sent.patient_id, _sent.kind, _sent.thing, _sent.local_date).where(
                _sent.patient_id.in_(list(days)),
                _sent.local_date >= min(days.values()),
            )
        )
    }
    due = []
    for item in fixed + worry + follow_ups:
        key = (item.patient_id, item.kind, item.thing, item.local_date)
        if key not in sent and facts.still_due(*key):
            due.append(item)
    return due


async def schedule_due(session: AsyncSession, *, now: datetime | None = None) -> list[uuid.UUID]:
    """Find and claim every due reminder; returns the outbox ids to deliver."""
    now = now or utcnow()
    return await claim(session, await find_due(session, now=now), now=now)


async def claim(session: AsyncSession, due: list[Due], *, now: datetime) -> list[uuid.UUID]:
    """Claim each reminder (one `sent_reminders` row) with its outbox row, in one transaction.
    A concurrent scheduler that claimed the same reminder first, after our `find_due` read,
    wins: ours inserts nothing for it (ON CONFLICT DO NOTHING on the unique key)."""
    outbox_ids = []
    for item in due:
        outbox_id = uuid.uuid4()
        claimed = await session.scalar(
            dialect_insert(session, sent_reminder_table)
            .values(
                id=uuid.uuid4(),
                patient_id=item.patient_id,
                kind=item.kind,
                thing=item.thing,
                local_date=item.local_date,
                outbox_id=outbox_id,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["patient_id", "kind", "thing", "local_date"])
            .returning(_sent.id)
        )
        if claimed is None:
            continue
        await session.execute(
            insert(push_outbox_table).values(
                id=outbox_id,
                patient_id=item.patient_id,
                kind=item.kind,
                thing=item.thing,
                local_date=item.local_date,
                tag=tag_for(item.patient_id, item.kind, item.thing, item.local_date),
                status="pending",
                attempts=0,
                created_at=now,
                not_after=item.instant + LATE_LIMIT,
            )
        )
        outbox_ids.append(outbox_id)
    await session.commit()
    return outbox_ids
