"""/v1/me/communication-plan and the therapist's read and suggestions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.auth.deps import CurrentPatient
from app.core.deps import SessionDep
from app.core.schemas import error_responses
from app.idempotency.deps import IdempotencyGuard
from app.workfocus import communication
from app.workfocus.deps import TherapyWriter, WorkSideReader
from app.workfocus.plan_schemas import (
    CommunicationPlanPublic,
    CommunicationPlanWrite,
    SuggestionPublic,
    SuggestionWrite,
)

router = APIRouter(tags=["work-focused therapy"])


@router.get(
    "/me/communication-plan",
    response_model=CommunicationPlanPublic,
    responses=error_responses(401, 403),
)
async def my_plan(patient: CurrentPatient, session: SessionDep) -> CommunicationPlanPublic:
    """My communication plan: what I will tell whom at work, and my therapist's suggestions."""
    return await communication.read_plan(session, patient_id=patient.id)


@router.put(
    "/me/communication-plan",
    response_model=CommunicationPlanPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def save_my_plan(
    body: CommunicationPlanWrite, patient: CurrentPatient, session: SessionDep
) -> CommunicationPlanPublic:
    """Save the whole plan as a new version (history kept); a stale `version` answers 409.
    Nothing is sent to anyone: the plan records what I decided."""
    return await communication.save_plan(session, patient_id=patient.id, data=body)


@router.post(
    "/me/communication-plan/suggestions/{suggestion_id}/accept",
    response_model=CommunicationPlanPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def accept_suggestion(
    suggestion_id: uuid.UUID, patient: CurrentPatient, session: SessionDep
) -> CommunicationPlanPublic:
    """Take a suggestion into my plan as a draft entry (a new version), to word myself."""
    return await communication.decide(
        session, patient_id=patient.id, suggestion_id=suggestion_id, accept=True
    )


@router.post(
    "/me/communication-plan/suggestions/{suggestion_id}/dismiss",
    response_model=CommunicationPlanPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def dismiss_suggestion(
    suggestion_id: uuid.UUID, patient: CurrentPatient, session: SessionDep
) -> CommunicationPlanPublic:
    """Dismiss a suggestion; my plan stays as it is."""
    return await communication.decide(
        session, patient_id=patient.id, suggestion_id=suggestion_id, accept=False
    )


@router.get(
    "/patients/{patient_id}/communication-plan",
    response_model=CommunicationPlanPublic,
    responses=error_responses(401, 403, 404),
)
async def patient_plan(patient: WorkSideReader, session: SessionDep) -> CommunicationPlanPublic:
    """A linked patient's communication plan, read only, with the suggestions made to it (a
    job counsellor: only while the patient shares it, without the suggestions)."""
    return await communication.read_for_therapist(session, scope=patient)


@router.post(
    "/patients/{patient_id}/communication-plan/suggestions",
    status_code=status.HTTP_201_CREATED,
    response_model=SuggestionPublic,
    responses=error_responses(401, 403, 404),
)
async def suggest(
    body: SuggestionWrite, patient: TherapyWriter, _key: IdempotencyGuard, session: SessionDep
) -> SuggestionPublic:
    """Suggest something for the plan; the patient accepts or dismisses it."""
    return await communication.suggest(session, scope=patient, data=body)
