"""/v1/exercises, assignments, exercise logs and adherence."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Query, Response, status

from app.auth.deps import CurrentPatient, CurrentTherapist, CurrentUser
from app.care.deps import LinkedPatient
from app.core.deps import Cursor, Limit, SessionDep
from app.core.location import LOCATION
from app.core.schemas import IsoDate, ListResponse, error_responses
from app.exercises import adherence_service, logs, service
from app.exercises.catalogue import catalogue, resolve_locale
from app.exercises.kinds import ExerciseKind
from app.exercises.log_schemas import ExerciseLogCreate, ExerciseLogPublic
from app.exercises.schemas import (
    AdherencePublic,
    AssignmentCreate,
    AssignmentPublic,
    AssignmentUpdate,
    ExercisePublic,
    TodayAssignment,
)
from app.idempotency.deps import IdempotencyGuard
from app.privacy.deps import AuditPatientReads

router = APIRouter(tags=["exercises"])

DateFrom = Annotated[IsoDate | None, Query(alias="from", description="First local date.")]
DateTo = Annotated[IsoDate | None, Query(alias="to", description="Last local date (inclusive).")]
KindFilter = Annotated[ExerciseKind | None, Query()]
LocaleQuery = Annotated[Literal["nb", "en"] | None, Query(description="Overrides the account's.")]
AcceptLanguage = Annotated[str | None, Header(max_length=4000)]


@router.get(
    "/exercises", response_model=ListResponse[ExercisePublic], responses=error_responses(401)
)
async def list_exercises(
    user: CurrentUser, locale: LocaleQuery = None, accept_language: AcceptLanguage = None
) -> ListResponse[ExercisePublic]:
    """The exercise catalogue in `?locale=`, else the account's locale."""
    chosen = resolve_locale(explicit=locale, stored=user.locale, accept_language=accept_language)
    items = list(catalogue(chosen))
    return ListResponse(data=items, count=len(items))


@router.post(
    "/patients/{patient_id}/assignments",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={LOCATION: "/v1/assignments/{id}"},
    response_model=AssignmentPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def create_assignment(
    body: AssignmentCreate, patient: LinkedPatient, _key: IdempotencyGuard, session: SessionDep
) -> AssignmentPublic:
    """Prescribe an exercise with a dose to one of the caller's patients."""
    return await service.create_assignment(session, scope=patient, data=body)


@router.get(
    "/patients/{patient_id}/assignments",
    response_model=ListResponse[AssignmentPublic],
    responses=error_responses(401, 403, 404),
)
async def list_assignments(
    patient: LinkedPatient, session: SessionDep
) -> ListResponse[AssignmentPublic]:
    """Every assignment of the patient, with dose history."""
    items = await service.list_assignments(session, scope=patient)
    return ListResponse(data=items, count=len(items))


@router.patch(
    "/assignments/{assignment_id}",
    dependencies=[AuditPatientReads],
    response_model=AssignmentPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def update_assignment(
    assignment_id: uuid.UUID,
    body: AssignmentUpdate,
    therapist: CurrentTherapist,
    session: SessionDep,
) -> AssignmentPublic:
    """Pause, resume, end, change the dose or edit an assignment of a linked patient."""
    return await service.update_assignment(
        session, therapist_id=therapist.id, assignment_id=assignment_id, data=body
    )


@router.get(
    "/me/assignments",
    response_model=ListResponse[TodayAssignment],
    responses=error_responses(401, 403),
)
async def my_assignments(
    patient: CurrentPatient, session: SessionDep
) -> ListResponse[TodayAssignment]:
    """Assignments active today, with done/prescribed for today (or this ISO week)."""
    items = await adherence_service.today_assignments(
        session, patient_id=patient.id, timezone=patient.timezone
    )
    return ListResponse(data=items, count=len(items))


@router.post(
    "/me/exercise-logs",
    status_code=status.HTTP_201_CREATED,
    response_model=ExerciseLogPublic,
    responses={
        200: {"model": ExerciseLogPublic, "description": "A retry of a stored log"},
        **error_responses(401, 403, 404, 409),
    },
)
async def create_exercise_log(
    body: Annotated[ExerciseLogCreate, Body()],
    patient: CurrentPatient,
    _key: IdempotencyGuard,
    session: SessionDep,
    response: Response,
) -> ExerciseLogPublic:
    """Record one practice; a retry with the same id and body answers 200 with the stored log."""
    stored, created = await logs.record_log(
        session, patient_id=patient.id, timezone=patient.timezone, data=body
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return stored


@router.get(
    "/me/exercise-logs",
    response_model=ListResponse[ExerciseLogPublic],
    responses=error_responses(401, 403),
)
async def my_exercise_logs(
    patient: CurrentPatient,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    kind: KindFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ListResponse[ExerciseLogPublic]:
    """The caller's exercise logs, newest first."""
    items, next_cursor = await logs.list_logs(
        session,
        patient_id=patient.id,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


@router.get(
    "/patients/{patient_id}/exercise-logs",
    response_model=ListResponse[ExerciseLogPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_exercise_logs(
    patient: LinkedPatient,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    kind: KindFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ListResponse[ExerciseLogPublic]:
    """A linked patient's exercise logs, newest first."""
    items, next_cursor = await logs.list_patient_logs(
        session,
        scope=patient,
        date_from=date_from,
        date_to=date_to,
        kind=kind,
        limit=limit,
        cursor=cursor,
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


@router.get(
    "/patients/{patient_id}/adherence",
    response_model=AdherencePublic,
    responses=error_responses(401, 403, 404),
)
async def patient_adherence(
    patient: LinkedPatient, session: SessionDep, date_from: DateFrom = None, date_to: DateTo = None
) -> AdherencePublic:
    """Prescribed vs completed per assignment and ISO week; the window defaults to 28 days."""
    return await adherence_service.patient_adherence(
        session, scope=patient, date_from=date_from, date_to=date_to
    )
