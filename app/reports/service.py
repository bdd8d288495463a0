"""The outcome report: who may read which caseload, the period, and the figures."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import Role, user_table
from app.checkins.summary import BASELINE_CHECKINS
from app.core.errors import NotFound, Unprocessable
from app.core.time import utcnow
from app.reports import queries
from app.reports.figures import build
from app.reports.periods import parse_period
from app.reports.schemas import OutcomeReport, ReportFigure, SuppressionRule
from app.reports.stats import sick_leave_plan
from app.reports.suppression import RULE, THRESHOLD

_u = user_table.c


def _no_therapist() -> NotFound:
    return NotFound("No such therapist.", code="therapist_not_found")


async def _check_therapist(session: AsyncSession, therapist_id: uuid.UUID) -> None:
    role = await session.scalar(select(_u.role).where(_u.id == therapist_id))
    if role != Role.therapist.value:
        raise _no_therapist()


async def outcome_report(
    session: AsyncSession,
    *,
    period: str,
    therapist_id: uuid.UUID | None,
    caller_id: uuid.UUID | None,
    caller_role: Role | None,
    today: date | None = None,
) -> OutcomeReport:
    """The de-identified report of `period` (an admin, the CLI: any caseload or the clinic;
    a therapist: their own caseload only, another therapist's id is a 404 like an unknown one)."""
    try:
        bounds_period = parse_period(period)
    except ValueError as exc:
        raise Unprocessable(str(exc), code="invalid_period") from None
    today = today or utcnow().date()
    if bounds_period.first > today:
        raise Unprocessable("The period has not started yet.", code="period_not_started")
    if caller_role is Role.therapist:
        if therapist_id is not None and therapist_id != caller_id:
            raise _no_therapist()
        therapist_id = caller_id
    elif therapist_id is not None:
        await _check_therapist(session, therapist_id)
    bounds = queries.Bounds(bounds_period, min(bounds_period.last, today))
    rows = await queries.load(session, bounds=bounds, therapist_id=therapist_id)
    figures = build(
        rows, bounds=bounds, minimum_checkins=BASELINE_CHECKINS, plan_of=sick_leave_plan
    )
    return OutcomeReport(
        period=period,
        first_day=bounds_period.first,
        last_day=bounds_period.last,
        as_of=bounds.as_of,
        complete=bounds_period.last < today,
        scope="clinic" if therapist_id is None else "therapist",
        suppression=SuppressionRule(threshold=THRESHOLD, rule=RULE),
        figures=[
            ReportFigure(
                key=f.key,
                label=f.label,
                value=f.value,
                n=f.n,
                of=f.of,
                share=f.share,
                suppressed=f.suppressed,
            )
            for f in figures
        ],
    )
