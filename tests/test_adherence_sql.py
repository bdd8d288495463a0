"""One adherence rule: the SQL of app/exercises/adherence_sql.py against the pure `compute`.

Hypothesis draws assignments (daily and weekly doses, dose changes, pauses, start and end
dates around the window), logs (linked, unlinked, of other kinds, several a day) and a local
today; the SQL's prescribed and completed occurrences over 7-, 28- and 90-day windows must equal
the sum of `compute` over the assignments, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, delete, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.sqldays import day_number
from app.exercises.adherence import DayCount, Dose, Plan, compute
from app.exercises.adherence_sql import adherence_totals
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from tests.factories import Api

BASE = date(2026, 10, 1)
KINDS = ("attention_training", "worry_postponement")
WINDOWS = (7, 28, 90)  # the worklist's two windows; a report's quarter reaches before BASE


@st.composite
def doses(draw: st.DrawFn, starts_on: date) -> list[Dose]:
    changes = draw(st.lists(st.integers(1, 40), max_size=3, unique=True))
    result = []
    for offset in [0, *sorted(changes)]:
        daily = draw(st.booleans())
        result.append(
            Dose(
                starts_on + timedelta(days=offset),
                draw(st.integers(1, 3)) if daily else None,
                None if daily else draw(st.integers(1, 9)),
                draw(st.booleans()) if offset else False,
            )
        )
    return result


@st.composite
def caseload(draw: st.DrawFn) -> dict[str, Any]:
    today = BASE + timedelta(days=draw(st.integers(30, 45)))
    plans = []
    for _ in range(draw(st.integers(0, 3))):
        starts_on = BASE + timedelta(days=draw(st.integers(0, 50)))
        length = draw(st.none() | st.integers(0, 30))
        ends_on = None if length is None else starts_on + timedelta(days=length)
        plans.append(
            Plan(
                uuid.uuid4(),
                uuid.UUID(int=0),
                draw(st.sampled_from(KINDS)),
                starts_on,
                ends_on,
                tuple(draw(doses(starts_on))),
            )
        )
    logs = []
    for _ in range(draw(st.integers(0, 40))):
        day = BASE + timedelta(days=draw(st.integers(0, 50)))
        linked = draw(st.none() | st.sampled_from([p.id for p in plans])) if plans else None
        logs.append((day, linked, draw(st.sampled_from(KINDS))))
    return {"today": today, "plans": plans, "logs": logs}


def _expected(data: dict[str, Any], back: int) -> tuple[int, int]:
    counted = Counter(data["logs"])
    days = [
        DayCount(linked, kind, day, n, datetime.combine(day, time(8), UTC))
        for (day, linked, kind), n in counted.items()
    ]
    today = data["today"]
    prescribed = completed = 0
    for plan in data["plans"]:
        result = compute(
            plan, days, window_start=today - timedelta(days=back), window_end=today, today=today
        )
        prescribed, completed = prescribed + result.prescribed, completed + result.completed
    return prescribed, completed


async def _store_and_read(
    session: AsyncSession, patient_id: uuid.UUID, other_id: uuid.UUID, data: dict[str, Any]
) -> dict[int, tuple[int, int]]:
    """Stores the patient's plans and logs, and the same logs unlinked for another patient
    (the SQL must not count them: they are of the patient's kinds, on the same days)."""
    await session.execute(
        delete(exercise_log_table).where(
            exercise_log_table.c.patient_id.in_([patient_id, other_id])
        )
    )
    await session.execute(
        delete(assignment_table).where(assignment_table.c.patient_id == patient_id)
    )
    now = datetime.now(UTC)
    for plan in data["plans"]:
        await session.execute(
            insert(assignment_table).values(
                id=plan.id,
                patient_id=patient_id,
                exercise_kind=plan.exercise_kind,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                created_at=now,
                updated_at=now,
            )
        )
        for dose in plan.doses:
            await session.execute(
                insert(dose_table).values(
                    id=uuid.uuid4(),
                    assignment_id=plan.id,
                    effective_from=dose.effective_from,
                    times_per_day=dose.times_per_day,
                    times_per_week=dose.times_per_week,
                    paused=dose.paused,
                    created_at=now,
                )
            )
    logs = [(patient_id, *log) for log in data["logs"]]
    logs += [(other_id, day, None, kind) for day, _, kind in data["logs"]]
    for owner, day, linked, kind in logs:
        started = datetime.combine(day, time(8), UTC)
        await session.execute(
            insert(exercise_log_table).values(
                id=uuid.uuid4(),
                patient_id=owner,
                assignment_id=linked,
                exercise_kind=kind,
                started_at=started,
                local_date=day,
                duration_seconds=60,
                details={},
                body_hash="0" * 64,
                created_at=now,
            )
        )
    patients = select(
        literal(patient_id).label("id"), literal(day_number(data["today"]), Integer).label("today")
    ).subquery("patients")
    found = {}
    for back in WINDOWS:
        # the earliest log date read: the Monday of the window's first day at the latest
        first_day = data["today"] - timedelta(days=back + 6)
        totals = adherence_totals(
            patients, back=back, first_day=first_day, last_day=data["today"], name=f"a{back}"
        )
        row = (await session.execute(select(totals))).first()
        found[back] = (0, 0) if row is None else (int(row.prescribed), int(row.completed))
    await session.rollback()
    return found


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=caseload())
def test_sql_adherence_equals_the_pure_rule(api: Api, data: dict[str, Any]) -> None:
    patients = getattr(api, "_adherence_patients", None)
    if patients is None:
        patients = (api.patient(), api.patient())
        api._adherence_patients = patients  # type: ignore[attr-defined]
    patient, other = patients
    found = api.db(lambda session: _store_and_read(session, patient.id, other.id, data))
    note(repr(data))
    assert found == {back: _expected(data, back) for back in WINDOWS}


def test_todays_done_is_told_from_the_days_before(api: Api) -> None:
    """Today's done counts toward the prescribed (rule 4) and is read together with the
    window's (one read per daily segment): logs on the days around today, capped per day."""
    today = BASE + timedelta(days=40)
    daily = uuid.uuid4()
    plan = Plan(daily, uuid.UUID(int=0), KINDS[0], BASE, None, (Dose(BASE, 2, None, False),))
    cases = [
        [today - timedelta(days=1)],  # yesterday only: nothing done today
        [today, today - timedelta(days=1), today - timedelta(days=1)],
        [today, today, today, today + timedelta(days=1)],  # capped at 2; tomorrow not read
    ]
    patient, other = api.patient(), api.patient()
    for days in cases:
        data: dict[str, Any] = {
            "today": today,
            "plans": [plan],
            "logs": [(day, daily, KINDS[0]) for day in days],
        }

        async def read(session: AsyncSession, data: dict[str, Any] = data) -> Any:
            return await _store_and_read(session, patient.id, other.id, data)

        found = api.db(read)
        assert found == {back: _expected(data, back) for back in WINDOWS}, days
