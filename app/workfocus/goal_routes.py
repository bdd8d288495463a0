"""/v1/me/goals and the therapist's twins under /v1/patients/{patient_id}."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Response, status

from app.auth.deps import CurrentPatient
from app.core.deps import SessionDep
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard
from app.workfocus import goals
from app.workfocus.deps import WorkSideReader, WorkSideWriter
from app.workfocus.goal_schemas import (
    GoalCreate,
    GoalPublic,
    GoalUpdate,
)

router = APIRouter(tags=["work-focused therapy"])
_CREATED = {
    200: {"model": GoalPublic, "description": "A retry of a stored goal"},
    **error_responses(401, 403, 404, 409),
}


@router.post(
    "/me/goals",
    status_code=status.HTTP_201_CREATED,
    response_model=GoalPublic,
    responses=_CREATED,
)
async def create_my_goal(
    body: Annotated[GoalCreate, Body()],
    patient: CurrentPatient,
    _key: IdempotencyGuard,
    session: SessionDep,
    response: Response,
) -> GoalPublic:
    """Set a work goal with its steps (a step may be practice at work)."""
    saved, created = await goals.create(
        session, patient_id=patient.id, author_id=patient.id, author_role="patient", data=body
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return saved


@router.get(
    "/me/goals",
    response_model=ListResponse[GoalPublic],
    responses=error_responses(401, 403),
)
async def my_goals(patient: CurrentPatient, session: SessionDep) -> ListResponse[GoalPublic]:
    """My work goals, oldest first, with their steps."""
    items = await goals.list_goals(session, patient_id=patient.id)
    return ListResponse(data=items, count=len(items))


@router.patch(
    "/me/goals/{goal_id}",
    response_model=GoalPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def change_my_goal(
    goal_id: uuid.UUID, body: GoalUpdate, patient: CurrentPatient, session: SessionDep
) -> GoalPublic:
    """Change a goal or its steps (the list is replaced), mark it reached or dropped, or accept
    a goal my therapist proposed (`status: active`)."""
    return await goals.change(
        session, patient_id=patient.id, goal_id=goal_id, data=body, by_therapist=False
    )


@router.post(
    "/patients/{patient_id}/goals",
    status_code=status.HTTP_201_CREATED,
    response_model=GoalPublic,
    responses=_CREATED,
)
async def create_patient_goal(
    body: Annotated[GoalCreate, Body()],
    patient: WorkSideWriter,
    _key: IdempotencyGuard,
    session: SessionDep,
    response: Response,
) -> GoalPublic:
    """Propose a goal to a linked patient; it is `proposed` until the patient accepts it."""
    saved, created = await goals.create(
        session,
        patient_id=patient.patient_id,
        author_id=patient.therapist_id,
        author_role="therapist",
        data=body,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return saved


@router.get(
    "/patients/{patient_id}/goals",
    response_model=ListResponse[GoalPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_goals(patient: WorkSideReader, session: SessionDep) -> ListResponse[GoalPublic]:
    """A linked patient's work goals."""
    items = await goals.list_for_staff(session, scope=patient)
    return ListResponse(data=items, count=len(items))


@router.patch(
    "/patients/{patient_id}/goals/{goal_id}",
    response_model=GoalPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def change_patient_goal(
    goal_id: uuid.UUID, body: GoalUpdate, patient: WorkSideWriter, session: SessionDep
) -> GoalPublic:
    """Change a linked patient's goal (a proposed one is accepted only by the patient)."""
    return await goals.change(
        session, patient_id=patient.patient_id, goal_id=goal_id, data=body, by_therapist=True
    )
