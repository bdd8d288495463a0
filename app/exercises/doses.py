"""Dose history of assignments: reading it and writing a change from an effective date."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable
from app.core.time import utcnow
from app.exercises.adherence import Dose, Plan, dose_on
from app.exercises.models import dose_table
from app.exercises.schemas import AssignmentUpdate

_d = dose_table.c


def not_before(day: date, earliest: date, code: str, what: str) -> None:
    """422 with `code` when `day` is earlier than `earliest`."""
    if day < earliest:
        raise Unprocessable(f"{what} is too far in the past (earliest {earliest}).", code=code)


def dose_values(dose: Dose) -> dict[str, Any]:
    """The dose's columns, for an insert or an update."""
    return {
        "effective_from": dose.effective_from,
        "times_per_day": dose.times_per_day,
        "times_per_week": dose.times_per_week,
        "paused": dose.paused,
    }


async def load_doses(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Dose]]:
    """The dose history of each assignment, oldest first (one query)."""
    found: dict[uuid.UUID, list[Dose]] = {assignment_id: [] for assignment_id in ids}
    if ids:
        rows = await session.execute(
            select(
                _d.assignment_id, _d.effective_from, _d.times_per_day, _d.times_per_week, _d.paused
            )
            .where(_d.assignment_id.in_(ids))
            .order_by(_d.effective_from)
        )
        for r in rows:
            found[r.assignment_id].append(
                Dose(r.effective_from, r.times_per_day, r.times_per_week, bool(r.paused))
            )
    return found


async def change_dose(
    session: AsyncSession,
    *,
    found: Any,
    doses: list[Dose],
    data: AssignmentUpdate,
    earliest: date,
    ends_on: date | None,
    today: date,
    therapist_id: uuid.UUID,
) -> list[Dose]:
    """Write the dose in force from the effective date; one row per date (a same-day edit wins)."""
    effective = data.effective_from or max(today, found.starts_on)
    not_before(effective, earliest, "effective_from_out_of_range", "effective_from")
    if ends_on is not None and effective > ends_on:
        raise Unprocessable(
            "effective_from is after the end date.", code="effective_from_out_of_range"
        )
    plan = Plan(
        found.id, found.patient_id, found.exercise_kind, found.starts_on, None, tuple(doses)
    )
    current = dose_on(plan, effective) or doses[0]
    per_day, per_week = current.times_per_day, current.times_per_week
    if data.times_per_day is not None:
        per_day, per_week = data.times_per_day, None
    elif data.times_per_week is not None:
        per_day, per_week = None, data.times_per_week
    paused = current.paused if data.paused is None else data.paused
    new = Dose(effective, per_day, per_week, paused)
    values = {**dose_values(new), "changed_by": therapist_id, "created_at": utcnow()}
    if any(d.effective_from == effective for d in doses):
        await session.execute(
            update(dose_table)
            .where(_d.assignment_id == found.id, _d.effective_from == effective)
            .values(**values)
        )
    else:
        await session.execute(
            insert(dose_table).values(id=uuid.uuid4(), assignment_id=found.id, **values)
        )
    return sorted(
        [d for d in doses if d.effective_from != effective] + [new], key=lambda d: d.effective_from
    )
