"""/v1/me/booster-requests, /v1/booster-requests, booster-rule, rtw-completion, follow-ups."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.auth.deps import CurrentPatient, CurrentTherapist
from app.boosters import followup_answers, followups, queries, requests, rule_service, transitions
from app.boosters.schemas import (
    BoosterRequestCreate,
    BoosterRequestPublic,
    BoosterRequestUpdate,
    BoosterRuleParams,
    BoosterRulePublic,
    FollowUpAnswer,
    FollowUpAnswered,
    FollowUpContactAnswer,
    FollowUpPublic,
    RequestStatus,
    RtwCompletionPublic,
    RtwCompletionWrite,
)
from app.care.deps import LinkedPatient
from app.core.deps import Cursor, Limit, SessionDep, SettingsDep
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard
from app.privacy.deps import AuditPatientReads

router = APIRouter(tags=["boosters"])


@router.post(
    "/me/booster-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=BoosterRequestPublic,
    responses=error_responses(401, 403, 409, 429),
)
async def create_request(
    body: BoosterRequestCreate, patient: CurrentPatient, _key: IdempotencyGuard, session: SessionDep
) -> BoosterRequestPublic:
    """Ask for a booster session (409 while one is open, 429 after 3 in a day)."""
    return await requests.create_patient_request(
        session, patient_id=patient.id, timezone=patient.timezone, data=body
    )


@router.get(
    "/me/booster-requests",
    response_model=ListResponse[BoosterRequestPublic],
    responses=error_responses(401, 403),
)
async def list_my_requests(
    patient: CurrentPatient,
    session: SessionDep,
    status: RequestStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ListResponse[BoosterRequestPublic]:
    """The caller's requests, newest first."""
    items, next_cursor = await queries.list_patient_requests(
        session, patient_id=patient.id, status=status, limit=limit, cursor=cursor
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


@router.post(
    "/me/booster-requests/{request_id}/cancel",
    response_model=BoosterRequestPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def cancel_my_request(
    request_id: uuid.UUID, patient: CurrentPatient, session: SessionDep
) -> BoosterRequestPublic:
    """Withdraw an open or scheduled request."""
    return await transitions.cancel_patient_request(
        session, patient_id=patient.id, request_id=request_id
    )


@router.get(
    "/booster-requests",
    dependencies=[AuditPatientReads],
    response_model=ListResponse[BoosterRequestPublic],
    responses=error_responses(401, 403),
)
async def list_requests(
    therapist: CurrentTherapist,
    session: SessionDep,
    status: RequestStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ListResponse[BoosterRequestPublic]:
    """Requests of the caller's linked patients, newest first; filter by status."""
    items, next_cursor = await queries.list_therapist_requests(
        session, therapist_id=therapist.id, status=status, limit=limit, cursor=cursor
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


@router.patch(
    "/booster-requests/{request_id}",
    dependencies=[AuditPatientReads],
    response_model=BoosterRequestPublic,
    responses=error_responses(401, 403, 404, 409),
)
async def update_request(
    request_id: uuid.UUID,
    body: BoosterRequestUpdate,
    therapist: CurrentTherapist,
    session: SessionDep,
) -> BoosterRequestPublic:
    """Schedule, decline (with a response), complete or cancel a request."""
    return await transitions.update_request(
        session, therapist_id=therapist.id, request_id=request_id, data=body
    )


@router.get(
    "/patients/{patient_id}/booster-rule",
    response_model=BoosterRulePublic,
    responses=error_responses(401, 403, 404),
)
async def read_rule(
    patient: LinkedPatient, session: SessionDep, settings: SettingsDep
) -> BoosterRulePublic:
    """The booster-rule parameters in force for this patient."""
    return await rule_service.read_rule(
        session, scope=patient, defaults=rule_service.default_params(settings)
    )


@router.put(
    "/patients/{patient_id}/booster-rule",
    response_model=BoosterRulePublic,
    responses=error_responses(401, 403, 404),
)
async def write_rule(
    body: BoosterRuleParams, patient: LinkedPatient, session: SessionDep
) -> BoosterRulePublic:
    """Override the booster-rule parameters for this patient."""
    return await rule_service.write_rule(session, scope=patient, data=body)


@router.get(
    "/patients/{patient_id}/rtw-completion",
    response_model=RtwCompletionPublic,
    responses=error_responses(401, 403, 404),
)
async def read_rtw_completion(patient: LinkedPatient, session: SessionDep) -> RtwCompletionPublic:
    """The patient's recorded full return to work and their follow-ups."""
    return await followups.read_rtw_completion(session, scope=patient)


@router.put(
    "/patients/{patient_id}/rtw-completion",
    response_model=RtwCompletionPublic,
    responses=error_responses(401, 403, 404, 422),
)
async def write_rtw_completion(
    body: RtwCompletionWrite, patient: LinkedPatient, session: SessionDep
) -> RtwCompletionPublic:
    """Record (or clear, with null) the actual full return to work (today or earlier); the
    follow-ups fall due 3 and 6 months after it. Without a record they count from the start
    of the plan's final 0 % stage once it has begun."""
    return await followups.set_rtw_completion(session, scope=patient, data=body)


@router.get(
    "/me/follow-ups",
    response_model=ListResponse[FollowUpPublic],
    responses=error_responses(401, 403),
)
async def list_my_follow_ups(
    patient: CurrentPatient, session: SessionDep, upcoming: bool = False
) -> ListResponse[FollowUpPublic]:
    """Unanswered follow-ups that are due (with `upcoming=true`, also those not yet due)."""
    items = await followup_answers.list_own(
        session, patient_id=patient.id, timezone=patient.timezone, upcoming=upcoming
    )
    return ListResponse(data=items, count=len(items))


@router.post(
    "/me/follow-ups/{follow_up_id}/answer",
    response_model=FollowUpAnswered,
    responses=error_responses(401, 403, 404, 409),
)
async def answer_follow_up(
    follow_up_id: uuid.UUID, body: FollowUpAnswer, patient: CurrentPatient, session: SessionDep
) -> FollowUpAnswered:
    """Still working? Need a booster? (`needs_booster` opens a request or links the active one.)"""
    return await followup_answers.answer(
        session, patient_id=patient.id, follow_up_id=follow_up_id, data=body
    )


@router.post(
    "/patients/{patient_id}/follow-ups/{follow_up_id}/answer",
    response_model=FollowUpAnswered,
    responses=error_responses(401, 403, 404, 409),
)
async def answer_patient_follow_up(
    follow_up_id: uuid.UUID,
    body: FollowUpContactAnswer,
    patient: LinkedPatient,
    session: SessionDep,
) -> FollowUpAnswered:
    """Record the answer a linked patient gave by phone, in a meeting or by message (the same
    rules as the patient's own answer; `needs_booster` opens a request or links the active one)."""
    return await followup_answers.answer_for_patient(
        session, scope=patient, follow_up_id=follow_up_id, data=body
    )
