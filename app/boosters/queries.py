"""Reading booster requests: lists for patients and therapists, counts for many patients."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.models import booster_request_table
from app.boosters.schemas import BoosterRequestPublic
from app.care.access import linked_patient_ids
from app.core.among import DIALECTS, among_bound, dialect_of
from app.core.errors import NotFound
from app.core.pagination import encode_keyset, older_than

_r = booster_request_table.c
COLUMNS = [_r[name] for name in BoosterRequestPublic.model_fields]
ACTIVE = ("open", "scheduled")  # at most one of these per patient
_u = user_table.c


def public(row: Any) -> BoosterRequestPublic:
    return BoosterRequestPublic.model_validate(row, from_attributes=True)


def request_not_found() -> NotFound:
    """The one 404 for a request that does not exist or is not the caller's to see."""
    return NotFound("Booster request not found.", code="booster_request_not_found")


async def _page(
    session: AsyncSession, *, where: list[Any], limit: int, cursor: str | None
) -> tuple[list[BoosterRequestPublic], str | None]:
    if cursor:
        where.append(older_than(_r.created_at, _r.id, cursor))
    query = (
        select(*COLUMNS).where(*where).order_by(_r.created_at.desc(), _r.id.desc()).limit(limit + 1)
    )
    rows = (await session.execute(query)).all()
    page = [public(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_keyset(page[-1].created_at, page[-1].id)
    return page, next_cursor


async def list_patient_requests(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[BoosterRequestPublic], str | None]:
    """The patient's own requests, newest first."""
    where: list[Any] = [_r.patient_id == patient_id]
    if status:
        where.append(_r.status == status)
    return await _page(session, where=where, limit=limit, cursor=cursor)


async def list_therapist_requests(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[BoosterRequestPublic], str | None]:
    """Requests of the therapist's currently linked patients, newest first."""
    where: list[Any] = [_r.patient_id.in_(linked_patient_ids(therapist_id))]
    if status:
        where.append(_r.status == status)
    return await _page(session, where=where, limit=limit, cursor=cursor)


def request_counts(patient: Any) -> list[Any]:
    """Columns `booster_open` and `booster_scheduled`: how many of the patient's requests
    (`patient`, a patient id column of the outer statement) have that status."""
    return [
        select(func.count())
        .where(_r.patient_id == patient, _r.status == status)
        .scalar_subquery()
        .label(f"booster_{status}")
        for status in ACTIVE
    ]


# Built once per dialect: one row per patient, the counts as correlated subqueries.
_COUNTS_MANY = {
    d: select(_u.id, *request_counts(_u.id)).where(among_bound(_u.id, "patient_ids", d))
    for d in DIALECTS
}


async def open_booster_counts(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """For many patients at once: how many requests are `open` and `scheduled` (one query)."""
    counts: dict[uuid.UUID, dict[str, int]] = {
        pid: {"open": 0, "scheduled": 0} for pid in patient_ids
    }
    if not patient_ids:
        return counts
    rows = await session.execute(
        _COUNTS_MANY[dialect_of(session)], {"patient_ids": list(patient_ids)}
    )
    for row in rows.all():
        counts[row.id] = {"open": row.booster_open, "scheduled": row.booster_scheduled}
    return counts


async def read_active_request(
    session: AsyncSession, *, patient_id: uuid.UUID
) -> BoosterRequestPublic | None:
    """The patient's open or scheduled request, in full."""
    row = (
        await session.execute(
            select(*COLUMNS)
            .where(_r.patient_id == patient_id, _r.status.in_(ACTIVE))
            .order_by(_r.created_at)
            .limit(1)
        )
    ).first()
    return public(row) if row else None


async def read_request(session: AsyncSession, *, request_id: uuid.UUID) -> BoosterRequestPublic:
    """One request by id (callers have checked who may see it)."""
    row = (await session.execute(select(*COLUMNS).where(_r.id == request_id))).first()
    if row is None:
        raise request_not_found()
    return public(row)
