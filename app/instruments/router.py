"""/v1/questionnaires/{measure}: the symptom measures' definitions (RTW-SE has its own route)."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import CurrentUser
from app.core.deps import SessionDep
from app.core.schemas import error_responses
from app.instruments import service
from app.instruments.profiles import MeasureKey
from app.instruments.schemas import InstrumentPublic

router = APIRouter(tags=["measures"])


@router.get(
    "/questionnaires/{measure}",
    response_model=InstrumentPublic,
    responses=error_responses(401, 503),
)
async def read_measure_definition(
    measure: MeasureKey, user: CurrentUser, session: SessionDep
) -> InstrumentPublic:
    """The current PHQ-9 or GAD-7 version in the caller's locale: items, scale, scoring, bands.

    The shipped versions carry our own short item labels (`illustrative: true`); a clinic loads
    the official wording and translation as a new version (`mestring load-questionnaire`).
    """
    return await service.read_current(session, key=measure, locale=user.locale)
