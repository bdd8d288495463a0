"""/v1/invitations and /v1/admin/care-links (the patient detail lives in app.dashboard)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.auth.deps import CurrentAdmin, CurrentTherapist
from app.care import service
from app.care.schemas import (
    CareLinkCreate,
    CareLinkPublic,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
)
from app.core.deps import Cursor, Limit, SessionDep, SettingsDep
from app.core.location import LOCATION
from app.core.schemas import ListResponse, error_responses
from app.idempotency.deps import IdempotencyGuard, SealedIdempotencyGuard

router = APIRouter(tags=["care"])


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={LOCATION: "/v1/invitations/{id}"},
    response_model=InvitationCreated,
    responses=error_responses(401, 403),
)
async def create_invitation(
    body: InvitationCreate,
    therapist: CurrentTherapist,
    _key: SealedIdempotencyGuard,
    session: SessionDep,
    settings: SettingsDep,
) -> InvitationCreated:
    """A single-use code for a new patient; the code is shown only in this response.

    A retry with the same Idempotency-Key within 5 minutes gets the same answer (kept encrypted
    until then); later it gets 409 `idempotency_answer_expired` and creates nothing.
    """
    return await service.create_invitation(
        session,
        therapist_id=therapist.id,
        data=body,
        default_days=settings.invitation_days,
        secret_key=settings.resolved_secret_key(),
    )


@router.get(
    "/invitations",
    response_model=ListResponse[InvitationPublic],
    responses=error_responses(401, 403),
)
async def list_invitations(
    therapist: CurrentTherapist, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> ListResponse[InvitationPublic]:
    """The caller's invitations, newest first."""
    items, next_cursor = await service.list_invitations(
        session, therapist_id=therapist.id, limit=limit, cursor=cursor
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)


@router.delete(
    "/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409),
)
async def revoke_invitation(
    invitation_id: uuid.UUID, therapist: CurrentTherapist, session: SessionDep
) -> None:
    """Withdraw an unused invitation."""
    await service.revoke_invitation(session, therapist_id=therapist.id, invitation_id=invitation_id)


@router.post(
    "/admin/care-links",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={LOCATION: "/v1/admin/care-links/{id}"},
    response_model=CareLinkPublic,
    responses=error_responses(401, 403, 404, 409),
    tags=["admin"],
)
async def create_care_link(
    body: CareLinkCreate, _admin: CurrentAdmin, _key: IdempotencyGuard, session: SessionDep
) -> CareLinkPublic:
    """Give a patient to a therapist (ending the previous therapist's link)."""
    link = await service.link_patient(session, data=body)
    return CareLinkPublic.model_validate(link, from_attributes=True)


@router.delete(
    "/admin/care-links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404),
    tags=["admin"],
)
async def end_care_link(link_id: uuid.UUID, _admin: CurrentAdmin, session: SessionDep) -> None:
    """End a care link."""
    await service.end_link(session, link_id=link_id)
