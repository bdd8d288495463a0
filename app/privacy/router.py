"""/v1/me/consents, /v1/me/access-log, /v1/me/export and DELETE /v1/me (erasure)."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.deps import CurrentPatient
from app.core.deps import Cursor, HasherDep, Limit, SessionDep, SettingsDep
from app.core.schemas import ListResponse, error_responses
from app.privacy import service
from app.privacy.erasure import erase_account
from app.privacy.export import export_patient
from app.privacy.schemas import (
    AccessLogPublic,
    AccountErase,
    ConsentHistory,
    ConsentUpdate,
    ExportDocument,
)
from app.throttle.deps import ThrottleDep

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


@router.get("/me/export", response_model=ExportDocument, responses=error_responses(401, 403))
async def export_me(
    patient: CurrentPatient, session: SessionDep, settings: SettingsDep
) -> ExportDocument:
    """Every record about me, as one JSON document with a schema version and counts per kind."""
    return await export_patient(
        session, patient_id=patient.id, session_max_days=settings.session_max_days
    )


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400, 401, 403, 429),
    tags=["accounts"],
)
async def erase_me(
    body: AccountErase,
    patient: CurrentPatient,
    session: SessionDep,
    hasher: HasherDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
) -> None:
    """Erase my account and all my data for good (needs my password); I am signed out everywhere."""
    await erase_account(
        session,
        hasher=hasher,
        throttle=throttle,
        settings=settings,
        user_id=patient.id,
        password=body.password,
    )
