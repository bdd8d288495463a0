"""Answering a measure: offline-safe, with the risk alert in the same transaction.

The write: the current version's definition scores the answers; the patient's row is locked
(the lock order of app/accounts/locks.py); one statement reads the schedule and the first
response (for the occurrence, lateness and the change); `INSERT … ON CONFLICT (id) DO NOTHING
RETURNING` stores it, and an alert rule that fires (PHQ-9 item 9 above 0) inserts the risk
alert before the one commit. When nothing was inserted the id exists already: the same body
from the same patient answers 200 with the stored response (and the crisis numbers again, if
it opened an alert); anything else is one 409.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_patient
from app.core.config import CrisisResource
from app.core.db import dialect_insert
from app.core.errors import Conflict, Unprocessable
from app.core.time import to_local_date, utcnow
from app.instruments.profiles import MeasureKey
from app.instruments.scoring import AnswersMismatch, score
from app.instruments.store import LoadedVersion, current_version, version_by_id
from app.measures.models import measure_response_table, measure_schedule_table, risk_alert_table
from app.measures.schemas import (
    AlertBrief,
    MeasureResponseCreate,
    MeasureResponseSaved,
)
from app.measures.support import support
from app.measures.windows import is_late, occurrence

_r = measure_response_table.c
_s = measure_schedule_table.c
_ra = risk_alert_table.c
CLOCK_SKEW = timedelta(minutes=5)
MAX_ANSWER_AGE = timedelta(days=90)
RESPONSE_COLUMNS = (
    _r.id,
    _r.measure,
    _r.questionnaire_id,
    _r.answered_at,
    _r.local_date,
    _r.answers,
    _r.score,
    _r.band,
    _r.due_on,
    _r.late,
    _r.created_at,
)


@dataclass(frozen=True, slots=True)
class _NewAlert:
    id: uuid.UUID
    acknowledged_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Retry:
    """Who sent which id with which body, and how to answer them (for a replay)."""

    patient_id: uuid.UUID
    response_id: uuid.UUID
    body_hash: str
    locale: str
    resources: Sequence[CrisisResource]


def canonical_hash(measure: str, data: MeasureResponseCreate) -> str:
    """sha256 of the measure and the body as sorted, compact JSON with `answered_at` in UTC."""
    body = {
        "measure": measure,
        "id": str(data.id),
        "answers": data.answers,
        "answered_at": data.answered_at.astimezone(UTC).isoformat(),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _id_conflict() -> Conflict:
    return Conflict(
        "Another response already has this id; generate a new id for a new response.",
        code="measure_response_id_conflict",
    )


def _time_problem(answered_at: datetime, now: datetime) -> Unprocessable | None:
    if answered_at > now + CLOCK_SKEW:
        return Unprocessable("answered_at is in the future.", code="answered_at_in_future")
    if answered_at < now - MAX_ANSWER_AGE:
        return Unprocessable(
            f"answered_at is more than {MAX_ANSWER_AGE.days} days ago.",
            code="answered_at_too_old",
        )
    return None


def brief(alert: Any | None) -> AlertBrief | None:
    if alert is None:
        return None
    acknowledged = alert.acknowledged_at is not None
    return AlertBrief(
        id=alert.id,
        status="acknowledged" if acknowledged else "open",
        acknowledged_at=alert.acknowledged_at,
    )


def response_fields(
    row: Any, *, version: LoadedVersion, first: float | None, alert: Any | None
) -> dict[str, Any]:
    return {
        "id": row.id,
        "measure": row.measure,
        "questionnaire_version": version.version,
        "illustrative": version.definition.metadata.illustrative,
        "answered_at": row.answered_at,
        "local_date": row.local_date,
        "answers": row.answers,
        "score": row.score,
        "band": row.band,
        "due_on": row.due_on,
        "late": row.late,
        "change_from_first": round(row.score - (row.score if first is None else first), 6),
        "risk_alert": brief(alert),
        "created_at": row.created_at,
    }


async def _first_score(session: AsyncSession, patient_id: uuid.UUID, measure: str) -> float | None:
    first: float | None = await session.scalar(
        select(_r.score)
        .where(_r.patient_id == patient_id, _r.measure == measure)
        .order_by(_r.answered_at, _r.id)
        .limit(1)
    )
    return first


async def _replay(session: AsyncSession, retry: _Retry) -> MeasureResponseSaved | None:
    """The stored response when this is a faithful retry; 409 when the id is taken otherwise."""
    row = (
        await session.execute(
            select(*RESPONSE_COLUMNS, _r.patient_id, _r.body_hash).where(_r.id == retry.response_id)
        )
    ).first()
    if row is None:
        return None
    if row.patient_id != retry.patient_id or row.body_hash != retry.body_hash:
        raise _id_conflict()
    alert = (
        await session.execute(
            select(_ra.id, _ra.acknowledged_at)
            .where(_ra.response_id == retry.response_id)
            .order_by(_ra.created_at, _ra.id)
            .limit(1)
        )
    ).first()
    first = await _first_score(session, retry.patient_id, row.measure)
    version = await version_by_id(session, version_id=row.questionnaire_id)
    return MeasureResponseSaved(
        **response_fields(row, version=version, first=first, alert=alert),
        support=support(retry.resources, locale=retry.locale) if alert is not None else None,
    )


async def record_response(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    locale: str,
    measure: MeasureKey,
    data: MeasureResponseCreate,
    resources: Sequence[CrisisResource],
) -> tuple[MeasureResponseSaved, bool]:
    """Store one answered measure once; (response, created), created False for a retry."""
    body_hash = canonical_hash(measure, data)
    retry = _Retry(patient_id, data.id, body_hash, locale, resources)
    now = utcnow()
    problem = _time_problem(data.answered_at, now)
    if problem is not None:
        # A phone retrying a response we already hold gets it back, however late the retry.
        stored = await _replay(session, retry)
        if stored is not None:
            return stored, False
        raise problem
    version = await current_version(session, key=measure)
    try:
        scored = score(version.definition, data.answers)
    except AnswersMismatch as exc:
        raise Unprocessable(str(exc), code="answers_mismatch") from exc
    local_date = to_local_date(data.answered_at, timezone)
    # The answer and its alert are two of the patient's tables: the patient's row first, as for
    # every such write (app/accounts/locks.py); the schedule and the first answer read below
    # then include any answer that was being stored at the same time.
    await lock_patient(session, patient_id=patient_id)
    first = (
        select(_r.score, _r.answered_at)
        .where(_r.patient_id == patient_id, _r.measure == measure)
        .order_by(_r.answered_at, _r.id)
        .limit(1)
        .subquery()
    )
    mine = (_s.patient_id == patient_id, _s.measure == measure)
    context = (
        await session.execute(
            select(
                select(_s.every_days).where(*mine).scalar_subquery().label("every_days"),
                select(_s.starts_on).where(*mine).scalar_subquery().label("starts_on"),
                select(first.c.score).scalar_subquery().label("first_score"),
                select(first.c.answered_at).scalar_subquery().label("first_at"),
            )
        )
    ).one()
    found = None
    if context.every_days is not None:
        found = occurrence(
            starts_on=context.starts_on, every_days=context.every_days, day=local_date
        )
    inserted = (
        await session.execute(
            dialect_insert(session, measure_response_table)
            .values(
                id=data.id,
                patient_id=patient_id,
                measure=measure,
                questionnaire_id=version.id,
                answers=data.answers,
                score=scored.score,
                band=scored.band,
                answered_at=data.answered_at,
                local_date=local_date,
                due_on=found.due_on if found else None,
                late=is_late(found, local_date) if found else False,
                body_hash=body_hash,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(*RESPONSE_COLUMNS)
        )
    ).first()
    if inserted is None:
        await session.commit()
        stored = await _replay(session, retry)
        await session.commit()
        if stored is None:  # inserted and deleted between our two statements (account erased)
            raise _id_conflict()
        return stored, False
    alert = None
    if scored.alerts:
        alert = _NewAlert(id=uuid.uuid4())
        alert_rows = [
            {
                "id": alert.id if n == 0 else uuid.uuid4(),
                "patient_id": patient_id,
                "response_id": data.id,
                "measure": measure,
                "rule": fired.rule,
                "item_id": fired.item,
                "answer": fired.answer,
                "created_at": now,
            }
            for n, fired in enumerate(scored.alerts)
        ]
        await session.execute(insert(risk_alert_table), alert_rows)
    await session.commit()
    earliest = context.first_score
    if context.first_at is not None and context.first_at > data.answered_at:
        earliest = None  # this answer (sent late from the phone) is the first one
    saved = MeasureResponseSaved(
        **response_fields(inserted, version=version, first=earliest, alert=alert),
        support=support(resources, locale=locale) if alert is not None else None,
    )
    return saved, True
