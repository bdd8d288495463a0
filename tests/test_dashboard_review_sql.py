"""The worklist's plan review: the stored `rtw_plans.review_switches` against the pure
`app.work.reviews.review_due`, day by day.

- the switch days (`review_switches`) give `review_due` on every day, for hand-picked and
  randomized plans (reviews held or not, review dates explicit, also out of stage order, or
  by default, a plan-level `next_review_on`);
- the SQL reading them (`worklist_clinical.review_due_of`) gives the same on both databases;
- every save of a plan stores them (a plan edited: the value follows), and the migration's
  backfill (its own copy of the computation) gives the same as the app.
"""

from __future__ import annotations

import importlib.util
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Integer

from app.core.sqldays import day_number
from app.dashboard.worklist_clinical import review_due_of
from app.work.models import rtw_plan_table
from app.work.plan import plan_of
from app.work.reviews import review_due, review_switches
from tests.checkin_helpers import relogin
from tests.factories import Actor, Api

FIRST, LAST = date(2026, 10, 28), date(2026, 12, 31)
_p = rtw_plan_table.c


def _stage(starts_on: str, review_on: str | None = None, reviewed_on: str | None = None) -> Any:
    return {
        "starts_on": starts_on,
        "sick_leave_percent": 50,
        "planned_weekly_hours": None,
        "adjustments": None,
        "review_on": review_on,
        "reviewed_on": reviewed_on,
    }


def _body(stages: list[Any], next_review_on: str | None = None) -> dict[str, Any]:
    return {
        "agreed_weekly_hours": "37.50",
        "work_days": ["mon", "tue", "wed", "thu", "fri"],
        "stages": stages,
        "next_review_on": next_review_on,
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
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def _by_switches(switches: list[int], day: date) -> bool:
    return sum(1 for switch in switches if switch <= day_number(day)) % 2 == 1


async def _sql_days(session: AsyncSession, patient_id: uuid.UUID, body: Any) -> list[bool]:
    await session.execute(delete(rtw_plan_table).where(_p.patient_id == patient_id))
    await session.execute(
        insert(rtw_plan_table).values(
            patient_id=patient_id,
            version=1,
            body=body,
            review_switches=review_switches(plan_of(body)),
            updated_by_role="therapist",
            updated_at=datetime.now(UTC),
        )
    )
    found = []
    for day in DAYS:
        due = review_due_of(_p.review_switches, literal(day_number(day), Integer()))
        value = (await session.execute(select(due).where(_p.patient_id == patient_id))).scalar_one()
        found.append(bool(value))
    await session.rollback()
    return found


def test_the_sql_review_is_the_pure_rule_every_day(api: Api) -> None:
    patient = api.patient()
    for stages in PLANS:
        body = _body(stages)
        plan = plan_of(body)
        expected = [review_due(plan, today=day) for day in DAYS]
        assert any(expected)  # each plan has both answers
        assert not all(expected)
        assert [_by_switches(review_switches(plan), day) for day in DAYS] == expected

        async def read(session: AsyncSession, body: Any = body) -> list[bool]:
            return await _sql_days(session, patient.id, body)

        found = api.db(read)
        assert found == expected, stages


def test_no_plan_is_no_review_due_in_sql(api: Api) -> None:
    patient = api.patient()

    async def read(session: AsyncSession) -> Any:
        switches = select(_p.review_switches).where(_p.patient_id == patient.id).scalar_subquery()
        return (await session.execute(select(review_due_of(switches, literal(20_000))))).scalar()

    assert api.db(read) in (False, 0)


def _migration() -> ModuleType:
    [path] = Path("migrations/versions").glob("*_0c97addef7a2_*.py")
    spec = importlib.util.spec_from_file_location("review_switches_migration", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIGRATION = _migration()
BASE = date(2026, 11, 2)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A stored plan body: 1-5 stages starting on increasing days; each review date explicit
    (on or after the stage's start, possibly after later stages' dates) or by default; each
    review held or not; sometimes a plan-level next_review_on."""
    starts, day = [], BASE
    for _ in range(draw(st.integers(1, 5))):
        day += timedelta(days=draw(st.integers(1, 30)))
        starts.append(day)
    stages = []
    for starts_on in starts:
        review = draw(st.none() | st.integers(0, 40))
        held = draw(st.none() | st.integers(0, 10))
        stages.append(
            _stage(
                starts_on.isoformat(),
                (starts_on + timedelta(days=review)).isoformat() if review is not None else None,
                (starts_on + timedelta(days=held)).isoformat() if held is not None else None,
            )
        )
    plan_review = draw(st.none() | st.integers(0, 120))
    return _body(
        stages,
        (starts[0] + timedelta(days=plan_review)).isoformat() if plan_review is not None else None,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_switches_give_the_pure_review_every_day_and_the_backfill_agrees(
    body: dict[str, Any],
) -> None:
    plan = plan_of(body)
    switches = review_switches(plan)
    assert switches == sorted(set(switches))
    first = date.fromisoformat(body["stages"][0]["starts_on"]) - timedelta(days=2)
    for offset in range(200):
        day = first + timedelta(days=offset)
        assert _by_switches(switches, day) == review_due(plan, today=day), (day, switches)
    assert MIGRATION.switches(body) == switches


def _stored(api: Api, patient: Actor) -> list[int]:
    async def read(session: AsyncSession) -> list[int]:
        found = await session.scalar(select(_p.review_switches).where(_p.patient_id == patient.id))
        assert found is not None
        return list(found)

    return api.db(read)


@time_machine.travel("2026-11-16T10:00:00Z", tick=False)
def test_every_save_stores_the_switches_and_an_edit_moves_them(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    stages = [
        {"starts_on": "2026-11-02", "sick_leave_percent": 100},
        {"starts_on": "2026-11-16", "sick_leave_percent": 50},
        {"starts_on": "2026-11-30", "sick_leave_percent": 0},
    ]
    url = f"/v1/patients/{patient.id}/rtw-plan"
    saved = api.client.put(url, json={"stages": stages}, headers=therapist.headers)
    assert saved.status_code == 200, saved.text
    # reviews on 16 and 30 November and 14 December, none held: due from the 16th on
    assert _stored(api, patient) == [day_number(date(2026, 11, 16))]
    held = [{**stages[0], "reviewed_on": "2026-11-16"}, *stages[1:]]
    saved = api.client.put(url, json={"stages": held}, headers=therapist.headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["review_due"] is False
    # the first held: due from the second stage's review date (30 November) on
    assert _stored(api, patient) == [day_number(date(2026, 11, 30))]
    worklist = api.client.get("/v1/patients?limit=50", headers=therapist.headers).json()
    [row] = worklist["data"]
    assert "review_due" not in row["flags"]
    with time_machine.travel("2026-11-30T10:00:00Z", tick=False):
        relogin(api, therapist)
        worklist = api.client.get("/v1/patients?limit=50", headers=therapist.headers).json()
    [row] = worklist["data"]
    assert "review_due" in row["flags"]
