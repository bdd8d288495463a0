"""The summaries' one-value-per-patient facts, in one statement built once per dialect.

One row per patient: the current RTW-SE questionnaire version (for `illustrative`), the
booster requests open and scheduled, the unacknowledged risk alerts, the latest barriers check
and status check, the first and latest response of each measure, and the current RTW plan.
Each domain gives its own columns (`request_counts`, `alert_columns`, `latest_columns`,
`response_columns`) and its own set-based read is built from the same columns, so the
worklist, the detail and those reads count alike. Seven statements before (issue 12).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.queries import request_counts
from app.checkins.definition import RTW_SE_KEY
from app.core.among import DIALECTS, among_bound, dialect_of
from app.instruments.models import questionnaire_version_table
from app.measures.models import risk_alert_table
from app.measures.queries import (
    MEASURES,
    Alerts,
    LatestMeasure,
    alert_columns,
    alerts_of,
    response_columns,
    responses_of,
)
from app.work.grades import Plan
from app.work.models import rtw_plan_table
from app.work.plan import plan_of
from app.workfocus.queries import Latest, latest_columns, latest_of

_u = user_table.c
_q = questionnaire_version_table.c
_p = rtw_plan_table.c


def _head(dialect: str) -> Any:
    current = (
        select(_q.id)
        .where(_q.key == RTW_SE_KEY)
        .order_by(_q.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    overdue_before = bindparam("overdue_before", type_=risk_alert_table.c.created_at.type)
    return (
        select(
            _u.id,
            current.label("questionnaire_id"),
            *request_counts(_u.id),
            *alert_columns(_u.id, overdue_before),
            *latest_columns(_u.id),
            *[column for measure in MEASURES for column in response_columns(_u.id, measure)],
            # as text: the key of the parsed plans' cache (`_plan`)
            cast(_p.body, Text).label("plan_text"),
        )
        .select_from(user_table.outerjoin(rtw_plan_table, _p.patient_id == _u.id))
        .where(among_bound(_u.id, "patient_ids", dialect))
    )


_HEAD = {d: _head(d) for d in DIALECTS}


@lru_cache(maxsize=1024)
def _plan(text: str) -> Plan:
    """A stored plan body's arithmetic view, parsed once per distinct text: the same text
    gives the same (immutable) plan, so a page does not validate 50 plan documents again on
    every request. Bounded: a few hundred bytes a plan."""
    return plan_of(json.loads(text))


@dataclass(frozen=True, slots=True)
class Head:
    """One patient's row of the head statement."""

    questionnaire_id: uuid.UUID | None  # the current RTW-SE version (None: none loaded)
    booster_open: int
    booster_scheduled: int
    alerts: Alerts
    latest: Latest
    measures: dict[str, LatestMeasure]  # the latest response of each measure answered
    plan: Plan | None  # the current RTW plan


async def read_heads(
    session: AsyncSession, *, patient_ids: Sequence[uuid.UUID], overdue_before: datetime
) -> dict[uuid.UUID, Head]:
    """Each patient's head row (a patient id that is no user has none)."""
    rows = await session.execute(
        _HEAD[dialect_of(session)],
        {"patient_ids": list(patient_ids), "overdue_before": overdue_before},
    )
    return {
        row.id: Head(
            questionnaire_id=row.questionnaire_id,
            booster_open=row.booster_open,
            booster_scheduled=row.booster_scheduled,
            alerts=alerts_of(row),
            latest=latest_of(row),
            measures=responses_of(row),
            plan=None if row.plan_text is None else _plan(row.plan_text),
        )
        for row in rows.all()
    }
