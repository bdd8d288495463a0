"""Risk alerts for therapists: per patient, across the caseload, escalated ones for whoever is on
call, and the acknowledgement (once, with the action taken; the alert itself is never deleted).

"Overdue" is computed when read: unacknowledged and opened more than the deployment's limit
(`MESTRING_RISK_ACK_HOURS`) ago. Which alerts a therapist may see is decided in `care.access`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.care.access import (
    AccessReason,
    PatientScope,
    alert_not_found,
    escalated_alerts,
    linked_patient_ids,
)
from app.care.models import care_link_table
from app.core.errors import Conflict
from app.core.pagination import decode_keyset, encode_keyset, older_than
from app.core.time import utcnow
from app.measures.models import measure_response_table, risk_alert_table
from app.measures.schemas import (
    Acknowledgement,
    AcknowledgeWrite,
    AlertFilter,
    EscalatedAlertList,
    EscalatedAlertPublic,
    RiskAlertList,
    RiskAlertPublic,
)

_ra = risk_alert_table.c
_r = measure_response_table.c
_cl = care_link_table.c
_ackers = user_table.alias("acker")
_patients = user_table.alias("patient")
_therapists = user_table.alias("therapist")
_acker, _patient, _therapist = _ackers.c, _patients.c, _therapists.c


def _base() -> Select[Any]:
    return (
        select(
            _ra.id,
            _ra.patient_id,
            _ra.measure,
            _ra.rule,
            _ra.item_id,
            _ra.answer,
            _ra.response_id,
            _r.score,
            _r.band,
            _r.answered_at,
            _ra.created_at,
            _ra.acknowledged_at,
            _ra.acknowledged_by,
            _ra.action_taken,
            _ra.note,
            _acker.display_name.label("acker_name"),
        )
        .join_from(risk_alert_table, measure_response_table, _r.id == _ra.response_id)
        .outerjoin(_ackers, _acker.id == _ra.acknowledged_by)
    )


def _public(row: Any, *, limit: timedelta, now: datetime, access: AccessReason) -> dict[str, Any]:
    overdue_at = row.created_at + limit
    if row.acknowledged_at is not None:
        status = "acknowledged"
    else:
        status = "overdue" if overdue_at < now else "open"
    acknowledgement = None
    if row.acknowledged_at is not None:
        acknowledgement = Acknowledgement(
            at=row.acknowledged_at,
            by_id=row.acknowledged_by,
            by_name=row.acker_name,
            action_taken=row.action_taken,
            note=row.note,
        )
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "measure": row.measure,
        "rule": row.rule,
        "item_id": row.item_id,
        "answer": row.answer,
        "response_id": row.response_id,
        "score": row.score,
        "band": row.band,
        "answered_at": row.answered_at,
        "created_at": row.created_at,
        "overdue_at": overdue_at,
        "status": status,
        "access": access,
        "acknowledgement": acknowledgement,
    }


def _status_filter(which: AlertFilter) -> list[Any]:
    if which == "unacknowledged":
        return [_ra.acknowledged_at.is_(None)]
    if which == "acknowledged":
        return [_ra.acknowledged_at.is_not(None)]
    return []


async def _newest_first(
    session: AsyncSession,
    query: Select[Any],
    *,
    limit: int,
    cursor: str | None,
    ack_limit: timedelta,
    access: AccessReason,
) -> RiskAlertList:
    now = utcnow()
    if cursor:
        query = query.where(older_than(_ra.created_at, _ra.id, cursor))
    rows = (
        await session.execute(query.order_by(_ra.created_at.desc(), _ra.id.desc()).limit(limit + 1))
    ).all()
    data = [
        RiskAlertPublic(**_public(row, limit=ack_limit, now=now, access=access))
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_keyset(data[-1].created_at, data[-1].id)
    return RiskAlertList(data=data, count=len(data), next_cursor=next_cursor)


async def patient_alerts(
    session: AsyncSession,
    *,
    scope: PatientScope,
    which: AlertFilter,
    limit: int,
    cursor: str | None,
    ack_limit: timedelta,
) -> RiskAlertList:
    """One patient's alerts, newest first: all of them by care link, only the escalated ones
    (unacknowledged and overdue) for an on-call therapist."""
    query = _base().where(_ra.patient_id == scope.patient_id, *_status_filter(which))
    if scope.reason == "risk_escalation":
        query = query.where(escalated_alerts(utcnow() - ack_limit))
    return await _newest_first(
        session, query, limit=limit, cursor=cursor, ack_limit=ack_limit, access=scope.reason
    )


async def caseload_alerts(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    which: AlertFilter,
    limit: int,
    cursor: str | None,
    ack_limit: timedelta,
) -> RiskAlertList:
    """The alerts of the therapist's linked patients, newest first (unacknowledged by default)."""
    query = _base().where(
        _ra.patient_id.in_(linked_patient_ids(therapist_id)), *_status_filter(which)
    )
    return await _newest_first(
        session, query, limit=limit, cursor=cursor, ack_limit=ack_limit, access="care_link"
    )


async def escalated(
    session: AsyncSession, *, limit: int, cursor: str | None, ack_limit: timedelta
) -> EscalatedAlertList:
    """Every escalated alert of the clinic, the longest-waiting first (for on-call therapists),
    with the patient's name and the therapist who treats them."""
    now = utcnow()
    query = (
        _base()
        .add_columns(
            _patient.display_name.label("patient_name"),
            _cl.therapist_id,
            _therapist.display_name.label("therapist_name"),
        )
        .join(_patients, _patient.id == _ra.patient_id)
        .outerjoin(care_link_table, and_(_cl.patient_id == _ra.patient_id, _cl.ended_at.is_(None)))
        .outerjoin(_therapists, _therapist.id == _cl.therapist_id)
        .where(escalated_alerts(now - ack_limit))
    )
    if cursor:
        moment, row_id = decode_keyset(cursor)
        query = query.where(
            or_(_ra.created_at > moment, and_(_ra.created_at == moment, _ra.id > row_id))
        )
    rows = (await session.execute(query.order_by(_ra.created_at, _ra.id).limit(limit + 1))).all()
    data = [
        EscalatedAlertPublic(
            **_public(row, limit=ack_limit, now=now, access="risk_escalation"),
            patient_name=row.patient_name,
            therapist_id=row.therapist_id,
            therapist_name=row.therapist_name,
        )
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_keyset(data[-1].created_at, data[-1].id)
    return EscalatedAlertList(data=data, count=len(data), next_cursor=next_cursor)


async def acknowledge(
    session: AsyncSession,
    *,
    scope: PatientScope,
    alert_id: uuid.UUID,
    data: AcknowledgeWrite,
    ack_limit: timedelta,
) -> RiskAlertPublic:
    """Record who acknowledged the alert, when, and what they did; once only (409 after)."""
    now = utcnow()
    where = [_ra.id == alert_id, _ra.patient_id == scope.patient_id]
    if scope.reason == "risk_escalation":
        where.append(escalated_alerts(now - ack_limit))
    done = await session.execute(
        update(risk_alert_table)
        .where(*where, _ra.acknowledged_at.is_(None))
        .values(
            acknowledged_at=now,
            acknowledged_by=scope.therapist_id,
            action_taken=data.action_taken,
            note=data.note,
        )
        .returning(_ra.id)
    )
    acknowledged = done.first() is not None
    await session.commit()
    row = (await session.execute(_base().where(*where[:2]))).first()
    if row is None or (not acknowledged and scope.reason == "risk_escalation"):
        # On call, an alert someone else acknowledged meanwhile is no longer theirs to see.
        raise alert_not_found()
    if not acknowledged:
        raise Conflict(
            "This alert has already been acknowledged.", code="risk_alert_already_acknowledged"
        )
    return RiskAlertPublic(**_public(row, limit=ack_limit, now=now, access=scope.reason))
