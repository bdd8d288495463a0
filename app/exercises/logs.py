"""Exercise logs: the offline-safe write (a hot path, Core only) and keyset-paginated reads.

The write is at most three statements on the happy path counting the caller's auth lookup:
(assignment check, only when one is named) and `INSERT ... ON CONFLICT (id) DO NOTHING
RETURNING`. When nothing was inserted the id exists already: a retry of the same body (same
sha256 of its canonical JSON, same patient) answers 200 with the stored log; anything else,
including an id another patient used, is one 409 that says nothing about the stored row.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.access import PatientScope
from app.core import rawsql
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.pagination import encode_keyset, older_than
from app.core.time import to_local_date, utcnow
from app.exercises.kinds import CLOCK_SKEW_SECONDS, MAX_LOG_AGE_DAYS, ExerciseKind
from app.exercises.log_schemas import (
    DETAILS,
    AttentionTrainingLog,
    ExerciseLogCreate,
    ExerciseLogPublic,
)
from app.exercises.models import assignment_table, exercise_log_table

_l = exercise_log_table.c
_a = assignment_table.c
_PUBLIC_COLUMNS = (
    _l.id,
    _l.exercise_kind,
    _l.assignment_id,
    _l.started_at,
    _l.local_date,
    _l.duration_seconds,
    _l.details,
    _l.created_at,
)


def _insert(insert: Any) -> Any:
    return (
        insert(exercise_log_table)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(*_PUBLIC_COLUMNS)
    )


# Built once per dialect (both speak ON CONFLICT); the values come as parameters.
_INSERT = {"postgresql": _insert(postgresql.insert), "sqlite": _insert(sqlite.insert)}
_ASSIGNMENT_KIND = select(_a.exercise_kind).where(
    _a.id == bindparam("assignment_id", type_=_a.id.type),
    _a.patient_id == bindparam("patient_id", type_=_a.patient_id.type),
)
_STORED = select(*_PUBLIC_COLUMNS, _l.patient_id, _l.body_hash).where(
    _l.id == bindparam("log_id", type_=_l.id.type)
)


def canonical_hash(data: ExerciseLogCreate) -> str:
    """sha256 of the body as sorted, compact JSON with `started_at` in UTC."""
    body = data.model_dump(mode="json")
    body["started_at"] = data.started_at.astimezone(UTC).isoformat()
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _public(row: Any) -> ExerciseLogPublic:
    return ExerciseLogPublic(
        id=row.id,
        exercise_kind=row.exercise_kind,
        assignment_id=row.assignment_id,
        started_at=row.started_at,
        local_date=row.local_date,
        duration_seconds=row.duration_seconds,
        details=DETAILS[row.exercise_kind].model_validate(row.details),  # type: ignore[arg-type]
        created_at=row.created_at,
    )


def _id_conflict() -> Conflict:
    return Conflict(
        "Another exercise log already has this id; generate a new id for a new log.",
        code="exercise_log_id_conflict",
    )


def _time_problem(started_at: datetime, now: datetime) -> Unprocessable | None:
    if started_at > now + timedelta(seconds=CLOCK_SKEW_SECONDS):
        return Unprocessable("started_at is in the future.", code="started_at_in_future")
    if started_at < now - timedelta(days=MAX_LOG_AGE_DAYS):
        return Unprocessable(
            f"started_at is more than {MAX_LOG_AGE_DAYS} days ago.", code="started_at_too_old"
        )
    return None


async def _replay(
    session: AsyncSession, *, patient_id: uuid.UUID, log_id: uuid.UUID, body_hash: str
) -> ExerciseLogPublic | None:
    """The stored log when this is a faithful retry; 409 when the id is taken otherwise."""
    row = (await session.execute(_STORED, {"log_id": log_id})).first()
    if row is None:
        return None
    if row.patient_id != patient_id or row.body_hash != body_hash:
        raise _id_conflict()
    return _public(row)


def is_empty(data: ExerciseLogCreate) -> bool:
    """An attention-training log with no phase completed and no time spent records nothing."""
    return (
        isinstance(data, AttentionTrainingLog)
        and not data.phases_completed
        and data.duration_seconds == 0
    )


async def record_log(
    session: AsyncSession, *, patient_id: uuid.UUID, timezone: str, data: ExerciseLogCreate
) -> tuple[ExerciseLogPublic, bool]:
    """Store one practice once; (log, created) where created is False for a faithful retry."""
    if is_empty(data):  # it would count toward adherence without any practice behind it
        raise Unprocessable(
            "The log has no completed phase and no time spent: nothing to record.",
            code="empty_exercise",
        )
    body_hash = canonical_hash(data)
    problem = _time_problem(data.started_at, utcnow())
    if problem is not None:
        # A phone retrying a log we already hold gets it back, however late the retry.
        stored = await _replay(session, patient_id=patient_id, log_id=data.id, body_hash=body_hash)
        if stored is not None:
            return stored, False
        raise problem
    if data.assignment_id is not None:
        kind = await session.scalar(
            _ASSIGNMENT_KIND, {"assignment_id": data.assignment_id, "patient_id": patient_id}
        )
        if kind is None:
            raise NotFound("Assignment not found.", code="assignment_not_found")
        if kind != data.exercise_kind.value:
            raise Unprocessable(
                "The assignment is for another kind of exercise.", code="assignment_kind_mismatch"
            )
    values = {
        "id": data.id,
        "patient_id": patient_id,
        "assignment_id": data.assignment_id,
        "exercise_kind": data.exercise_kind.value,
        "started_at": data.started_at,
        "local_date": to_local_date(data.started_at, timezone),
        "duration_seconds": data.duration_seconds,
        "details": data.details(),
        "body_hash": body_hash,
        "created_at": utcnow(),
    }
    statement = _INSERT[session.get_bind().dialect.name]
    # On PostgreSQL straight on the driver, in the session's transaction (app/core/rawsql.py).
    inserted = await rawsql.run(session, statement, values)
    await session.commit()
    if inserted:
        return _public(inserted[0]), True
    stored = await _replay(session, patient_id=patient_id, log_id=data.id, body_hash=body_hash)
    await session.commit()
    if stored is None:  # inserted and deleted between our two statements (account erased)
        raise _id_conflict()
    return stored, False


async def list_logs(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    date_from: date | None,
    date_to: date | None,
    kind: ExerciseKind | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ExerciseLogPublic], str | None]:
    """A patient's logs, newest first; `from`/`to` are local dates, inclusive."""
    query = select(*_PUBLIC_COLUMNS).where(_l.patient_id == patient_id)
    if date_from is not None:
        query = query.where(_l.local_date >= date_from)
    if date_to is not None:
        query = query.where(_l.local_date <= date_to)
    if kind is not None:
        query = query.where(_l.exercise_kind == kind.value)
    if cursor:
        query = query.where(older_than(_l.started_at, _l.id, cursor))
    query = query.order_by(_l.started_at.desc(), _l.id.desc()).limit(limit + 1)
    rows = (await session.execute(query)).all()
    page = [_public(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_keyset(last.started_at, last.id)
    return page, next_cursor


async def list_patient_logs(
    session: AsyncSession,
    *,
    scope: PatientScope,
    date_from: date | None,
    date_to: date | None,
    kind: ExerciseKind | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ExerciseLogPublic], str | None]:
    """A linked patient's logs, for their therapist."""
    return await list_logs(
        session,
        patient_id=scope.patient_id,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        limit=limit,
        cursor=cursor,
    )
