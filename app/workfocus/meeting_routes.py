"""/v1/me/dialogue-meetings and the therapist's twins under /v1/patients/{patient_id}."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Response, status

from app.auth.deps import CurrentPatient
from app.core.deps import SessionDep
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard
from app.workfocus import meetings
from app.workfocus.deps import WorkSideReader, WorkSideWriter
from app.workfocus.meeting_schemas import (
    DialogueMeetingCreate,
    DialogueMeetingPublic,
    DialogueMeetingUpdate,
)

router = APIRouter(tags=["work-focused therapy"])
_CREATED = {
    200: {"model": DialogueMeetingPublic, "description": "A retry of a stored meeting"},
    **error_responses(401, 403, 404, 409),
}


@router.post(
    "/me/dialogue-meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=DialogueMeetingPublic,
    responses=_CREATED,
)
async def create_my_meeting(
    body: Annotated[DialogueMeetingCreate, Body()],
    patient: CurrentPatient,
    _key: IdempotencyGuard,
    session: SessionDep,
    response: Response,
) -> DialogueMeetingPublic:
    """Prepare a dialogue meeting: when, who takes part, and the agenda."""
    saved, created = await meetings.create(
        session, patient_id=patient.id, author_id=patient.id, author_role="patient", data=body
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return saved


@router.get(
    "/me/dialogue-meetings",
    response_model=ListResponse[DialogueMeetingPublic],
    responses=error_responses(401, 403),
)
async def my_meetings(
    patient: CurrentPatient, session: SessionDep
) -> ListResponse[DialogueMeetingPublic]:
    """My dialogue meetings by start time; a held one with a new stage carries the proposal."""
    items = await meetings.list_meetings(session, patient_id=patient.id, timezone=patient.timezone)
    return ListResponse(data=items, count=len(items))


@router.patch(
    "/me/dialogue-meetings/{meeting_id}",
    response_model=DialogueMeetingPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def change_my_meeting(
    meeting_id: uuid.UUID, body: DialogueMeetingUpdate, patient: CurrentPatient, session: SessionDep
) -> DialogueMeetingPublic:
    """Change the meeting, cancel it, or record its outcome (adjustments, tasks, the next status
    check, a new stage proposed to the RTW plan, which is saved only by PUT …/rtw-plan)."""
    return await meetings.change(session, patient_id=patient.id, meeting_id=meeting_id, data=body)


@router.post(
    "/patients/{patient_id}/dialogue-meetings",
    status_code=status.HTTP_201_CREATED,
    response_model=DialogueMeetingPublic,
    responses=_CREATED,
)
async def create_patient_meeting(
    body: Annotated[DialogueMeetingCreate, Body()],
    patient: WorkSideWriter,
    _key: IdempotencyGuard,
    session: SessionDep,
    response: Response,
) -> DialogueMeetingPublic:
    """Prepare a dialogue meeting for a linked patient."""
    saved, created = await meetings.create(
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
    "/patients/{patient_id}/dialogue-meetings",
    response_model=ListResponse[DialogueMeetingPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_meetings(
    patient: WorkSideReader, session: SessionDep
) -> ListResponse[DialogueMeetingPublic]:
    """A linked patient's dialogue meetings by start time."""
    items = await meetings.list_for_staff(session, scope=patient)
    return ListResponse(data=items, count=len(items))


@router.patch(
    "/patients/{patient_id}/dialogue-meetings/{meeting_id}",
    response_model=DialogueMeetingPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def change_patient_meeting(
    meeting_id: uuid.UUID, body: DialogueMeetingUpdate, patient: WorkSideWriter, session: SessionDep
) -> DialogueMeetingPublic:
    """Change a linked patient's meeting or record its outcome."""
    return await meetings.change(
        session, patient_id=patient.patient_id, meeting_id=meeting_id, data=body
    )
