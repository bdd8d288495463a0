"""The set-based reads the worklist will call: alerts, due measures and the latest scores for many
patients at once, in three statements whatever the number of patients or their history."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from app.measures.queries import PatientMeasures, measures_for_patients
from tests.checkin_helpers import relogin
from tests.dashboard_helpers import counted
from tests.factories import Actor, Api
from tests.measure_helpers import answer, body, post, schedule

TODAY = date(2026, 11, 18)
NOW = datetime(2026, 11, 18, 10, tzinfo=UTC)


def _read(api: Api, patients: list[Actor]) -> dict[uuid.UUID, PatientMeasures]:
    async def work(session: AsyncSession) -> dict[uuid.UUID, PatientMeasures]:
        return await measures_for_patients(
            session,
            today_by_patient={p.id: TODAY for p in patients},
            overdue_before=NOW - timedelta(hours=24),
        )

    return api.db(work)


def test_alerts_due_measures_and_latest_scores_for_a_caseload(api: Api) -> None:
    therapist = api.therapist()
    risky, improving, quiet = (api.patient(therapist) for _ in range(3))
    with time_machine.travel("2026-11-16T09:00:00Z", tick=False):
        relogin(api, therapist)
        relogin(api, risky)
        relogin(api, improving)
        schedule(
            api, therapist, risky, {"measure": "gad7", "every_days": 14, "starts_on": "2026-10-29"}
        )
        schedule(
            api,
            therapist,
            improving,
            {"measure": "phq9", "every_days": 7, "starts_on": "2026-11-18"},
        )
        old = answer(api, risky, "phq9", 20, "2026-11-16T07:00:00Z", item9=2)  # overdue by the 18th
        acked = answer(api, risky, "phq9", 12, "2026-11-16T08:00:00Z", item9=1)
        for total, at in ((17, "2026-10-21T18:00:00Z"), (12, "2026-11-04T18:00:00Z")):
            answer(api, improving, "phq9", total, at)
        ack = api.client.post(
            f"/v1/risk-alerts/{acked['risk_alert']['id']}/acknowledge",
            json={"action_taken": "met_patient"},
            headers=therapist.headers,
        )
        assert ack.status_code == 200
    with time_machine.travel(NOW, tick=False):
        relogin(api, risky)
        relogin(api, improving)
        fresh = answer(api, risky, "phq9", 9, item9=1)  # today: not overdue yet
        answer(api, improving, "phq9", 8, "2026-11-17T18:00:00Z")
        answer(api, improving, "gad7", 6, "2026-11-17T18:00:00Z")

        with counted(api) as statements:
            found = _read(api, [risky, improving, quiet])
        assert len(statements) == 3

    r = found[risky.id]
    assert (r.risk, r.unacknowledged_alerts, r.overdue_alerts) == (True, 2, 1)
    assert r.oldest_unacknowledged_at == datetime.fromisoformat(old["created_at"])
    assert [(d.measure, d.status, d.due_on) for d in r.due] == [
        ("gad7", "overdue", date(2026, 11, 12))
    ]
    assert r.measure_overdue is True
    assert r.latest["phq9"].score == 9.0  # the newest of three: 20, 12, then 9
    assert r.latest["phq9"].change_from_first == -11.0
    assert fresh["risk_alert"]["status"] == "open"

    i = found[improving.id]
    assert (i.risk, i.measure_overdue) == (False, False)
    assert [(d.measure, d.status) for d in i.due] == [("phq9", "due")]  # due today, on time
    phq9, gad7 = i.latest["phq9"], i.latest["gad7"]
    assert (phq9.score, phq9.band, phq9.first_score, phq9.change_from_first) == (
        8.0,
        "mild",
        17.0,
        -9.0,
    )
    assert (gad7.score, gad7.band, gad7.change_from_first) == (6.0, "mild", 0.0)

    assert found[quiet.id] == PatientMeasures()
    assert (found[quiet.id].risk, found[quiet.id].measure_overdue) == (False, False)


def test_the_statement_count_does_not_grow_with_patients_or_history(api: Api) -> None:
    therapist = api.therapist()
    few = [api.patient(therapist)]
    many = [api.patient(therapist) for _ in range(6)]
    with time_machine.travel(NOW, tick=False):
        for who in many:
            relogin(api, who)
            for week in range(8):
                at = (NOW - timedelta(days=7 * week + 1)).isoformat()
                answer(api, who, "phq9", 10, at, item9=week % 2)
        sizes = []
        for group in (few, many):
            with counted(api) as statements:
                result = _read(api, group)
            sizes.append(len(statements))
            assert set(result) == {p.id for p in group}
    assert sizes == [3, 3]
    assert _read(api, []) == {}


def test_responses_at_the_same_moment_are_ordered_by_id(api: Api) -> None:
    """The first and the latest response are ranked by answer time, then by id (the former
    `row_number()` ranking's order, kept by the index-probe columns)."""
    patient = api.patient(api.therapist())
    early, late = "2026-11-10T08:00:00Z", "2026-11-17T08:00:00Z"
    ids = {
        (early, 5): "8" * 32,
        (early, 7): "2" * 32,  # the first: the earliest moment, the lowest id
        (late, 9): "f" * 32,  # the latest: the latest moment, the highest id
        (late, 11): "1" * 32,
    }
    with time_machine.travel(NOW, tick=False):
        relogin(api, patient)
        for (at, total), response_id in ids.items():
            posted = post(api, patient, "phq9", body("phq9", total, at, response_id=response_id))
            assert posted.status_code == 201, posted.text
        latest = _read(api, [patient])[patient.id].latest["phq9"]
    assert (latest.first_score, latest.score, latest.change_from_first) == (7.0, 9.0, 2.0)
