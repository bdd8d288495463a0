"""/v1/questionnaires/barriers, /v1/me/barriers and /v1/patients/{patient_id}/barriers."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response, status

import app.core.paths  # noqa: F401  (registers the isodate path convertor)
from app.auth.deps import CurrentPatient, CurrentUser, CurrentWorkSideStaff
from app.core.deps import Limit, SessionDep
from app.core.schemas import ListResponse, error_responses
from app.instruments import service as instruments
from app.instruments.profiles import BARRIERS_KEY
from app.instruments.schemas import InstrumentPublic
from app.workfocus import barriers
from app.workfocus.deps import WorkSideReader
from app.workfocus.schemas import BarrierCheckPublic, BarrierCheckWrite

router = APIRouter(tags=["work-focused therapy"])


@router.get(
    "/questionnaires/barriers",
    response_model=InstrumentPublic,
    responses=error_responses(401, 503),
)
async def read_barriers_definition(user: CurrentUser, session: SessionDep) -> InstrumentPublic:
    """The current barriers check in the caller's locale: domains, items rated 0-4."""
    return await instruments.read_current(session, key=BARRIERS_KEY, locale=user.locale)


@router.put(
    "/me/barriers/{local_date:isodate}",
    response_model=BarrierCheckPublic,
    responses={
        201: {"model": BarrierCheckPublic, "description": "A new check for the date"},
        **error_responses(401, 403, 404, 503),  # 404: the path is not a YYYY-MM-DD date
    },
)
async def put_barriers(
    local_date: date,
    body: BarrierCheckWrite,
    patient: CurrentPatient,
    session: SessionDep,
    response: Response,
) -> BarrierCheckPublic:
    """Write the date's barriers check: 201 when new, 200 when it replaced that date's."""
    saved, created = await barriers.write_check(
        session,
        patient_id=patient.id,
        timezone=patient.timezone,
        locale=patient.locale,
        local_date=local_date,
        data=body,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return saved


@router.get(
    "/me/barriers",
    response_model=ListResponse[BarrierCheckPublic],
    responses=error_responses(401, 403),
)
async def my_barriers(
    patient: CurrentPatient, session: SessionDep, limit: Limit = 50
) -> ListResponse[BarrierCheckPublic]:
    """My barriers checks, newest first."""
    items = await barriers.history(
        session, patient_id=patient.id, locale=patient.locale, limit=limit
    )
    return ListResponse(data=items, count=len(items))


@router.get(
    "/patients/{patient_id}/barriers",
    response_model=ListResponse[BarrierCheckPublic],
    responses=error_responses(401, 403, 404),
)
async def patient_barriers(
    patient: WorkSideReader, staff: CurrentWorkSideStaff, session: SessionDep, limit: Limit = 50
) -> ListResponse[BarrierCheckPublic]:
    """A linked patient's barriers checks, newest first (a job counsellor: the workplace
    domain only)."""
    items = await barriers.history_for_staff(
        session, scope=patient, locale=staff.locale, limit=limit
    )
    return ListResponse(data=items, count=len(items))
