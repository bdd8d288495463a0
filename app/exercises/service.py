"""Assignments: a linked therapist prescribes, pauses, resumes, ends and re-doses homework."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.care.access import PatientScope, linked_patient_ids, patient_not_found
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.time import local_today, utcnow
from app.exercises.adherence import Dose, Plan, dose_on
from app.exercises.doses import change_dose, dose_values, load_doses, not_before
from app.exercises.kinds import BACKDATE_DAYS, POSTPONEMENT_KINDS
from app.exercises.models import assignment_table, dose_table
from app.exercises.schemas import (
    AssignmentCreate,
    AssignmentPublic,
    AssignmentStatus,
    AssignmentUpdate,
    DosePublic,
    format_worry_time,
)
from app.reminders.rules import NEW_ASSIGNMENT
from app.reminders.service import enqueue_therapist_message

_a = assignment_table.c
_u = user_table.c


def _not_found() -> NotFound:
    return NotFound("Assignment not found.", code="assignment_not_found")


def _parse_time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value is not None else None


def _status(plan: Plan, today: date) -> AssignmentStatus:
    if today < plan.starts_on:
        return "scheduled"
    if plan.ends_on is not None and today > plan.ends_on:
        return "ended"
    dose = dose_on(plan, today)
    return "paused" if dose is not None and dose.paused else "active"


def _public(row: Any, doses: list[Dose], today: date) -> AssignmentPublic:
    plan = Plan(row.id, row.patient_id, row.exercise_kind, row.starts_on, row.ends_on, tuple(doses))
    day = max(today, plan.starts_on)
    if plan.ends_on is not None:
        day = min(day, plan.ends_on)
    current = dose_on(plan, day) or doses[0]
    return AssignmentPublic(
        id=row.id,
        patient_id=row.patient_id,
        exercise_kind=row.exercise_kind,
        status=_status(plan, today),
        times_per_day=current.times_per_day,
        times_per_week=current.times_per_week,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        worry_time=format_worry_time(row.worry_time),
        instructions=row.instructions,
        created_at=row.created_at,
        updated_at=row.updated_at,
        dose_history=[DosePublic(**dose_values(d)) for d in doses],
    )


async def _ensure_no_overlap(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    kind: str,
    starts_on: date,
    ends_on: date | None,
    except_id: uuid.UUID | None = None,
) -> None:
    query = select(_a.id).where(
        _a.patient_id == patient_id,
        _a.exercise_kind == kind,
        _a.ends_on.is_(None) | (_a.ends_on >= starts_on),
    )
    if ends_on is not None:
        query = query.where(_a.starts_on <= ends_on)
    if except_id is not None:
        query = query.where(_a.id != except_id)
    if await session.scalar(query.limit(1)) is not None:
        raise Conflict(
            "The patient already has an assignment of this kind in that period; "
            "change or end that one instead.",
            code="assignment_overlaps",
        )


async def create_assignment(
    session: AsyncSession, *, scope: PatientScope, data: AssignmentCreate
) -> AssignmentPublic:
    """Prescribe an exercise with a dose to a linked patient (the first dose-history row)."""
    # Locking the patient's row serialises assignment writes per patient on PostgreSQL, so two
    # concurrent prescriptions cannot both pass the overlap check (SQLite's BEGIN IMMEDIATE
    # already serialises writers).
    # The link is checked again with the lock, before any state: a patient who stopped being
    # the caller's meanwhile is a 404, never an overlap 409 that names their assignments.
    timezone = await session.scalar(
        select(_u.timezone)
        .where(
            _u.id == scope.patient_id,
            _u.id.in_(linked_patient_ids(scope.therapist_id)),
        )
        .with_for_update()
    )
    if timezone is None:
        raise patient_not_found()
    today = local_today(timezone)
    not_before(
        data.starts_on, today - timedelta(days=BACKDATE_DAYS), "starts_on_too_early", "starts_on"
    )
    await _ensure_no_overlap(
        session,
        patient_id=scope.patient_id,
        kind=data.exercise_kind.value,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    now = utcnow()
    row = (
        await session.execute(
            insert(assignment_table)
            .values(
                id=uuid.uuid4(),
                patient_id=scope.patient_id,
                therapist_id=scope.therapist_id,
                exercise_kind=data.exercise_kind.value,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                worry_time=_parse_time(data.worry_time),
                instructions=data.instructions or None,
                created_at=now,
                updated_at=now,
            )
            .returning(*assignment_table.c)
        )
    ).one()
    dose = Dose(data.starts_on, data.times_per_day, data.times_per_week, False)
    await session.execute(
        insert(dose_table).values(
            id=uuid.uuid4(),
            assignment_id=row.id,
            changed_by=scope.therapist_id,
            created_at=now,
            **dose_values(dose),
        )
    )
    await enqueue_therapist_message(
        session, patient_id=scope.patient_id, kind=NEW_ASSIGNMENT, thing=row.id
    )
    await session.commit()
    return _public(row, [dose], today)


async def list_assignments(session: AsyncSession, *, scope: PatientScope) -> list[AssignmentPublic]:
    """Every assignment of a linked patient, newest start first, with its dose history."""
    timezone = await session.scalar(select(_u.timezone).where(_u.id == scope.patient_id))
    today = local_today(timezone or "UTC")
    rows = (
        await session.execute(
            select(*assignment_table.c)
            .where(_a.patient_id == scope.patient_id)
            .order_by(_a.starts_on.desc(), _a.created_at.desc())
        )
    ).all()
    doses = await load_doses(session, ids=[row.id for row in rows])
    return [_public(row, doses[row.id], today) for row in rows]


async def update_assignment(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    assignment_id: uuid.UUID,
    data: AssignmentUpdate,
) -> AssignmentPublic:
    """Pause, resume, re-dose (kept as history from `effective_from`), end or edit texts."""
    found = (
        await session.execute(
            select(*assignment_table.c, _u.timezone)
            .join(user_table, _u.id == _a.patient_id)
            .where(_a.id == assignment_id, _a.patient_id.in_(linked_patient_ids(therapist_id)))
            .with_for_update(of=user_table)
        )
    ).first()
    if found is None:
        raise _not_found()
    today = local_today(found.timezone)
    earliest = max(found.starts_on, today - timedelta(days=BACKDATE_DAYS))
    changes: dict[str, Any] = {"updated_at": utcnow()}
    fields = data.model_fields_set
    ends_on = data.ends_on if "ends_on" in fields else found.ends_on
    if "ends_on" in fields and data.ends_on is not None:
        not_before(data.ends_on, earliest, "ends_on_out_of_range", "ends_on")
    if "ends_on" in fields:
        if ends_on is None or (found.ends_on is not None and ends_on > found.ends_on):
            await _ensure_no_overlap(
                session,
                patient_id=found.patient_id,
                kind=found.exercise_kind,
                starts_on=found.starts_on,
                ends_on=ends_on,
                except_id=found.id,
            )
        changes["ends_on"] = ends_on
    if "worry_time" in fields:
        if found.exercise_kind not in POSTPONEMENT_KINDS:
            raise Unprocessable(
                "worry_time is only for worry and rumination postponement.",
                code="worry_time_not_applicable",
            )
        if data.worry_time is None:
            raise Unprocessable(
                "Worry and rumination postponement need a worry time.", code="worry_time_required"
            )
        changes["worry_time"] = _parse_time(data.worry_time)
    if "instructions" in fields:
        changes["instructions"] = data.instructions or None
    doses = (await load_doses(session, ids=[found.id]))[found.id]
    if fields & {"paused", "times_per_day", "times_per_week"}:
        doses = await change_dose(
            session,
            found=found,
            doses=doses,
            data=data,
            earliest=earliest,
            ends_on=ends_on,
            today=today,
            therapist_id=therapist_id,
        )
    elif "effective_from" in fields:
        raise Unprocessable(
            "effective_from applies to a pause or dose change.", code="nothing_to_date"
        )
    await session.execute(update(assignment_table).where(_a.id == found.id).values(**changes))
    await session.commit()
    row = (await session.execute(select(*assignment_table.c).where(_a.id == found.id))).one()
    return _public(row, doses, today)
