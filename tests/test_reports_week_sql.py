"""The report's work rows carry the last complete week's diary pivoted to one row per patient
(`queries_work._last_week`); `figures._week_days` turns it back into the diary `week_grade` reads.
Held to the stored entries (hypothesis, every day type, entries before and after the week
that must not count), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.models import care_link_table
from app.reports import queries, queries_work
from app.reports.figures import _week_days
from app.reports.periods import parse_period
from app.work.grades import Day
from app.work.models import work_diary_table
from tests.factories import Actor, Api

BOUNDS = queries.Bounds(parse_period("2026-11"), date(2026, 11, 30))
MONDAY = BOUNDS.last_week  # 23 November
DATES = [MONDAY + timedelta(days=d) for d in queries_work.WEEKDAYS]
DAY = st.one_of(
    st.builds(Day, st.integers(0, 1440), st.just("work")),
    st.builds(Day, st.just(0), st.sampled_from(("vacation", "leave"))),
)
DIARY = st.dictionaries(
    st.dates(min_value=MONDAY - timedelta(days=3), max_value=MONDAY + timedelta(days=10)),
    DAY,
    max_size=12,
)


async def _store_and_read(
    session: AsyncSession, therapist: Actor, patients: list[Actor], diaries: list[dict[date, Day]]
) -> dict[uuid.UUID, dict[date, Day]]:
    for patient, diary in zip(patients, diaries, strict=True):
        await session.execute(
            insert(care_link_table).values(
                id=uuid.uuid4(),
                patient_id=patient.id,
                therapist_id=therapist.id,
                created_at=datetime(2026, 9, 1, tzinfo=UTC),
            )
        )
        for day, entry in diary.items():
            await session.execute(
                insert(work_diary_table).values(
                    id=uuid.uuid4(),
                    patient_id=patient.id,
                    local_date=day,
                    worked_minutes=entry.worked_minutes,
                    day_type=entry.day_type,
                )
            )
    rows = await queries.load(session, bounds=BOUNDS, therapist_id=therapist.id)
    await session.rollback()
    known: dict[Any, Day] = {}  # shared by every patient, as the report shares it
    return {row.patient_id: _week_days(row, DATES, known) for row in rows.work}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(diaries=st.lists(DIARY, min_size=3, max_size=3))
def test_the_week_in_the_work_rows_is_the_stored_diary(
    api: Api, diaries: list[dict[date, Day]]
) -> None:
    cast = getattr(api, "_week_cast", None)
    if cast is None:
        cast = (api.therapist(), [api.patient() for _ in range(3)])
        api._week_cast = cast  # type: ignore[attr-defined]
    therapist, patients = cast
    found = api.db(lambda session: _store_and_read(session, therapist, patients, diaries))
    note(repr(diaries))
    want = {
        patient.id: {day: entry for day, entry in sorted(diary.items()) if day in DATES}
        for patient, diary in zip(patients, diaries, strict=True)
    }
    assert found == want
    # the same order of days as the diary's (Monday first), which week_grade does not need
    assert all(list(days) == sorted(days) for days in found.values())


def test_the_week_is_the_last_complete_one() -> None:
    assert date(2026, 11, 23) == MONDAY
    assert DATES[-1] == date(2026, 11, 29)
