"""Loaders for the work side (diary, RTW plan, work focus) and measure responses: the same
representation as the patient's own GET endpoints, for given record ids."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.instruments.store import version_by_id
from app.measures.models import measure_response_table, risk_alert_table
from app.measures.responses import RESPONSE_COLUMNS, response_fields
from app.measures.schemas import MeasureResponsePublic
from app.sync.reader import Loaded, Reader, own
from app.work import diary
from app.work.models import work_diary_table
from app.work.plan import get_plan
from app.workfocus import communication, meetings
from app.workfocus import goals as work_goals
from app.workfocus.models import (
    communication_plan_table,
    communication_plan_version_table,
    communication_suggestion_table,
    work_goal_table,
)

_r = measure_response_table.c
_ra = risk_alert_table.c


async def diary_entries(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = await session.execute(
        select(work_diary_table.c.id, *diary._PUBLIC_COLUMNS).where(
            *own(work_diary_table, reader, ids)
        )
    )
    return {row.id: diary._public(row) for row in rows}


async def rtw_plan(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    # One record per patient, its id the patient's id; it exists once a plan was saved.
    if reader.id not in ids:
        return {}
    plan = await get_plan(session, patient_id=reader.id, timezone=reader.timezone)
    return {reader.id: plan} if plan.version > 0 else {}


def communication_tables() -> tuple[Table, ...]:
    return (
        communication_plan_table,
        communication_plan_version_table,
        communication_suggestion_table,
    )


async def communication_plan(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    # One record per patient (the plan with its suggestions), as GET /v1/me/communication-plan.
    if reader.id not in ids:
        return {}
    plan = await communication.read_plan(session, patient_id=reader.id)
    return {reader.id: plan} if plan.version > 0 or plan.suggestions else {}


async def dialogue_meetings(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    wanted = set(ids)
    shown = await meetings.list_meetings(session, patient_id=reader.id, timezone=reader.timezone)
    return {item.id: item for item in shown if item.id in wanted}


async def goals(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    rows = await session.execute(
        select(*work_goals._COLUMNS).where(*own(work_goal_table, reader, ids))
    )
    return {row.id: work_goals._public(row) for row in rows}


async def measure_responses(session: AsyncSession, reader: Reader, ids: list[uuid.UUID]) -> Loaded:
    """As in GET /v1/me/measures/{measure}/responses: with the change from the patient's first
    response to the measure and the first risk alert the response opened."""
    rows = (
        await session.execute(
            select(*RESPONSE_COLUMNS).where(*own(measure_response_table, reader, ids))
        )
    ).all()
    if not rows:
        return {}
    firsts: dict[str, Any] = {}
    for measure in {row.measure for row in rows}:
        firsts[measure] = await session.scalar(
            select(_r.score)
            .where(_r.patient_id == reader.id, _r.measure == measure)
            .order_by(_r.answered_at, _r.id)
            .limit(1)
        )
    alerts: dict[uuid.UUID, Any] = {}
    found = await session.execute(
        select(_ra.response_id, _ra.id, _ra.acknowledged_at)
        .where(_ra.response_id.in_([row.id for row in rows]))
        .order_by(_ra.created_at, _ra.id)
    )
    for alert in found:
        alerts.setdefault(alert.response_id, alert)
    loaded: Loaded = {}
    for row in rows:
        version = await version_by_id(session, version_id=row.questionnaire_id)
        fields = response_fields(
            row, version=version, first=firsts[row.measure], alert=alerts.get(row.id)
        )
        loaded[row.id] = MeasureResponsePublic(**fields)
    return loaded
