"""Follow-ups 3 and 6 months after full return to work, and recording that return.

DESIGN.md rule 6: follow-ups fall due 3 and 6 months after the *actual* full return to work.
The actual date is the therapist's record (`PUT .../rtw-completion`) when there is one, else
the start of the plan's final 0 % stage once that stage has begun. Follow-up rows are kept in
step with that date on every write of either source (a plan whose 0 % stage lies ahead gets
its rows at once, dated from the planned day), but a follow-up of a return that has not begun
is never listed, never due and cannot be answered: nothing counts from a planned future date.

Every write here takes the patient's row lock first (app/accounts/locks.py): the plan save and
the therapist's record of the return touch the same rows, and one fixed order keeps them from
deadlocking or tripping the unique index on pending follow-ups.
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_patient
from app.accounts.models import user_table
from app.boosters.models import follow_up_table, rtw_completion_table
from app.boosters.schemas import FollowUpPublic, RtwCompletionPublic, RtwCompletionWrite
from app.care.access import PatientScope, patient_not_found
from app.core.db import dialect_insert
from app.core.errors import Unprocessable
from app.core.time import local_today, utcnow

_f = follow_up_table.c
_w = rtw_completion_table.c
FOLLOW_UP_MONTHS = (3, 6)
COLUMNS = [_f[name] for name in FollowUpPublic.model_fields]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Aug + 3 → 30 Nov)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def public(row: Any) -> FollowUpPublic:
    return FollowUpPublic.model_validate(row, from_attributes=True)


async def schedule_follow_ups(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    full_return_on: date | None,
    source: str,
    employment_id: uuid.UUID | None = None,
) -> None:
    """Make the +3/+6-month follow-ups match `full_return_on` (no commit; the caller commits).

    One series per patient for the full return to work; with `employment_id`, the series of
    that new job instead (reason `new_job`, counted from its first day). Idempotent: creates
    missing ones, moves unanswered ones to a new date, cancels unanswered ones when given
    None; answered ones are never touched.
    """
    series = (
        _f.employment_id.is_(None) if employment_id is None else _f.employment_id == employment_id
    )
    rows = (
        await session.execute(
            select(_f.id, _f.months, _f.full_return_on, _f.status).where(
                _f.patient_id == patient_id, series, _f.status.in_(("pending", "answered"))
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
                        reason="full_return" if employment_id is None else "new_job",
                        employment_id=employment_id,
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


def actual_return(*, recorded_on: date | None, plan_return_on: date | None) -> date | None:
    """The date the follow-ups count from: the therapist's record, else the plan's 0 % stage."""
    return recorded_on if recorded_on is not None else plan_return_on


def has_begun(return_on: date | None, *, today: date) -> date | None:
    """The return date once it has come (None while it lies ahead)."""
    return return_on if return_on is not None and return_on <= today else None


async def _reschedule(
    session: AsyncSession, *, patient_id: uuid.UUID, recorded_on: date | None, plan_on: date | None
) -> None:
    await schedule_follow_ups(
        session,
        patient_id=patient_id,
        full_return_on=actual_return(recorded_on=recorded_on, plan_return_on=plan_on),
        source="therapist" if recorded_on is not None else "rtw_plan",
    )


async def plan_return_changed(
    session: AsyncSession, *, patient_id: uuid.UUID, plan_return_on: date | None
) -> None:
    """The plan's full-return date changed (no commit; the caller holds the patient lock)."""
    values = {"plan_return_on": plan_return_on, "updated_at": utcnow()}
    stmt = dialect_insert(session, rtw_completion_table).values(
        patient_id=patient_id, rtw_completed_on=None, source="rtw_plan", **values
    )
    recorded_on = await session.scalar(
        stmt.on_conflict_do_update(index_elements=["patient_id"], set_=values).returning(
            _w.rtw_completed_on
        )
    )
    await _reschedule(
        session, patient_id=patient_id, recorded_on=recorded_on, plan_on=plan_return_on
    )


async def follow_ups_of(
    session: AsyncSession, *, patient_id: uuid.UUID, today: date
) -> list[FollowUpPublic]:
    """A patient's follow-ups of a full return that has begun, cancelled ones left out (a new
    job's series belongs to its employment record)."""
    rows = await session.execute(
        select(*COLUMNS)
        .where(
            _f.patient_id == patient_id,
            _f.employment_id.is_(None),
            _f.status != "cancelled",
            _f.full_return_on <= today,
        )
        .order_by(_f.due_on, _f.months)
    )
    return [public(row) for row in rows]


async def _completion(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str
) -> RtwCompletionPublic:
    row = (
        await session.execute(
            select(_w.rtw_completed_on, _w.plan_return_on).where(_w.patient_id == patient_id)
        )
    ).first()
    recorded_on, plan_on = (row.rtw_completed_on, row.plan_return_on) if row else (None, None)
    today = local_today(timezone)
    return RtwCompletionPublic(
        patient_id=patient_id,
        rtw_completed_on=recorded_on,
        plan_return_on=plan_on,
        full_return_on=has_begun(
            actual_return(recorded_on=recorded_on, plan_return_on=plan_on), today=today
        ),
        follow_ups=await follow_ups_of(session, patient_id=patient_id, today=today),
    )


async def set_rtw_completion(
    session: AsyncSession, *, scope: PatientScope, data: RtwCompletionWrite
) -> RtwCompletionPublic:
    """The therapist records (or clears) the patient's full return to work; follow-ups follow."""
    timezone = await lock_patient(session, patient_id=scope.patient_id)
    if timezone is None:  # erased meanwhile
        raise patient_not_found()
    recorded_on = data.rtw_completed_on
    if recorded_on is not None and recorded_on > local_today(timezone):
        await session.rollback()
        raise Unprocessable(
            "The return to work lies in the future; record it once it has happened "
            "(a planned return is the plan's 0 % stage).",
            code="rtw_completed_in_future",
        )
    values = {
        "rtw_completed_on": data.rtw_completed_on,
        "source": "therapist",
        "updated_by": scope.therapist_id,
        "updated_at": utcnow(),
    }
    stmt = dialect_insert(session, rtw_completion_table).values(
        patient_id=scope.patient_id, plan_return_on=None, **values
    )
    plan_on = await session.scalar(
        stmt.on_conflict_do_update(index_elements=["patient_id"], set_=values).returning(
            _w.plan_return_on
        )
    )
    await _reschedule(
        session, patient_id=scope.patient_id, recorded_on=data.rtw_completed_on, plan_on=plan_on
    )
    await session.commit()
    return await _completion(session, patient_id=scope.patient_id, timezone=timezone)


async def read_rtw_completion(session: AsyncSession, *, scope: PatientScope) -> RtwCompletionPublic:
    """The recorded full return to work and the patient's follow-ups."""
    timezone = await session.scalar(
        select(user_table.c.timezone).where(user_table.c.id == scope.patient_id)
    )
    return await _completion(session, patient_id=scope.patient_id, timezone=timezone or "UTC")
