"""The worklist's plan-review test in SQL (`worklist_clinical.review_due_of`) against the pure
`app.work.reviews.review_due`, day by day, on stored plan bodies: reviews held or not, review
dates explicit (also out of stage order) or by default, several stages whose dates have come.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, delete, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.dashboard.worklist_clinical import review_due_of
from app.work.models import rtw_plan_table
from app.work.plan import plan_of
from app.work.reviews import review_due
from tests.factories import Api

FIRST, LAST = date(2026, 10, 28), date(2026, 12, 31)


def _stage(starts_on: str, review_on: str | None = None, reviewed_on: str | None = None) -> Any:
    return {
        "starts_on": starts_on,
        "sick_leave_percent": 50,
        "planned_weekly_hours": None,
        "adjustments": None,
        "review_on": review_on,
        "reviewed_on": reviewed_on,
    }


PLANS = [
    # the first review held, the second's (by default, start + 14) not
    [_stage("2026-11-02", reviewed_on="2026-11-16"), _stage("2026-11-16")],
    # an explicit review date before a later stage's (held): the later one supersedes it
    [
        _stage("2026-11-02", review_on="2026-11-20"),
        _stage("2026-11-09", review_on="2026-11-12", reviewed_on="2026-11-12"),
        _stage("2026-11-30"),
    ],
    # none held; the last stage's review held early
    [
        _stage("2026-11-02"),
        _stage("2026-11-10", review_on="2026-11-11"),
        _stage("2026-12-01", reviewed_on="2026-12-03"),
    ],
]


async def _sql_days(session: AsyncSession, patient_id: uuid.UUID, body: Any) -> list[bool]:
    await session.execute(delete(rtw_plan_table).where(rtw_plan_table.c.patient_id == patient_id))
    await session.execute(
        insert(rtw_plan_table).values(
            patient_id=patient_id,
            version=1,
            body=body,
            updated_by_role="therapist",
            updated_at=datetime.now(UTC),
        )
    )
    found = []
    day = FIRST
    while day <= LAST:
        value = (
            await session.execute(select(review_due_of(literal(patient_id), literal(day, Date()))))
        ).scalar_one()
        found.append(bool(value))
        day += timedelta(days=1)
    await session.rollback()
    return found


def test_the_sql_review_is_the_pure_rule_every_day(api: Api) -> None:
    patient = api.patient()
    for stages in PLANS:
        body = {
            "agreed_weekly_hours": "37.50",
            "work_days": ["mon", "tue", "wed", "thu", "fri"],
            "stages": stages,
            "next_review_on": None,
        }
        plan = plan_of(body)
        days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
        expected = [review_due(plan, today=day) for day in days]
        assert any(expected)  # each plan has both answers
        assert not all(expected)

        async def read(session: AsyncSession, body: Any = body) -> list[bool]:
            return await _sql_days(session, patient.id, body)

        found = api.db(read)
        assert found == expected, stages
