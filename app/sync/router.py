"""GET /v1/me/sync: the phone catches up in one paged call."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.deps import CurrentPatient
from app.core.deps import SessionDep
from app.core.schemas import error_responses
from app.sync import service
from app.sync.reader import Reader
from app.sync.schemas import DEFAULT_LIMIT, MAX_LIMIT, SyncPage

router = APIRouter(tags=["sync"])

Since = Annotated[
    str | None,
    Query(max_length=512, description="`next_cursor` of the previous page; none: a snapshot."),
]
SyncLimit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Changes per page (at most {MAX_LIMIT}).")
]


@router.get("/me/sync", response_model=SyncPage, responses=error_responses(401, 403, 410))
async def my_sync(
    patient: CurrentPatient,
    session: SessionDep,
    since: Since = None,
    limit: SyncLimit = DEFAULT_LIMIT,
) -> SyncPage:
    """Every change to my records since `since` (none: all my records, in pages, then the
    changes from when that snapshot began). Page on while `has_more`; keep `next_cursor`.
    422 `invalid_sync_cursor` for a cursor this server did not issue; 410 `cursor_expired`
    when the changes since it are no longer kept: start again without `since`."""
    reader = Reader(patient.id, patient.timezone, patient.locale)
    return await service.sync(session, reader=reader, since=since, limit=limit)
