"""GET /console/worklist: the therapist's patients, the API's worklist service and logging."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.boosters.rule_service import default_params
from app.console.pages import ConsoleRoute, ConsoleTherapist, render
from app.core.deps import SessionDep, SettingsDep
from app.core.time import utcnow
from app.dashboard import service as dashboard
from app.dashboard.schemas import FLAGS, Flag, WorklistSort
from app.privacy.audit import note_access, note_access_from_answer

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
PAGE_SIZE = 25


@router.get("/worklist")
async def worklist(
    request: Request,
    user: ConsoleTherapist,
    session: SessionDep,
    settings: SettingsDep,
    flag: Annotated[Flag | None, Query()] = None,
    sort: Annotated[WorklistSort, Query()] = "flags",
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Flags first by default; filter by one flag; pages of PAGE_SIZE."""
    rows, next_cursor = await dashboard.worklist(
        session,
        therapist_id=user.id,
        sort=sort,
        flag=flag,
        limit=PAGE_SIZE,
        cursor=cursor or None,
        rule_defaults=default_params(settings),
        risk_ack=timedelta(hours=settings.risk_ack_hours),
    )
    principal = user.principal
    # The same access-log rows as GET /v1/patients: one per patient shown, and with a flag
    # filter one (0 records) per other linked patient the filter looked at.
    note_access(
        request,
        session=session,
        patient_ids=[row.patient_id for row in rows],
        reader_id=principal.id,
        reader_role=principal.role,
        reader_name=principal.display_name,
        kind="worklist",
    )
    if flag is not None:
        note_access_from_answer(
            request,
            session=session,
            reader_id=principal.id,
            reader_role=principal.role,
            reader_name=principal.display_name,
            kind="worklist",
            every_linked=True,
        )
    next_url = None
    if next_cursor:
        query = {"sort": sort, "cursor": next_cursor, **({"flag": flag} if flag else {})}
        next_url = "/console/worklist?" + urlencode(query)
    return render(
        request,
        "worklist.html",
        locale=user.locale,
        user=user,
        rows=rows,
        flag=flag,
        sort=sort,
        flags=FLAGS,
        next_url=next_url,
        first_page=not cursor,
        updated_at=utcnow(),
    )
