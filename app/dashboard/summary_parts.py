"""The nested parts of a worklist row (app.dashboard.summary), each built from what its
domain's set-based read gave."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from app.dashboard.schemas import MeasureBrief, RiskAlertCounts, WeekGradeBrief, WorkFocusBrief
from app.instruments.store import version_by_id
from app.measures.queries import LatestMeasure, PatientMeasures
from app.work.grades import iso_week_label
from app.work.summary import WorkGlance
from app.workfocus.queries import PatientWorkFocus


def week_brief(glance: WorkGlance | None) -> WeekGradeBrief | None:
    if glance is None:
        return None
    week = glance.last_week
    return WeekGradeBrief(
        week=iso_week_label(week.first),
        week_start=week.first,
        actual_grade=week.actual_grade,
        planned_grade=week.planned_grade,
        above_plan=week.above_plan,
        complete=week.complete,
    )


async def illustrative_versions(
    session: AsyncSession, measures: Iterable[PatientMeasures]
) -> dict[uuid.UUID, bool]:
    """Whether each measure version the rows answered on has illustrative wording (each
    version looked up once; from the cache after the first read by this worker)."""
    ids = {latest.questionnaire_id for found in measures for latest in found.latest.values()}
    return {
        version_id: (
            await version_by_id(session, version_id=version_id)
        ).definition.metadata.illustrative
        for version_id in ids
    }


def measure_brief(
    latest: LatestMeasure | None, illustrative: Mapping[uuid.UUID, bool]
) -> MeasureBrief | None:
    if latest is None:
        return None
    return MeasureBrief(
        score=latest.score,
        band=latest.band,
        answered_at=latest.answered_at,
        change_from_first=latest.change_from_first,
        illustrative=illustrative[latest.questionnaire_id],
    )


def alert_counts(found: PatientMeasures) -> RiskAlertCounts:
    return RiskAlertCounts(
        unacknowledged=found.unacknowledged_alerts,
        overdue=found.overdue_alerts,
        oldest_at=found.oldest_unacknowledged_at,
    )


def work_focus_brief(found: PatientWorkFocus) -> WorkFocusBrief:
    return WorkFocusBrief(
        workplace_rating=found.workplace_rating,
        barriers_checked_on=found.barriers_checked_on,
        next_meeting_at=found.next_meeting_at,
        status_check_on=found.status_check_on,
        goals_reached_28d=found.goals_reached,
        last_goal_reached_on=found.last_goal_reached_on,
    )
