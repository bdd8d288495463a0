"""Races the suite had not made happen: two moves of one patient, two refreshes of one token,
two answers to one follow-up. Each is made to happen (tests/race_helpers.py: two app instances
on one database, the first held inside its transaction) and each proves that the loser went
through the branch written for losing, on PostgreSQL; SQLite queues writers, so there the
second simply runs after the first and the outcome is checked as such.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import Actor, Api
from tests.race_helpers import race, read_before_write, refusals, sent

NOW = datetime(2027, 7, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def _on_postgresql(settings: Settings) -> bool:
    return settings.database_url.startswith("postgresql")


def test_two_moves_of_one_patient_at_once_leave_one_active_link(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    admin, first, second, third = api.admin(), api.therapist(), api.therapist(), api.therapist()
    patient = api.patient(first)

    def move(client: TestClient, to: Actor) -> Any:
        return client.post(
            "/v1/admin/care-links",
            json={"patient_id": str(patient.id), "therapist_id": str(to.id)},
            headers=admin.headers,
        )

    # The first move is held after it locked the patient and ended the old link, before it
    # adds the new one; the second waits for the patient's row lock (PostgreSQL) or for the
    # database (SQLite), then finds the first's link and moves the patient on from there.
    with refusals(api.client) as refused, sent(api.client) as statements:
        results = race(
            settings,
            second_client,
            "INSERT INTO CARE_LINKS",
            lambda: move(second_client, second),
            lambda: move(api.client, third),
        )
    assert [r.status_code for r in results] == [201, 201], [r.text for r in results]
    assert refused == []  # the active-link index never had to refuse anyone
    # The loser asked for the patient's lock before it read the current link.
    lock = "SELECT users.timezone FROM users WHERE users.id = "  # lock_patient's statement
    locked = next(i for i, s in enumerate(statements) if s.startswith(lock))
    read = next(i for i, s in enumerate(statements) if s.startswith("SELECT care_links."))
    assert locked < read, statements
    if _on_postgresql(settings):
        assert statements[locked].endswith(" FOR UPDATE"), statements
    now_with = third
    for therapist in (first, second, third):
        seen = api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
        assert seen.status_code == (200 if therapist is now_with else 404), therapist


def test_two_refreshes_of_one_token_at_once_get_the_same_pair(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    patient = api.patient()

    def refresh(client: TestClient) -> Any:
        return client.post("/v1/auth/refresh", json={"refresh_token": patient.refresh_token})

    # The first refresh is held after it claimed the token, before it stores the new one; the
    # second waits for the claimed row, finds it claimed and answers the grace replay.
    with sent(api.client) as statements:
        results = race(
            settings,
            second_client,
            "INSERT INTO REFRESH_TOKENS",
            lambda: refresh(second_client),
            lambda: refresh(api.client),
        )
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    first, again = (r.json() for r in results)
    assert again["refresh_token"] == first["refresh_token"] != patient.refresh_token
    assert again["access_token"] == first["access_token"]
    reread = [s for s in statements if s.startswith("SELECT refresh_tokens.rotated_at FROM")]
    # On PostgreSQL the second lost the claim (its UPDATE found the row taken) and read who
    # took it; on SQLite it began after the first committed and saw the token spent at once.
    assert len(reread) == (1 if _on_postgresql(settings) else 0), statements
    # The session lives on: the new token rotates normally.
    onward = api.client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert onward.status_code == 200, onward.text


def test_two_answers_to_one_follow_up_at_once_store_one(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    with time_machine.travel(NOW, tick=True):
        therapist = api.therapist()
        patient = api.patient(therapist)
        done = api.client.put(
            f"/v1/patients/{patient.id}/rtw-completion",
            json={"rtw_completed_on": "2027-01-01"},
            headers=therapist.headers,
        )
        assert done.status_code == 200, done.text
        three = done.json()["follow_ups"][0]["id"]
        body = {"still_working": False, "needs_booster": True}

        def answer(client: TestClient) -> Any:
            return client.post(
                f"/v1/me/follow-ups/{three}/answer", json=body, headers=patient.headers
            )

        # The first answer is held after it took the patient's lock and opened the booster
        # request; the second waits for the lock, then finds the follow-up answered with the
        # same words and replays it (no second request).
        with sent(api.client) as statements:
            results = race(
                settings,
                second_client,
                "UPDATE FOLLOW_UPS",
                lambda: answer(second_client),
                lambda: answer(api.client),
            )
        assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
        assert results[1].json() == results[0].json()
        assert results[0].json()["booster_request"]["source"] == "follow_up"
        assert not any(s.startswith("UPDATE follow_ups") for s in statements), statements
        requests = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()
        assert requests["count"] == 1
        # A different answer after that is a conflict, not a rewrite.
        other = api.client.post(
            f"/v1/me/follow-ups/{three}/answer",
            json={"still_working": True, "needs_booster": False},
            headers=patient.headers,
        )
        assert (other.status_code, other.json()["code"]) == (409, "follow_up_answered")


def test_the_same_exercise_log_twice_at_once_stores_one(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    # Both read before either writes: the first is held just before its insert while the
    # second stores the log; the first's insert then finds the id taken and answers the
    # stored log (200), the branch for a retry that lost.
    patient = api.patient()
    body = {
        "id": "0b6c6f8e-2f7e-4b1e-9a51-6f1d1b7c2a10",
        "exercise_kind": "detached_mindfulness",
        "started_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "duration_seconds": 300,
        "detachment_before": 30,
        "detachment_after": 60,
    }

    def post(client: TestClient) -> Any:
        return client.post("/v1/me/exercise-logs", json=body, headers=patient.headers)

    first, second = read_before_write(
        settings,
        second_client,
        "INSERT INTO EXERCISE_LOGS",
        lambda: post(second_client),
        lambda: post(api.client),
    )
    expected = (200, 201) if _on_postgresql(settings) else (201, 200)
    assert (first.status_code, second.status_code) == expected, (first.text, second.text)
    assert first.json() == second.json()
    listed = api.client.get("/v1/me/exercise-logs", headers=patient.headers).json()
    assert [entry["id"] for entry in listed["data"]] == [body["id"]]


def test_two_identical_prescriptions_at_once_make_one_assignment(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    # The first is held after it locked the patient and found no overlap, before its insert;
    # the second waits for the lock, then finds the first's assignment: 409.
    therapist = api.therapist()
    patient = api.patient(therapist)
    url = f"/v1/patients/{patient.id}/assignments"
    body = {
        "exercise_kind": "attention_training",
        "times_per_day": 2,
        "starts_on": datetime.now(UTC).date().isoformat(),
    }
    first, second = race(
        settings,
        second_client,
        "INSERT INTO EXERCISE_ASSIGNMENTS",
        lambda: second_client.post(url, json=body, headers=therapist.headers),
        lambda: api.client.post(url, json=body, headers=therapist.headers),
    )
    assert (first.status_code, second.status_code) == (201, 409), (first.text, second.text)
    assert api.client.get(url, headers=therapist.headers).json()["count"] == 1
