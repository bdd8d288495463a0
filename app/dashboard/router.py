"""GET /v1/me/today, GET /v1/patients (the worklist) and GET /v1/patients/{patient_id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.deps import CurrentPatient, CurrentTherapist
from app.boosters.rule_service import default_params
from app.care.deps import LinkedPatient
from app.core.deps import Cursor, Limit, SessionDep, SettingsDep
from app.core.schemas import ListResponse, error_responses
from app.dashboard import service, today
from app.dashboard.schemas import Flag, PatientDetail, PatientSummary, TodayPublic, WorklistSort
from app.measures.deps import AckLimit
from app.privacy.deps import audit_patient_reads

router = APIRouter(tags=["dashboard"])
FlagFilter = Annotated[Flag | None, Query(description="Only patients raising this flag.")]


@router.get("/me/today", response_model=TodayPublic, responses=error_responses(401, 403))
async def my_today(patient: CurrentPatient, session: SessionDep) -> TodayPublic:
    """Everything due today: check-in, homework, worry time, diary, follow-ups, boosters."""
    return await today.today(session, patient_id=patient.id, timezone=patient.timezone)


@router.get(
    "/patients",
    # The worklist reads many patients' data: one access-log row per patient on the page, and
    # with a flag filter one per linked patient (the filter looked at every one of them).
    dependencies=[audit_patient_reads(kind="worklist", filters=("flag",))],
    response_model=ListResponse[PatientSummary],
    responses=error_responses(401, 403, 422),
)
async def worklist(
    therapist: CurrentTherapist,
    session: SessionDep,
    settings: SettingsDep,
    risk_ack: AckLimit,
    sort: WorklistSort = "flags",
    flag: FlagFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ListResponse[PatientSummary]:
    """The caller's patients, one summary row each; by default the most urgent flag first
    (then the next most urgent, then by name)."""
    rows, next_cursor = await service.worklist(
        session,
        therapist_id=therapist.id,
        sort=sort,
        flag=flag,
        limit=limit,
        cursor=cursor,
        rule_defaults=default_params(settings),
        risk_ack=risk_ack,
    )
    return ListResponse(data=rows, count=len(rows), next_cursor=next_cursor)


@router.get(
    "/patients/{patient_id}",
    response_model=PatientDetail,
    responses=error_responses(401, 403, 404),
)
async def read_patient(
    patient: LinkedPatient, session: SessionDep, settings: SettingsDep, risk_ack: AckLimit
) -> PatientDetail:
    """One of the caller's patients: profile and the worklist summary."""
    return await service.patient_detail(
        session, scope=patient, rule_defaults=default_params(settings), risk_ack=risk_ack
    )
