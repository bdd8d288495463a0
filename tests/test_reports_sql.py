"""The report's SQL against the definitions it restates (hypothesis, as test_adherence_sql.py
does for adherence): per patient, the number of check-ins by the end of the period (counted up
to 7) and the means of the first and of the last 7 (app.reports.figures), and the first and
last PHQ-9 and GAD-7 score by the end of the period (the inputs of app.measures.recovery), on
random data with rows after the period that must not count, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import statistics
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.models import care_link_table
from app.checkins.models import checkin_table
from app.checkins.summary import BASELINE_CHECKINS
from app.instruments.models import questionnaire_version_table
from app.measures.models import measure_response_table
from app.reports import queries
from app.reports.periods import parse_period
from tests.factories import Actor, Api

PERIOD = parse_period("2026-11")
BOUNDS = queries.Bounds(PERIOD, PERIOD.last)
DAYS = st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 12, 15))
SCORE = st.integers(10, 60).map(lambda tenths: tenths / 10)


@st.composite
def caseload(draw: st.DrawFn) -> list[dict[str, Any]]:
    patients = []
    for _ in range(3):
        checkins = draw(st.dictionaries(DAYS, SCORE, max_size=20))
        measures = {
            key: draw(
                st.dictionaries(
                    st.datetimes(
                        min_value=datetime(2026, 9, 1),
                        max_value=datetime(2026, 12, 15),
                        timezones=st.just(UTC),
                    ),
                    st.integers(0, top),
                    max_size=5,
                )
            )
            for key, top in (("phq9", 27), ("gad7", 21))
        }
        patients.append({"checkins": checkins, "measures": measures})
    return patients


def _expected(patients: list[Actor], data: list[dict[str, Any]]) -> tuple[Any, Any]:
    checkins, measures = {}, {}
    for patient, drawn in zip(patients, data, strict=True):
        scores = [s for d, s in sorted(drawn["checkins"].items()) if d <= BOUNDS.as_of]
        if scores:
            first, last = scores[:BASELINE_CHECKINS], scores[-BASELINE_CHECKINS:]
            # the number is counted up to BASELINE_CHECKINS: all the figures ask of it
            n = min(len(scores), BASELINE_CHECKINS)
            checkins[patient.id] = (n, statistics.fmean(first), statistics.fmean(last))
        for key, answers in drawn["measures"].items():
            kept = [s for at, s in sorted(answers.items()) if at < BOUNDS.end_at]
            if kept:
                measures[(patient.id, key)] = (len(kept), kept[0], kept[-1])
    return checkins, measures


async def _store_and_read(
    session: AsyncSession, therapist: Actor, patients: list[Actor], data: list[dict[str, Any]]
) -> tuple[Any, Any]:
    q = questionnaire_version_table.c
    versions = {row.key: row.id for row in await session.execute(select(q.key, q.id))}
    for patient, drawn in zip(patients, data, strict=True):
        await session.execute(
            insert(care_link_table).values(
                id=uuid.uuid4(),
                patient_id=patient.id,
                therapist_id=therapist.id,
                created_at=datetime(2026, 9, 1, tzinfo=UTC),
            )
        )
        for day, score in drawn["checkins"].items():
            await session.execute(
                insert(checkin_table).values(
                    id=uuid.uuid4(),
                    patient_id=patient.id,
                    local_date=day,
                    questionnaire_id=versions["rtw-se"],
                    answers={},
                    score=score,
                )
            )
        for key, answers in drawn["measures"].items():
            for at, score in answers.items():
                await session.execute(
                    insert(measure_response_table).values(
                        id=uuid.uuid4(),
                        patient_id=patient.id,
                        measure=key,
                        questionnaire_id=versions[key],
                        answers={},
                        score=score,
                        answered_at=at,
                        local_date=at.date(),
                        body_hash="0" * 64,
                    )
                )
    rows = await queries.load(session, bounds=BOUNDS, therapist_id=therapist.id)
    await session.rollback()
    checkins = {r.patient_id: (r.n, float(r.baseline), float(r.latest)) for r in rows.checkins}
    measures = {
        (r.patient_id, r.measure): (r.n, float(r.first), float(r.last)) for r in rows.measures
    }
    return checkins, measures


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=caseload())
def test_the_reports_sql_equals_its_definitions(api: Api, data: list[dict[str, Any]]) -> None:
    cast = getattr(api, "_report_cast", None)
    if cast is None:
        cast = (api.therapist(), [api.patient() for _ in range(3)])
        api._report_cast = cast  # type: ignore[attr-defined]
    therapist, patients = cast
    found = api.db(lambda session: _store_and_read(session, therapist, patients, data))
    note(repr(data))
    want_checkins, want_measures = _expected(patients, data)
    got_checkins, got_measures = found
    assert got_checkins.keys() == want_checkins.keys()
    for key, (n, baseline, latest) in want_checkins.items():
        assert got_checkins[key][0] == n
        assert abs(got_checkins[key][1] - baseline) < 1e-9
        assert abs(got_checkins[key][2] - latest) < 1e-9
    assert got_measures == want_measures


def test_the_window_reaches_the_last_day_and_no_further() -> None:
    assert BOUNDS.start_at == datetime.combine(date(2026, 11, 1), time(), UTC)
    assert BOUNDS.end_at == datetime.combine(date(2026, 11, 30) + timedelta(days=1), time(), UTC)
