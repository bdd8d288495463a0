"""/v1/me/rtw-plan, /v1/me/work-diary, /v1/me/work-summary and the therapist's twins."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

import app.core.paths  # noqa: F401  (registers the isodate path convertor)
from app.auth.deps import CurrentPatient
from app.care.deps import LinkedPatient, WorkSidePatient
from app.core.deps import Cursor, Limit, SessionDep
from app.core.schemas import IsoDate, ListResponse, error_responses
from app.work import service
from app.work.schemas import DiaryIn, DiaryPublic, PlanIn, PlanPublic, WorkSummary
from app.work.summary import DEFAULT_WEEKS, MAX_WEEKS, SummaryBy

router = APIRouter(tags=["work"])

DateFrom = Annotated[IsoDate | None, Query(alias="from", description="first local date")]
DateTo = Annotated[IsoDate | None, Query(alias="to", description="last local date (default today)")]
Weeks = Annotated[
    int, Query(ge=1, le=MAX_WEEKS, description="by=week: ISO weeks up to the current one")
]
By = Annotated[SummaryBy, Query(description="week (ISO weeks) or period (sick-leave periods)")]


@router.get("/me/rtw-plan", response_model=PlanPublic, responses=error_responses(401, 403))
async def read_my_plan(patient: CurrentPatient, session: SessionDep) -> PlanPublic:
    """My current return-to-work plan (version 0 and no stages when none is saved yet)."""
    return await service.get_plan(session, patient_id=patient.id, timezone=patient.timezone)


@router.put("/me/rtw-plan", response_model=PlanPublic, responses=error_responses(401, 403, 409))
async def save_my_plan(body: PlanIn, patient: CurrentPatient, session: SessionDep) -> PlanPublic:
    """Save a new version of my plan; the previous version is kept."""
    return await service.save_plan(
        session, patient_id=patient.id, data=body, changed_by=patient.id, changed_by_role="patient"
    )


@router.get(
    "/patients/{patient_id}/rtw-plan",
    response_model=PlanPublic,
    responses=error_responses(401, 403, 404),
)
async def read_patient_plan(patient: WorkSidePatient, session: SessionDep) -> PlanPublic:
    """A linked patient's current plan (therapist, or the job counsellor the patient accepted)."""
    return await service.read_plan(session, scope=patient)


@router.put(
    "/patients/{patient_id}/rtw-plan",
    response_model=PlanPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def save_patient_plan(
    body: PlanIn, patient: LinkedPatient, session: SessionDep
) -> PlanPublic:
    """Save a new version of a linked patient's plan, edited together with them."""
    return await service.save_plan(
        session,
        patient_id=patient.patient_id,
        data=body,
        changed_by=patient.therapist_id,
        changed_by_role="therapist",
    )


@router.put(
    "/me/work-diary/{local_date:isodate}",
    status_code=status.HTTP_200_OK,
    response_model=DiaryPublic,
    # 404: the path is not a YYYY-MM-DD date
    responses={
        201: {"model": DiaryPublic, "description": "Created"},
        **error_responses(401, 403, 404),
    },
)
async def put_diary_entry(
    local_date: date,
    body: DiaryIn,
    patient: CurrentPatient,
    session: SessionDep,
    response: Response,
) -> DiaryPublic:
    """Write the day's hours: 201 when new, 200 when it replaced the day's entry."""
    entry, created = await service.put_entry(
        session, patient_id=patient.id, timezone=patient.timezone, local_date=local_date, data=body
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return entry


@router.get(
    "/me/work-diary",
    response_model=ListResponse[DiaryPublic],
    responses=error_responses(401, 403),
)
async def list_my_diary(
    patient: CurrentPatient,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> ListResponse[DiaryPublic]:
    """My diary between two local dates (default the last 28 days), oldest first."""
    items, next_cursor = await service.list_entries(
        session,
        patient_id=patient.id,
        timezone=patient.timezone,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


@router.get(
    "/patients/{patient_id}/work-diary",
    response_model=ListResponse[DiaryPublic],
    responses=error_responses(401, 403, 404),
)
async def list_patient_diary(
    patient: WorkSidePatient,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> ListResponse[DiaryPublic]:
    """A linked patient's diary between two of their local dates, oldest first (therapist, or
    the job counsellor the patient accepted)."""
    items, next_cursor = await service.list_entries_for_therapist(
        session, scope=patient, date_from=date_from, date_to=date_to, limit=limit, cursor=cursor
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


_SUMMARY = """Planned and actual work grade, oldest first: per ISO week (`by=week`, the default,
the last `weeks` weeks up to the current one) or per sick-leave period (`by=period`: every plan
stage above 0 % that has begun).

The actual grade is the welfare office's (NAV's) rule: round(hours_worked / (agreed_weekly_hours
/ 5 x working_days) x 100), a whole percent, not capped. `working_days` are the Monday-Friday
sick-leave dates of the period up to today (today only once it has an entry; not after work was
fully resumed) minus vacation and leave days; public holidays are not subtracted; weekend hours
count. A weekday without a diary entry counts as a working day with 0 h: `complete` is false
and `missing_days` names it. `planned_grade` is the mean of (100 - sick-leave percent) over the
same working days; `above_plan` is actual > planned.

Per period, `hours_worked` and `actual_grade` are exactly the two numbers the sick-pay
application asks for ("how many hours did you work in total in the period" and the work grade).
"""


@router.get(
    "/me/work-summary",
    response_model=WorkSummary,
    responses=error_responses(401, 403),
    description=_SUMMARY,
)
async def my_work_summary(
    patient: CurrentPatient, session: SessionDep, by: By = "week", weeks: Weeks = DEFAULT_WEEKS
) -> WorkSummary:
    """My work grade per ISO week or per sick-leave period."""
    return await service.work_summary(
        session, patient_id=patient.id, timezone=patient.timezone, by=by, weeks=weeks
    )


@router.get(
    "/patients/{patient_id}/work-summary",
    response_model=WorkSummary,
    responses=error_responses(401, 403, 404),
    description=_SUMMARY,
)
async def patient_work_summary(
    patient: WorkSidePatient, session: SessionDep, by: By = "week", weeks: Weeks = DEFAULT_WEEKS
) -> WorkSummary:
    """A linked patient's work grade per ISO week or per sick-leave period (therapist, or the
    job counsellor the patient accepted)."""
    return await service.work_summary_for_therapist(session, scope=patient, by=by, weeks=weeks)
