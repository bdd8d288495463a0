"""Who may read or act on risk alerts (decided in `care.access`), checked and logged.

`AlertReader` is the risk-alert twin of `LinkedPatient`: the patient in the path by care link,
or, for an on-call therapist, through an escalated alert; `AlertTarget` does the same for the
alert in the path. Both log the read with its reason (`care_link` or `risk_escalation`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from app.auth.deps import CurrentTherapist, Principal
from app.care.access import (
    PatientScope,
    ensure_alert_access,
    ensure_alert_reader,
    ensure_linked,
    ensure_on_call,
)
from app.core.deps import SessionDep, SettingsDep
from app.core.time import utcnow
from app.instruments.profiles import MeasureKey
from app.privacy.audit import note_access

ALERT_KIND = "risk-alerts"


async def _ack_limit(settings: SettingsDep) -> timedelta:
    return timedelta(hours=settings.risk_ack_hours)


# How long an alert may stay unacknowledged before it is overdue (MESTRING_RISK_ACK_HOURS).
AckLimit = Annotated[timedelta, Depends(_ack_limit)]


async def _alert_reader(
    patient_id: uuid.UUID,
    therapist: CurrentTherapist,
    session: SessionDep,
    limit: AckLimit,
    request: Request,
) -> PatientScope:
    scope = await ensure_alert_reader(
        session, therapist_id=therapist.id, patient_id=patient_id, overdue_before=utcnow() - limit
    )
    note_access(
        request,
        session=session,
        patient_ids=[patient_id],
        reader_id=therapist.id,
        reader_role=therapist.role,
        reader_name=therapist.display_name,
        kind=ALERT_KIND,
        reason=scope.reason,
    )
    return scope


AlertReader = Annotated[PatientScope, Depends(_alert_reader)]


async def _alert_target(
    alert_id: uuid.UUID,
    therapist: CurrentTherapist,
    session: SessionDep,
    limit: AckLimit,
    request: Request,
) -> PatientScope:
    scope = await ensure_alert_access(
        session, therapist_id=therapist.id, alert_id=alert_id, overdue_before=utcnow() - limit
    )
    note_access(
        request,
        session=session,
        patient_ids=[scope.patient_id],
        reader_id=therapist.id,
        reader_role=therapist.role,
        reader_name=therapist.display_name,
        kind=ALERT_KIND,
        reason=scope.reason,
    )
    return scope


AlertTarget = Annotated[PatientScope, Depends(_alert_target)]


async def _on_call(therapist: CurrentTherapist, session: SessionDep) -> Principal:
    await ensure_on_call(session, therapist_id=therapist.id)
    return therapist


OnCallTherapist = Annotated[Principal, Depends(_on_call)]


async def _measure_reader(
    patient_id: uuid.UUID,
    measure: MeasureKey,
    therapist: CurrentTherapist,
    session: SessionDep,
    request: Request,
) -> PatientScope:
    scope = await ensure_linked(session, therapist_id=therapist.id, patient_id=patient_id)
    note_access(
        request,
        session=session,
        patient_ids=[patient_id],
        reader_id=therapist.id,
        reader_role=therapist.role,
        reader_name=therapist.display_name,
        kind=f"measures/{measure}/responses",
    )
    return scope


# `LinkedPatient` for a measure's history, logged under the measure's name.
MeasureReader = Annotated[PatientScope, Depends(_measure_reader)]
