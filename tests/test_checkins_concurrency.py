"""Retries and races: the same day written twice at once, two booster requests at once,
and the check-in write's fixed statement budget.

The races are made to happen (tests/race_helpers.py) and, on PostgreSQL, the loser goes through
the branch written for losing: the upsert that finds the day taken, the lock that finds a
request active. On SQLite, whose writers queue, the second runs after the first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.boosters.followup_answers import due_follow_ups
from app.boosters.queries import open_booster_counts
from app.checkins import service
from app.checkins.summary import checkin_stats_for_patients
from app.core.config import Settings
from app.main import create_app
from tests.checkin_helpers import answers, seed_scores
from tests.factories import Api
from tests.race_helpers import race, read_before_write

NOW = datetime(2027, 5, 10, 10, 0, tzinfo=UTC)
TODAY = date(2027, 5, 10)


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_same_check_in_twice_at_once(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    # Both read (questionnaire, no row yet) before either writes: the first is held just
    # before its upsert while the second writes the day, opens the booster request and
    # commits. The first then finds the day taken: its upsert replaces the row (200, not a
    # second row, not a 500) and its rule run finds the request open (none opened twice).
    with time_machine.travel(NOW, tick=True):
        patient = api.patient()
        seed_scores(api, patient, {TODAY - timedelta(days=d): 2.0 for d in (2, 1)})
        url = f"/v1/me/checkins/{TODAY}"

        def put(client: TestClient) -> Any:
            return client.put(url, json={"answers": answers(2)}, headers=patient.headers)

        first, second = read_before_write(
            settings,
            second_client,
            "INSERT INTO CHECKINS",
            lambda: put(second_client),
            lambda: put(api.client),
        )
        if settings.database_url.startswith("postgresql"):
            # The held one lost: it wrote second, over the other's row.
            assert (first.status_code, second.status_code) == (200, 201), (first.text, second.text)
            winner, loser = second.json(), first.json()
        else:
            assert (first.status_code, second.status_code) == (201, 200), (first.text, second.text)
            winner, loser = first.json(), second.json()
        assert loser["created_at"] == winner["created_at"]  # one row, replaced by the loser
        assert winner["booster_request"]["source"] == "checkin_rule"
        assert loser["booster_request"] is None
        listed = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()
        assert listed["count"] == 1
        days = api.client.get("/v1/me/checkins", headers=patient.headers).json()
        assert [c["local_date"] for c in days["data"]].count(TODAY.isoformat()) == 1


def test_two_booster_requests_at_once(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    # The first is held after it locked the patient and found nothing active, before its
    # insert; the second waits for the lock, then finds the first's request: 409.
    patient = api.patient()

    def ask(client: TestClient) -> Any:
        return client.post("/v1/me/booster-requests", json={}, headers=patient.headers)

    first, second = race(
        settings,
        second_client,
        "INSERT INTO BOOSTER_REQUESTS",
        lambda: ask(second_client),
        lambda: ask(api.client),
    )
    assert (first.status_code, second.status_code) == (201, 409), (first.text, second.text)
    assert second.json()["code"] == "booster_request_open"
    assert second.json()["open_request_id"] == first.json()["id"]


def test_a_check_in_write_is_a_small_fixed_number_of_statements(api: Api) -> None:
    with time_machine.travel(NOW):
        patient = api.patient()
        seed_scores(api, patient, {TODAY - timedelta(days=d): 2.0 for d in (2, 1)})
        # The writer's guess of the current questionnaire version starts empty: the first
        # write reads it, later ones let the upsert check it.
        service._last_current.clear()
        statements: list[str] = []

        def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
            if not sql.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                statements.append(sql)

        engine = api.services.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            url = f"/v1/me/checkins/{TODAY}"
            fired = api.client.put(url, json={"answers": answers(2)}, headers=patient.headers)
            firing = len(statements)
            statements.clear()
            quiet = api.client.put(url, json={"answers": answers(2)}, headers=patient.headers)
            replacing = len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert fired.json()["booster_request"] is not None
        assert quiet.json()["booster_request"] is None
        # auth, questionnaire id (only while the writer has no guess of it), upsert, the
        # rule's context with the window's scores; when the rule opens a request: the
        # patient's row lock, the active-request check, the request, its event
        assert (firing, replacing) == (8, 3)


def test_set_based_reads_for_many_patients(api: Api) -> None:
    with time_machine.travel(NOW):
        therapist = api.therapist()
        a, b, c = (api.patient(therapist) for _ in range(3))
        # a: this week 4 and 5 (4.5), last week 3 (3.0); b: one check-in 20 days ago; c: none
        seed_scores(
            api,
            a,
            {TODAY: 4.0, TODAY - timedelta(days=6): 5.0, TODAY - timedelta(days=7): 3.0},
        )
        seed_scores(api, b, {TODAY - timedelta(days=20): 2.0})
        api.client.post("/v1/me/booster-requests", json={}, headers=b.headers)
        api.client.put(
            f"/v1/patients/{c.id}/rtw-completion",
            json={"rtw_completed_on": "2027-01-10"},
            headers=therapist.headers,
        )
        today = {a.id: TODAY, b.id: TODAY, c.id: TODAY}
        stats = api.db(lambda s: checkin_stats_for_patients(s, today_by_patient=today))
        assert (stats[a.id].mean_7d, stats[a.id].checkins_7d) == (4.5, 2)
        assert (stats[a.id].previous_mean_7d, stats[a.id].previous_checkins_7d) == (3.0, 1)
        assert stats[a.id].last_checkin_on == TODAY
        assert (stats[b.id].last_checkin_on, stats[b.id].mean_7d) == (
            TODAY - timedelta(days=20),
            None,
        )
        assert stats[c.id].last_checkin_on is None
        counts = api.db(lambda s: open_booster_counts(s, patient_ids=[a.id, b.id, c.id]))
        assert counts == {
            a.id: {"open": 0, "scheduled": 0},
            b.id: {"open": 1, "scheduled": 0},
            c.id: {"open": 0, "scheduled": 0},
        }
        due = api.db(lambda s: due_follow_ups(s, today_by_patient=today))
        assert [f.due_on for f in due[c.id]] == [date(2027, 4, 10)]
        assert due[a.id] == due[b.id] == []
