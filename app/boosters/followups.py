"""Follow-ups 3 and 6 months after full return to work, and recording that return."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import follow_up_table, rtw_completion_table
from app.boosters.queries import read_open_request, read_request
from app.boosters.requests import insert_open_request
from app.boosters.schemas import (
    FollowUpAnswer,
    FollowUpAnswered,
    FollowUpPublic,
    RtwCompletionPublic,
    RtwCompletionWrite,
)
from app.care.access import PatientScope
from app.core.db import dialect_insert
from app.core.errors import Conflict, NotFound
from app.core.time import local_today, utcnow

_f = follow_up_table.c
_w = rtw_completion_table.c
FOLLOW_UP_MONTHS = (3, 6)
_COLUMNS = [_f[name] for name in FollowUpPublic.model_fields]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Aug + 3 → 30 Nov)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _public(row: Any) -> FollowUpPublic:
    return FollowUpPublic.model_validate(row, from_attributes=True)


async def schedule_follow_ups(
    session: AsyncSession, *, patient_id: uuid.UUID, full_return_on: date | None, source: str
) -> None:
    """Make the +3/+6-month follow-ups match `full_return_on` (no commit; the caller commits).

    Idempotent: creates missing ones, moves unanswered ones to a new date, cancels unanswered
    ones when given None; answered ones are never touched.
    """
    rows = (
        await session.execute(
            select(_f.id, _f.months, _f.full_return_on, _f.status).where(
                _f.patient_id == patient_id, _f.status.in_(("pending", "answered"))
            )
        )
    ).all()
    pending = {row.months: row for row in rows if row.status == "pending"}
    answered = {(row.months, row.full_return_on) for row in rows if row.status == "answered"}
    cancel = [row.id for row in pending.values()] if full_return_on is None else []
    if full_return_on is not None:
        for months in FOLLOW_UP_MONTHS:
            due_on = add_months(full_return_on, months)
            current = pending.get(months)
            if (months, full_return_on) in answered:
                if current is not None:
                    cancel.append(current.id)
            elif current is None:
                await session.execute(
                    insert(follow_up_table).values(
                        id=uuid.uuid4(),
                        patient_id=patient_id,
                        months=months,
                        full_return_on=full_return_on,
                        due_on=due_on,
                        source=source,
                        status="pending",
                        created_at=utcnow(),
                    )
                )
            elif current.full_return_on != full_return_on:
                await session.execute(
                    update(follow_up_table)
                    .where(_f.id == current.id, _f.status == "pending")
                    .values(full_return_on=full_return_on, due_on=due_on, source=source)
                )
    if cancel:
        await session.execute(
            update(follow_up_table)
            .where(_f.id.in_(cancel), _f.status == "pending")
            .values(status="cancelled")
        )


async def _follow_ups_of(session: AsyncSession, patient_id: uuid.UUID) -> list[FollowUpPublic]:
    rows = await session.execute(
        select(*_COLUMNS)
        .where(_f.patient_id == patient_id, _f.status != "cancelled")
        .order_by(_f.due_on, _f.months)
    )
    return [_public(row) for row in rows]


async def set_rtw_completion(
    session: AsyncSession, *, scope: PatientScope, data: RtwCompletionWrite
) -> RtwCompletionPublic:
    """The therapist records (or clears) the patient's full return to work; follow-ups follow."""
    now = utcnow()
    values = {
        "rtw_completed_on": data.rtw_completed_on,
        "source": "therapist",
        "updated_by": scope.therapist_id,
        "updated_at": now,
    }
    stmt = dialect_insert(session, rtw_completion_table).values(
        patient_id=scope.patient_id, **values
    )
    await session.execute(stmt.on_conflict_do_update(index_elements=["patient_id"], set_=values))
    await schedule_follow_ups(
        session,
        patient_id=scope.patient_id,
        full_return_on=data.rtw_completed_on,
        source="therapist",
    )
    await session.commit()
    return RtwCompletionPublic(
        patient_id=scope.patient_id,
        rtw_completed_on=data.rtw_completed_on,
        follow_ups=await _follow_ups_of(session, scope.patient_id),
    )


async def read_rtw_completion(session: AsyncSession, *, scope: PatientScope) -> RtwCompletionPublic:
    """The recorded full return to work and the patient's follow-ups."""
    completed_on = await session.scalar(
        select(_w.rtw_completed_on).where(_w.patient_id == scope.patient_id)
    )
    return RtwCompletionPublic(
        patient_id=scope.patient_id,
        rtw_completed_on=completed_on,
        follow_ups=await _follow_ups_of(session, scope.patient_id),
    )


async def list_own(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, upcoming: bool
) -> list[FollowUpPublic]:
    """Unanswered follow-ups due by the patient's today (and later ones with `upcoming`)."""
    query = select(*_COLUMNS).where(_f.patient_id == patient_id, _f.status == "pending")
    if not upcoming:
        query = query.where(_f.due_on <= local_today(timezone))
    rows = await session.execute(query.order_by(_f.due_on, _f.months))
    return [_public(row) for row in rows]


def _follow_up_not_found() -> NotFound:
    return NotFound("Follow-up not found.", code="follow_up_not_found")


async def answer(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    follow_up_id: uuid.UUID,
    data: FollowUpAnswer,
) -> FollowUpAnswered:
    """Close a due follow-up; `needs_booster` opens a request (or links the one already open)."""
    row = (
        await session.execute(
            select(*_COLUMNS).where(_f.id == follow_up_id, _f.patient_id == patient_id)
        )
    ).first()
    if row is None or row.status == "cancelled":
        raise _follow_up_not_found()
    given = (data.still_working, data.needs_booster, data.note)
    if row.status == "answered":
        if (row.still_working, row.needs_booster, row.note) != given:
            raise Conflict("The follow-up was already answered.", code="follow_up_answered")
        booster = (
            await read_request(session, request_id=row.booster_request_id)
            if row.booster_request_id
            else None
        )
        return FollowUpAnswered(**_public(row).model_dump(), booster_request=booster)
    if row.due_on > local_today(timezone):
        raise Conflict("The follow-up is not due yet.", code="follow_up_not_due")
    now = utcnow()
    booster = None
    if data.needs_booster:
        work = "still working" if data.still_working else "not working"
        booster = await insert_open_request(
            session,
            patient_id=patient_id,
            source="follow_up",
            reason=f"{row.months}-month follow-up after full return to work: {work}, "
            "asks for a booster session",
            actor_id=patient_id,
            actor_role="patient",
            now=now,
        ) or await read_open_request(session, patient_id=patient_id)
    done = (
        await session.execute(
            update(follow_up_table)
            .where(_f.id == follow_up_id, _f.status == "pending")
            .values(
                status="answered",
                still_working=data.still_working,
                needs_booster=data.needs_booster,
                note=data.note,
                answered_at=now,
                booster_request_id=booster.id if booster else None,
            )
            .returning(*_COLUMNS)
        )
    ).first()
    if done is None:  # answered concurrently
        await session.rollback()
        raise Conflict("The follow-up was already answered.", code="follow_up_answered")
    await session.commit()
    return FollowUpAnswered(**_public(done).model_dump(), booster_request=booster)


async def due_follow_ups(
    session: AsyncSession, *, today_by_patient: Mapping[uuid.UUID, date]
) -> dict[uuid.UUID, list[FollowUpPublic]]:
    """For many patients in one query: their unanswered follow-ups due by their local today."""
    result: dict[uuid.UUID, list[FollowUpPublic]] = {pid: [] for pid in today_by_patient}
    if not today_by_patient:
        return result
    rows = await session.execute(
        select(_f.patient_id, *_COLUMNS)
        .where(
            _f.patient_id.in_(list(today_by_patient)),
            _f.status == "pending",
            _f.due_on <= max(today_by_patient.values()),
        )
        .order_by(_f.due_on, _f.months)
    )
    for row in rows:
        if row.due_on <= today_by_patient[row.patient_id]:
            result[row.patient_id].append(_public(row))
    return result
