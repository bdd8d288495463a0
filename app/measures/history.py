"""A patient's history of one measure: newest first, each response against the first."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.access import PatientScope
from app.core.pagination import encode_keyset, older_than
from app.instruments.profiles import MeasureKey
from app.instruments.store import version_by_id
from app.measures.models import measure_response_table, risk_alert_table
from app.measures.recovery import reliable_change
from app.measures.responses import RESPONSE_COLUMNS, response_fields
from app.measures.schemas import MeasureHistory, MeasureResponsePublic, MeasureTrend

_r = measure_response_table.c
_ra = risk_alert_table.c


async def history(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    measure: MeasureKey,
    limit: int,
    cursor: str | None,
) -> MeasureHistory:
    """Responses newest first (keyset-paged) with the change from the first, and the trend
    (3 statements: the page, the first and latest response, the page's alerts)."""
    query = select(*RESPONSE_COLUMNS).where(_r.patient_id == patient_id, _r.measure == measure)
    if cursor:
        query = query.where(older_than(_r.answered_at, _r.id, cursor))
    rows = (
        await session.execute(query.order_by(_r.answered_at.desc(), _r.id.desc()).limit(limit + 1))
    ).all()
    mine = (_r.patient_id == patient_id, _r.measure == measure)
    oldest, newest = (_r.answered_at, _r.id), (_r.answered_at.desc(), _r.id.desc())

    def end(column: Any, order: tuple[Any, ...]) -> Any:
        return select(column).where(*mine).order_by(*order).limit(1).scalar_subquery()

    ends = (
        await session.execute(
            select(
                end(_r.score, oldest).label("first"),
                end(_r.answered_at, oldest).label("f_at"),
                end(_r.score, newest).label("last"),
                end(_r.answered_at, newest).label("l_at"),
            )
        )
    ).one()
    page = rows[:limit]
    alerts: dict[uuid.UUID, Any] = {}
    if page:
        found = await session.execute(
            select(_ra.response_id, _ra.id, _ra.acknowledged_at)
            .where(_ra.response_id.in_([row.id for row in page]))
            .order_by(_ra.created_at, _ra.id)
        )
        for alert in found:
            alerts.setdefault(alert.response_id, alert)
    # Versions are immutable and cached: a statement only the first time a version is met.
    versions = {
        version_id: await version_by_id(session, version_id=version_id)
        for version_id in {row.questionnaire_id for row in page}
    }
    data = [
        MeasureResponsePublic(
            **response_fields(
                row,
                version=versions[row.questionnaire_id],
                first=ends.first,
                alert=alerts.get(row.id),
            )
        )
        for row in page
    ]
    trend = None
    if ends.first is not None:
        trend = MeasureTrend(
            first_score=ends.first,
            first_answered_at=ends.f_at,
            latest_score=ends.last,
            latest_answered_at=ends.l_at,
            change=round(ends.last - ends.first, 6),
            reliable_change=reliable_change(measure, ends.first, ends.last),
        )
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_keyset(page[-1].answered_at, page[-1].id)
    return MeasureHistory(
        measure=measure,
        data=data,
        count=len(data),
        next_cursor=next_cursor,
        trend=trend,
    )


async def history_for_therapist(
    session: AsyncSession,
    *,
    scope: PatientScope,
    measure: MeasureKey,
    limit: int,
    cursor: str | None,
) -> MeasureHistory:
    """A linked patient's history of one measure."""
    return await history(
        session, patient_id=scope.patient_id, measure=measure, limit=limit, cursor=cursor
    )
