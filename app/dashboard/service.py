"""The therapist's worklist and one patient's detail.

The worklist loads every currently linked patient of the therapist (a caseload, so bounded)
with a fixed number of set-based statements, computes rows and flags in Python, then sorts,
filters and cuts the page in Python too: flags are not columns, and sorting on them in SQL
would mean rewriting every domain's rule as SQL. The cursor is the sort key of the last row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.rule import RuleParams
from app.care import service as care
from app.care.access import PatientScope
from app.care.models import care_link_table
from app.core.errors import Unprocessable
from app.core.pagination import decode_cursor, encode_cursor
from app.dashboard.schemas import FLAGS, Flag, PatientDetail, PatientSummary, WorklistSort
from app.dashboard.summary import Who, summaries_for_patients

_u = user_table.c
_cl = care_link_table.c

SortKey = tuple[str, ...]


def _name(row: PatientSummary) -> str:
    return row.display_name.casefold()


def _urgency(row: PatientSummary) -> str:
    """One character per flag, most urgent first: "0" raised, "1" not (so it sorts first)."""
    return "".join("0" if flag in row.flags else "1" for flag in FLAGS)


def _risk_rank(row: PatientSummary) -> str:
    """Among rows with `risk`: an overdue alert first, then the oldest alert first ("" else)."""
    alerts = row.risk_alerts
    if alerts.oldest_at is None:
        return ""
    oldest = alerts.oldest_at
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return ("0" if alerts.overdue else "1") + f"{oldest.astimezone(UTC):%Y%m%d%H%M%S%f}"


_KEYS: dict[str, Callable[[PatientSummary], SortKey]] = {
    # `risk` above everything (overdue alert, then oldest alert first), then the most urgent
    # of the other flags (then the next one, ...), then by name; every key ends with the id so
    # it is unique
    "flags": lambda r: (
        _urgency(r)[0],
        _risk_rank(r),
        _urgency(r)[1:],
        _name(r),
        str(r.patient_id),
    ),
    "name": lambda r: (_name(r), str(r.patient_id)),
    # longest without a check-in first ("" = never, before every date)
    "last_checkin": lambda r: (
        r.last_checkin_on.isoformat() if r.last_checkin_on else "",
        _name(r),
        str(r.patient_id),
    ),
}
_KEY_SIZES = {"flags": 5, "name": 2, "last_checkin": 3}


def _after(cursor: str, sort: WorklistSort) -> SortKey:
    values = decode_cursor(cursor, _KEY_SIZES[sort] + 1)
    if values[0] != sort:
        raise Unprocessable("The cursor belongs to another sort order.", code="invalid_cursor")
    return tuple(values[1:])


async def _linked(session: AsyncSession, *, therapist_id: uuid.UUID) -> list[Who]:
    rows = await session.execute(
        select(_u.id, _u.display_name, _u.timezone, _cl.created_at)
        .join_from(care_link_table, user_table, _u.id == _cl.patient_id)
        .where(_cl.therapist_id == therapist_id, _cl.ended_at.is_(None))
    )
    return [Who(r.id, r.display_name, r.timezone, r.created_at) for r in rows]


async def worklist(
    session: AsyncSession,
    *,
    therapist_id: uuid.UUID,
    sort: WorklistSort,
    flag: Flag | None,
    limit: int,
    cursor: str | None,
    rule_defaults: RuleParams,
    risk_ack: timedelta,
) -> tuple[list[PatientSummary], str | None]:
    """One page of the therapist's patients with their summaries (14 statements per page)."""
    key = _KEYS[sort]
    after = _after(cursor, sort) if cursor else None
    rows = await summaries_for_patients(
        session,
        patients=await _linked(session, therapist_id=therapist_id),
        rule_defaults=rule_defaults,
        risk_ack=risk_ack,
    )
    if flag is not None:
        rows = [r for r in rows if flag in r.flags]
    rows.sort(key=key)
    if after is not None:
        rows = [r for r in rows if key(r) > after]
    page = rows[:limit]
    next_cursor = encode_cursor(sort, *key(page[-1])) if len(rows) > limit else None
    return page, next_cursor


async def patient_detail(
    session: AsyncSession, *, scope: PatientScope, rule_defaults: RuleParams, risk_ack: timedelta
) -> PatientDetail:
    """A linked patient's profile with the summary their worklist row shows."""
    profile = await care.patient_profile(session, scope=scope)
    who = Who(profile.id, profile.display_name, profile.timezone, profile.linked_since)
    (summary,) = await summaries_for_patients(
        session, patients=[who], rule_defaults=rule_defaults, risk_ack=risk_ack
    )
    return PatientDetail(**profile.model_dump(), summary=summary)
