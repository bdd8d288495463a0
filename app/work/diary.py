"""The work-hour diary: one entry per patient and local date, written daily from the phone.

Hours are stored as whole minutes (integers sum exactly in SQL on both databases); worked hours
arrive in quarter hours, planned hours are rounded to the minute.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.care.access import PatientScope
from app.core.db import dialect_insert
from app.core.errors import Unprocessable
from app.core.pagination import decode_cursor, encode_cursor
from app.core.time import local_today, utcnow
from app.work.grades import DAYS_OFF
from app.work.models import rtw_plan_table, work_diary_table
from app.work.plan import load_plans, plan_of
from app.work.schemas import DiaryIn, DiaryPublic

_d = work_diary_table.c
_plan = rtw_plan_table.c
MAX_DAYS_BACK = 14
DEFAULT_LIST_DAYS = 28
_PUBLIC_COLUMNS = (
    _d.local_date,
    _d.day_type,
    _d.worked_minutes,
    _d.planned_minutes,
    _d.planned_from_plan,
    _d.tasks,
    _d.strain,
    _d.note,
    _d.created_at,
    _d.updated_at,
)


def to_minutes(hours: Decimal) -> int:
    """Hours as whole minutes, rounded half up."""
    return int((hours * 60).quantize(Decimal(1), ROUND_HALF_UP))


def to_hours(minutes: int) -> Decimal:
    """Whole minutes as hours with two decimals."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _public(row: Any) -> DiaryPublic:
    return DiaryPublic(
        local_date=row.local_date,
        day_type=row.day_type,
        worked_hours=float(to_hours(row.worked_minutes)),
        planned_hours=None if row.planned_minutes is None else float(to_hours(row.planned_minutes)),
        planned_from_plan=row.planned_from_plan,
        tasks=row.tasks,
        strain=row.strain,
        note=row.note,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def check_diary_date(local_date: date, *, today: date) -> None:
    """A diary day is today or at most 14 days back."""
    if local_date > today:
        raise Unprocessable("The date lies in the future.", code="diary_date_in_future")
    if local_date < today - timedelta(days=MAX_DAYS_BACK):
        raise Unprocessable(
            f"Diary entries can be written at most {MAX_DAYS_BACK} days back.",
            code="diary_date_too_old",
        )


async def put_entry(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    local_date: date,
    data: DiaryIn,
) -> tuple[DiaryPublic, bool]:
    """Create or replace the day's entry in one upsert; True when it was created."""
    check_diary_date(local_date, today=local_today(timezone))
    if data.day_type in DAYS_OFF and data.worked_hours:
        raise Unprocessable(
            f"A {data.day_type} day has no worked hours; record 0 or mark the day as work.",
            code="hours_on_day_off",
        )
    planned: int | None
    if data.planned_hours is not None:
        planned, from_plan = to_minutes(data.planned_hours), False
    elif data.day_type in DAYS_OFF:
        planned, from_plan = 0, False
    else:
        body = await session.scalar(select(_plan.body).where(_plan.patient_id == patient_id))
        hours = plan_of(body).planned_hours_on(local_date) if body is not None else None
        planned, from_plan = (None, False) if hours is None else (to_minutes(hours), True)
    now = utcnow()
    values = {
        "day_type": data.day_type,
        "worked_minutes": to_minutes(data.worked_hours),
        "planned_minutes": planned,
        "planned_from_plan": from_plan,
        "tasks": data.tasks,
        "strain": data.strain,
        "note": data.note,
        "updated_at": now,
    }
    statement = dialect_insert(session, work_diary_table).values(
        id=uuid.uuid4(),
        patient_id=patient_id,
        local_date=local_date,
        revision=1,
        created_at=now,
        **values,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[_d.patient_id, _d.local_date],
        set_={**values, "revision": _d.revision + 1},
    ).returning(*_PUBLIC_COLUMNS, _d.revision)
    row = (await session.execute(statement)).one()
    await session.commit()
    return _public(row), row.revision == 1


async def patient_timezone(session: AsyncSession, *, patient_id: uuid.UUID) -> str:
    """The patient's IANA time zone (their local dates key the diary)."""
    found: str | None = await session.scalar(
        select(user_table.c.timezone).where(user_table.c.id == patient_id)
    )
    return found or "Europe/Oslo"


async def list_entries(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[DiaryPublic], str | None]:
    """Entries between two local dates (default: the last 28 days), oldest first, paginated."""
    date_to = date_to or local_today(timezone)
    if date_from is None:
        back = min(DEFAULT_LIST_DAYS - 1, (date_to - date.min).days)
        date_from = date_to - timedelta(days=back)
    if date_from > date_to:
        raise Unprocessable("`from` lies after `to`.", code="invalid_date_range")
    query = select(*_PUBLIC_COLUMNS).where(
        _d.patient_id == patient_id, _d.local_date >= date_from, _d.local_date <= date_to
    )
    if cursor:
        (raw,) = decode_cursor(cursor, 1)
        try:
            after = date.fromisoformat(raw)
        except ValueError as exc:
            raise Unprocessable("The cursor is not valid.", code="invalid_cursor") from exc
        query = query.where(_d.local_date > after)
    rows = (await session.execute(query.order_by(_d.local_date).limit(limit + 1))).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].local_date.isoformat()) if len(rows) > limit else None
    return [_public(row) for row in page], next_cursor


async def list_entries_for_therapist(
    session: AsyncSession,
    *,
    scope: PatientScope,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[DiaryPublic], str | None]:
    """A linked patient's diary, for their therapist (dates in the patient's time zone)."""
    timezone = await patient_timezone(session, patient_id=scope.patient_id)
    return await list_entries(
        session,
        patient_id=scope.patient_id,
        timezone=timezone,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        cursor=cursor,
    )


@dataclass(frozen=True, slots=True)
class DiaryDay:
    """Is the day's diary entry written, and is the day a plan work day?"""

    done: bool
    work_day: bool


async def diary_done_on(
    session: AsyncSession, *, patient_ids_and_dates: Sequence[tuple[uuid.UUID, date]]
) -> dict[tuple[uuid.UUID, date], DiaryDay]:
    """For many (patient, local date) pairs at once, in two statements: entry done? work day?"""
    if not patient_ids_and_dates:
        return {}
    patient_ids = sorted({pid for pid, _ in patient_ids_and_dates})
    days = sorted({day for _, day in patient_ids_and_dates})
    plans = await load_plans(session, patient_ids=patient_ids)
    rows = await session.execute(
        select(_d.patient_id, _d.local_date).where(
            _d.patient_id.in_(patient_ids), _d.local_date.in_(days)
        )
    )
    done = {(row.patient_id, row.local_date) for row in rows}
    result = {}
    for pid, day in patient_ids_and_dates:
        plan = plans.get(pid)
        result[(pid, day)] = DiaryDay(
            done=(pid, day) in done, work_day=plan is not None and plan.is_work_day(day)
        )
    return result
