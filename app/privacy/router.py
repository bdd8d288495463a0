"""/v1/me/consents and /v1/me/access-log."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentPatient
from app.core.deps import Cursor, Limit, SessionDep
from app.core.schemas import ListResponse, error_responses
from app.privacy import service
from app.privacy.schemas import AccessLogPublic, ConsentHistory, ConsentUpdate

router = APIRouter(tags=["privacy"])


@router.get("/me/consents", response_model=ConsentHistory, responses=error_responses(401, 403))
async def read_consents(patient: CurrentPatient, session: SessionDep) -> ConsentHistory:
    """The employer-contact consent in force, with every earlier answer."""
    return await service.consent_history(session, patient_id=patient.id)


@router.put("/me/consents", response_model=ConsentHistory, responses=error_responses(401, 403))
async def update_consents(
    body: ConsentUpdate, patient: CurrentPatient, session: SessionDep
) -> ConsentHistory:
    """Say whether the clinic may contact the employer; the earlier answer is kept."""
    return await service.set_consent(session, patient_id=patient.id, data=body)


@router.get(
    "/me/access-log",
    response_model=ListResponse[AccessLogPublic],
    responses=error_responses(401, 403),
)
async def read_access_log(
    patient: CurrentPatient, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> ListResponse[AccessLogPublic]:
    """Who read my data, when and what, newest first."""
    items, next_cursor = await service.list_access(
        session, patient_id=patient.id, limit=limit, cursor=cursor
    )
    return ListResponse(data=items, count=len(items), next_cursor=next_cursor)
