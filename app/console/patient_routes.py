"""GET /console/patients/{id} (the patient page) and its access-log page."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.care import service as care
from app.console import patient_charts as charts
from app.console.pages import ConsoleRoute, ConsoleTherapist, render
from app.console.patient_data import PAGE_KINDS, linked, patient_view
from app.core.deps import SessionDep, SettingsDep
from app.privacy import service as privacy

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
ACCESS_PAGE = 50


@router.get("/patients/{patient_id}")
async def patient_page(
    patient_id: uuid.UUID,
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    scope = await linked(request, session, user, patient_id, PAGE_KINDS)
    view = await patient_view(session, scope=scope, settings=settings)
    figures = [
        charts.rtw_se_chart(view.checkins),
        charts.adherence_chart(view.adherence),
        charts.hours_chart(view.work_summary),
    ]
    measures = charts.measures_chart(view.measures)
    if measures is not None:
        figures.append(measures)
    return render(
        request,
        "patient.html",
        locale=user.locale,
        user=user,
        view=view,
        patient=view.detail,
        figures=figures,
        adherence={a.assignment_id: a for a in view.adherence.assignments},
    )


@router.get("/patients/{patient_id}/access-log")
async def access_log(
    patient_id: uuid.UUID,
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """The patient's access-log entries written by the signed-in therapist (what the patient
    sees of them in GET /v1/me/access-log); reading it is itself logged, as a profile read."""
    scope = await linked(request, session, user, patient_id, ("profile", "access-log"))
    profile = await care.patient_profile(session, scope=scope)
    entries, next_cursor = await privacy.list_access(
        session, patient_id=patient_id, reader_id=user.id, limit=ACCESS_PAGE, cursor=cursor or None
    )
    next_url = None
    if next_cursor:
        next_url = f"/console/patients/{patient_id}/access-log?" + urlencode(
            {"cursor": next_cursor}
        )
    return render(
        request,
        "access_log.html",
        locale=user.locale,
        user=user,
        patient=profile,
        entries=entries,
        next_url=next_url,
    )
