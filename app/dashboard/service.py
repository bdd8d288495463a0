"""The therapist's worklist and one patient's detail.

The worklist is computed where the data is (app.dashboard.worklist_sql): one statement finds
every linked patient's flags, sorts by them (or by name, or by the last check-in) and cuts one
page by keyset; only that page's rows are then filled in with their figures, from the same
set-based service functions as the detail. Memory and work per request stay flat in the size
of the caseload beyond that one statement. The cursor is the sort key of the last row.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.rule import RuleParams
from app.care import service as care
from app.care.access import PatientScope
from app.care.models import care_link_table
from app.core.among import dialect_of
from app.core.db import UTCDateTime
from app.core.errors import Unprocessable
from app.core.pagination import decode_cursor, encode_cursor
from app.core.sqldays import EPOCH
from app.core.time import utcnow
from app.dashboard import worklist_sql
from app.dashboard.flags import FLAG_RULES
from app.dashboard.schemas import Flag, PatientDetail, PatientSummary, WorklistSort
from app.dashboard.summary import Known, Who, summaries_for_patients
from app.exercises.adherence import rate

_u = user_table.c
_cl = care_link_table.c
ADHERENCE_28 = 28


def _after(cursor: str, sort: WorklistSort, keys: list[Any]) -> list[Any]:
    """The sort key a cursor carries, typed like the key columns; anything else is a 422."""
    values = decode_cursor(cursor, len(keys) + 1)
    if values[0] != sort:
        raise Unprocessable("The cursor belongs to another sort order.", code="invalid_cursor")
    try:
        return [_typed(key, raw) for key, raw in zip(keys, values[1:], strict=True)]
    except (ValueError, OverflowError) as exc:
        raise Unprocessable("The cursor is not valid.", code="invalid_cursor") from exc


def _typed(key: Any, raw: str) -> Any:
    """One cursor value as its key column's type (int, uuid, aware timestamp or text)."""
    if isinstance(key.type, UTCDateTime):
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError(raw)
        return moment.astimezone(UTC)
    kind = key.type.python_type
    if kind is int:
        return int(raw)
    if kind is uuid.UUID:
        return uuid.UUID(raw)
    return raw


def _key_count(statement: Any) -> int:
    return sum(1 for c in statement.selected_columns if c.key[:1] == "k" and c.key[1:].isdigit())


async def _zones(session: AsyncSession, *, therapist_id: uuid.UUID) -> list[str]:
    rows = await session.execute(
        select(_u.timezone)
        .join_from(care_link_table, user_table, _u.id == _cl.patient_id)
        .where(_cl.therapist_id == therapist_id, _cl.ended_at.is_(None))
        .distinct()
    )
    return list(rows.scalars())


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
    """One page of the therapist's patients with their summaries (a fixed number of
    statements, whatever the caseload and the history)."""
    now = utcnow()
    zones = worklist_sql.zone_days(await _zones(session, therapist_id=therapist_id), now)
    # An empty cursor is no cursor, as on every list (`is not None` once built the keyset
    # statement and bound no key: a 500).
    statement = worklist_sql.page_statement(len(zones), sort, flag, bool(cursor))
    keys = [statement.selected_columns[f"k{i}"] for i in range(_key_count(statement))]
    params = worklist_sql.statement_params(
        therapist_id=therapist_id,
        zones=zones,
        defaults=rule_defaults,
        now=now,
        overdue_before=now - risk_ack,
    )
    params[worklist_sql.PREFIX + "limit"] = limit + 1
    if cursor:
        after = _after(cursor, sort, keys)
        params.update({f"{worklist_sql.PREFIX}after_{i}": v for i, v in enumerate(after)})
    found = (await session.execute(statement, params)).all()
    page = found[:limit]
    if not page:
        return [], None
    params[worklist_sql.PREFIX + "ids"] = [r.id for r in page]
    month = {
        r.patient_id: rate(int(r.completed), int(r.prescribed))
        for r in await session.execute(
            worklist_sql.adherence_statement(len(zones), ADHERENCE_28, dialect_of(session)),
            params,
        )
    }
    known = {
        r.id: Known(
            adherence_7d=rate(int(r.completed_7d), int(r.prescribed_7d)),
            adherence_28d=month.get(r.id),
            flags=[rule.name for rule in FLAG_RULES if getattr(r, f"f_{rule.name}")],
            last_checkin_on=None
            if r.last_checkin is None
            else EPOCH + timedelta(days=r.last_checkin),
            window_days=r.window_days,
        )
        for r in page
    }
    summaries = await summaries_for_patients(
        session,
        patients=[Who(r.id, r.display_name, r.timezone, r.linked_at) for r in page],
        rule_defaults=rule_defaults,
        risk_ack=risk_ack,
        known=known,
        now=now,
    )
    last = found[limit - 1] if len(found) > limit else None
    next_cursor = (
        None
        if last is None
        else encode_cursor(sort, *[str(getattr(last, f"k{i}")) for i in range(len(keys))])
    )
    return summaries, next_cursor


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
