"""/v1/questionnaires/rtw-se, /v1/me/checkins and /v1/patients/{patient_id}/checkins."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

import app.core.paths  # noqa: F401  (registers the isodate path convertor)
from app.auth.deps import CurrentPatient, CurrentUser
from app.boosters.rule_service import default_params
from app.care.deps import LinkedPatient
from app.checkins import questionnaire, service, summary
from app.checkins.schemas import (
    CheckinPublic,
    CheckinSaved,
    CheckinSummary,
    CheckinWrite,
    QuestionnairePublic,
)
from app.core.deps import SessionDep, SettingsDep
from app.core.schemas import IsoDate, ListResponse, error_responses

router = APIRouter(tags=["checkins"])
From = Annotated[IsoDate | None, Query(alias="from", description="First local date (inclusive).")]
To = Annotated[IsoDate | None, Query(alias="to", description="Last local date (inclusive).")]


@router.get(
    "/questionnaires/rtw-se",
    response_model=QuestionnairePublic,
    responses=error_responses(401, 503),
)
async def read_questionnaire(user: CurrentUser, session: SessionDep) -> QuestionnairePublic:
    """The current RTW self-efficacy questionnaire in the caller's locale."""
    return await questionnaire.read_current(session, locale=user.locale)


@router.put(
    "/me/checkins/{local_date:isodate}",
    response_model=CheckinSaved,
    responses={
        201: {"model": CheckinSaved, "description": "A new check-in for the date"},
        **error_responses(401, 403, 404, 503),  # 404: the path is not a YYYY-MM-DD date
    },
)
async def put_checkin(
    local_date: date,
    body: CheckinWrite,
    patient: CurrentPatient,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> CheckinSaved:
    """Write the day's check-in: 201 when new, 200 when it replaced that date's earlier one."""
    saved = await service.write_checkin(
        session,
        patient_id=patient.id,
        timezone=patient.timezone,
        local_date=local_date,
        data=body,
        rule_defaults=default_params(settings),
    )
    response.status_code = status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK
    return saved


@router.get(
    "/me/checkins",
    response_model=ListResponse[CheckinPublic],
    responses=error_responses(401, 403),
)
async def list_my_checkins(
    patient: CurrentPatient, session: SessionDep, start: From = None, end: To = None
) -> ListResponse[CheckinPublic]:
    """The caller's check-ins from..to (default: the last 28 days), oldest first."""
    items = await service.list_own(
        session, patient_id=patient.id, timezone=patient.timezone, start=start, end=end
    )
    return ListResponse(data=items, count=len(items))


@router.get(
    "/me/checkins/summary",
    response_model=CheckinSummary,
    responses=error_responses(401, 403),
)
async def my_summary(patient: CurrentPatient, session: SessionDep) -> CheckinSummary:
    """7- and 28-day means, baseline, change, band and streak."""
    return await summary.summary(session, patient_id=patient.id, timezone=patient.timezone)


@router.get(
    "/patients/{patient_id}/checkins",
    response_model=ListResponse[CheckinPublic],
    responses=error_responses(401, 403, 404),
)
async def list_patient_checkins(
    patient: LinkedPatient, session: SessionDep, start: From = None, end: To = None
) -> ListResponse[CheckinPublic]:
    """A linked patient's check-ins from..to (default: their last 28 days)."""
    items = await service.list_for_therapist(session, scope=patient, start=start, end=end)
    return ListResponse(data=items, count=len(items))


@router.get(
    "/patients/{patient_id}/checkins/summary",
    response_model=CheckinSummary,
    responses=error_responses(401, 403, 404),
)
async def patient_summary(patient: LinkedPatient, session: SessionDep) -> CheckinSummary:
    """A linked patient's check-in summary."""
    return await summary.summary_for_therapist(session, scope=patient)
