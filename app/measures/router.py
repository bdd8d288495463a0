"""Symptom measures (schedules, responses, history) and risk alerts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from app.auth.deps import CurrentPatient, CurrentTherapist
from app.care.deps import LinkedPatient
from app.core.deps import Cursor, Limit, SessionDep, SettingsDep
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard
from app.instruments.profiles import MeasureKey
from app.measures import alerts, history, responses, schedules
from app.measures.deps import AckLimit, AlertReader, AlertTarget, MeasureReader, OnCallTherapist
from app.measures.schemas import (
    AcknowledgeWrite,
    AlertFilter,
    EscalatedAlertList,
    MeasureDue,
    MeasureHistory,
    MeasureResponseCreate,
    MeasureResponseSaved,
    RiskAlertList,
    RiskAlertPublic,
    ScheduleList,
    ScheduleWrite,
)
from app.privacy.deps import audit_patient_reads

router = APIRouter(tags=["measures"])
StatusFilter = Annotated[
    AlertFilter, Query(alias="status", description="Which alerts (default: unacknowledged).")
]


@router.get(
    "/patients/{patient_id}/measure-schedule",
    response_model=ScheduleList,
    responses=error_responses(401, 403, 404),
)
async def read_schedule(patient: LinkedPatient, session: SessionDep) -> ScheduleList:
    """Which measures are due for the patient, and how often (none by default)."""
    return await schedules.read_for_therapist(session, scope=patient)


@router.put(
    "/patients/{patient_id}/measure-schedule",
    response_model=ScheduleList,
    responses=error_responses(401, 403, 404),
)
async def replace_schedule(
    body: ScheduleWrite, patient: LinkedPatient, session: SessionDep
) -> ScheduleList:
    """Set the whole schedule: each measure every N days (7-56) from a date; others stop."""
    return await schedules.replace_schedule(session, scope=patient, data=body)


@router.get(
    "/me/measures/due",
    response_model=ListResponse[MeasureDue],
    responses=error_responses(401, 403),
)
async def my_due_measures(patient: CurrentPatient, session: SessionDep) -> ListResponse[MeasureDue]:
    """My scheduled measures whose current occurrence I have not answered yet."""
    items = await schedules.due_for_patient(
        session, patient_id=patient.id, timezone=patient.timezone
    )
    return ListResponse(data=items, count=len(items))


@router.post(
    "/me/measures/{measure}/responses",
    status_code=status.HTTP_201_CREATED,
    response_model=MeasureResponseSaved,
    responses={
        200: {"model": MeasureResponseSaved, "description": "A retry of a stored response"},
        **error_responses(401, 403, 409, 503),
    },
)
async def answer_measure(
    measure: MeasureKey,
    body: Annotated[MeasureResponseCreate, Body()],
    patient: CurrentPatient,
    _key: IdempotencyGuard,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> MeasureResponseSaved:
    """Answer a measure (offline-safe: the same id and body again answers 200 with the stored
    response). An answer that opens a risk alert carries `support`: crisis numbers to call."""
    saved, created = await responses.record_response(
        session,
        patient_id=patient.id,
        timezone=patient.timezone,
        locale=patient.locale,
        measure=measure,
        data=body,
        resources=settings.crisis_resources,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return saved


@router.get(
    "/me/measures/{measure}/responses",
    response_model=MeasureHistory,
    responses=error_responses(401, 403),
)
async def my_history(
    measure: MeasureKey,
    patient: CurrentPatient,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> MeasureHistory:
    """My responses, newest first, each with its change from my first; the trend over all."""
    return await history.history(
        session, patient_id=patient.id, measure=measure, limit=limit, cursor=cursor
    )


@router.get(
    "/patients/{patient_id}/measures/{measure}/responses",
    response_model=MeasureHistory,
    responses=error_responses(401, 403, 404),
)
async def patient_history(
    measure: MeasureKey,
    patient: MeasureReader,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> MeasureHistory:
    """A linked patient's responses to one measure, newest first, with the trend."""
    return await history.history_for_therapist(
        session, scope=patient, measure=measure, limit=limit, cursor=cursor
    )


@router.get(
    "/patients/{patient_id}/risk-alerts",
    response_model=RiskAlertList,
    responses=error_responses(401, 403, 404),
)
async def patient_alerts(
    patient: AlertReader,
    session: SessionDep,
    ack_limit: AckLimit,
    which: StatusFilter = "all",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RiskAlertList:
    """A patient's risk alerts, newest first; never deleted. On call (no care link) only the
    escalated ones are shown, and the read is logged as `risk_escalation`. A risk alert is a
    screening signal that needs a clinician, not a diagnosis."""
    return await alerts.patient_alerts(
        session, scope=patient, which=which, limit=limit, cursor=cursor, ack_limit=ack_limit
    )


@router.get(
    "/risk-alerts",
    dependencies=[audit_patient_reads(kind="risk-alerts")],
    response_model=RiskAlertList,
    responses=error_responses(401, 403),
)
async def caseload_alerts(
    therapist: CurrentTherapist,
    session: SessionDep,
    ack_limit: AckLimit,
    which: StatusFilter = "unacknowledged",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RiskAlertList:
    """Risk alerts of my patients, newest first (unacknowledged by default)."""
    return await alerts.caseload_alerts(
        session,
        therapist_id=therapist.id,
        which=which,
        limit=limit,
        cursor=cursor,
        ack_limit=ack_limit,
    )


@router.get(
    "/risk-alerts/on-call",
    dependencies=[audit_patient_reads(kind="risk-alerts", reason="risk_escalation")],
    response_model=EscalatedAlertList,
    responses=error_responses(401, 403),
)
async def escalated_alerts(
    _therapist: OnCallTherapist,
    session: SessionDep,
    ack_limit: AckLimit,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> EscalatedAlertList:
    """For therapists on call: every alert of the clinic nobody acknowledged in time, longest
    waiting first, whoever treats the patient (403 `not_on_call` for others)."""
    return await alerts.escalated(session, limit=limit, cursor=cursor, ack_limit=ack_limit)


@router.post(
    "/risk-alerts/{alert_id}/acknowledge",
    response_model=RiskAlertPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def acknowledge_alert(
    body: AcknowledgeWrite,
    scope: AlertTarget,
    _key: IdempotencyGuard,
    session: SessionDep,
    ack_limit: AckLimit,
    alert_id: uuid.UUID,
) -> RiskAlertPublic:
    """Acknowledge an alert with the action taken (once; it is never deleted). The patient sees
    that it was acknowledged, never the note."""
    return await alerts.acknowledge(
        session, scope=scope, alert_id=alert_id, data=body, ack_limit=ack_limit
    )
