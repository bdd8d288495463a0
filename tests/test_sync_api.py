"""GET /v1/me/sync over HTTP: a snapshot in pages, then deltas; what `data` holds; tombstones;
cursors that are not ours (422) or too old (410); purge and erasure of the change log."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.pagination import encode_cursor
from app.privacy.retention import purge_expired
from app.sync.models import sync_change_table
from tests.checkin_helpers import answers, relogin
from tests.factories import Actor, Api
from tests.sync_helpers import apply, changes_until, exercise_log, next_changes, sync_all, sync_page


def _log(api: Api, patient: Actor, **overrides: Any) -> dict[str, Any]:
    response = api.client.post(
        "/v1/me/exercise-logs", json=exercise_log(**overrides), headers=patient.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _checkin(api: Api, patient: Actor, day: date, value: int) -> None:
    response = api.client.put(
        f"/v1/me/checkins/{day.isoformat()}",
        json={"answers": answers(value)},
        headers=patient.headers,
    )
    assert response.status_code in (200, 201), response.text


def _today() -> date:
    return datetime.now(UTC).date()


def _rows(api: Api, patient_id: uuid.UUID) -> int:
    async def work(session: AsyncSession) -> int:
        query = select(func.count()).where(sync_change_table.c.patient_id == patient_id)
        return int(await session.scalar(query) or 0)

    return api.db(work)


def test_a_snapshot_comes_in_pages_then_deltas_from_where_it_began(api: Api) -> None:
    patient, other = api.patient(), api.patient()
    logs = [_log(api, patient) for _ in range(5)]
    _log(api, other)
    _checkin(api, patient, _today(), 4)
    pages, cursor, seen = [], None, []
    while True:
        page = sync_page(api, patient, cursor, limit=2)
        assert len(page["changes"]) <= 2
        pages.append(page)
        seen += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert len(pages) >= 3
    state: dict[tuple[str, str], Any] = {}
    apply(state, seen)
    assert {key for key in state if key[0] == "exercise_log"} == {
        ("exercise_log", log["id"]) for log in logs
    }
    for log in logs:  # the same representation as the answer of the log's own POST
        assert state[("exercise_log", log["id"])] == log
    listed = api.client.get("/v1/me/checkins", headers=patient.headers).json()["data"]
    checkins = [data for (kind, _id), data in state.items() if kind == "checkin"]
    assert checkins == listed
    # Deltas: a new log and a changed check-in, each once, with their current state.
    added = _log(api, patient)
    _checkin(api, patient, _today(), 2)
    _checkin(api, patient, _today(), 1)

    def arrived(got: list[dict[str, Any]]) -> bool:
        ids = {c["id"] for c in got}
        scores = [c["data"]["score"] for c in got if c["type"] == "checkin"]
        return added["id"] in ids and scores[-1:] == [1.0]

    delta, cursor = changes_until(api, patient, cursor, arrived)
    apply(state, delta)
    assert state[("exercise_log", added["id"])] == added
    listed = api.client.get("/v1/me/checkins", headers=patient.headers).json()["data"]
    assert [data for (kind, _id), data in state.items() if kind == "checkin"] == listed
    assert listed[0]["score"] == 1.0


def test_other_patients_changes_never_show(api: Api) -> None:
    kari, ola = api.patient(), api.patient()
    _log(api, kari)
    _, cursor = sync_all(api, ola)
    assert _rows(api, kari.id) == 1
    _log(api, kari)
    _checkin(api, kari, _today(), 3)
    mine = _log(api, ola)
    page = next_changes(api, ola, cursor)
    assert [(c["type"], c["id"]) for c in page["changes"]] == [("exercise_log", mine["id"])]


def test_a_removed_schedule_comes_as_a_tombstone(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    base = f"/v1/patients/{patient.id}/measure-schedule"
    starts = (_today() - timedelta(days=1)).isoformat()
    made = api.client.put(
        base,
        json={"schedules": [{"measure": "phq9", "every_days": 14, "starts_on": starts}]},
        headers=therapist.headers,
    )
    assert made.status_code == 200, made.text
    snapshot, cursor = sync_all(api, patient)
    due = api.client.get("/v1/me/measures/due", headers=patient.headers).json()["data"]
    assert [(c["type"], c["op"], c["data"]) for c in snapshot] == [
        ("measure_schedule", "upsert", due[0])
    ]
    cleared = api.client.put(base, json={"schedules": []}, headers=therapist.headers)
    assert cleared.status_code == 200
    page = next_changes(api, patient, cursor)
    assert page["changes"] == [
        {"type": "measure_schedule", "id": snapshot[0]["id"], "op": "delete", "data": None}
    ]


def test_a_cursor_we_did_not_issue_is_422_and_limits_are_bounded(api: Api) -> None:
    patient = api.patient()
    _, good = sync_all(api, patient)
    now = str(int(datetime.now(UTC).timestamp()))
    for bad in (
        "not-a-cursor",
        encode_cursor("d", "1", "2"),
        encode_cursor("x", "0", "0", now, "", ""),
        encode_cursor("d", "0", "0", now, "1", ""),
        encode_cursor("s", "0", "0", now, "99", ""),
        encode_cursor("s", "0", "0", now, "0", "not-a-uuid"),
        encode_cursor("d", "-1", "0", now, "", ""),
        encode_cursor("d", "0", "0", str(int(now) + 86_400), "", ""),
    ):
        response = api.client.get("/v1/me/sync", params={"since": bad}, headers=patient.headers)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "invalid_sync_cursor"
    for limit in (0, 201):
        response = api.client.get(
            "/v1/me/sync", params={"since": good, "limit": limit}, headers=patient.headers
        )
        assert response.status_code == 422
    assert sync_page(api, patient, good, limit=200)["changes"] == []


def test_a_cursor_older_than_the_kept_changes_is_410_and_purge_drops_old_rows(api: Api) -> None:
    patient = api.patient()
    _log(api, patient)
    _, cursor = sync_all(api, patient)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=88, hours=23)):
        relogin(api, patient)
        assert sync_page(api, patient, cursor)["has_more"] is False  # still kept
    with time_machine.travel(datetime.now(UTC) + timedelta(days=89, minutes=1)):
        relogin(api, patient)
        gone = api.client.get("/v1/me/sync", params={"since": cursor}, headers=patient.headers)
        assert gone.status_code == 410
        assert gone.json()["code"] == "cursor_expired"
        fresh, _ = sync_all(api, patient)  # a new snapshot still has everything
        assert [c["type"] for c in fresh] == ["exercise_log"]
    assert _rows(api, patient.id) == 1
    settings = api.services.settings
    soon = datetime.now(UTC) + timedelta(days=89)
    assert api.db(lambda s: purge_expired(s, settings=settings, now=soon))["sync_changes"] == 0
    later = datetime.now(UTC) + timedelta(days=90, minutes=1)
    assert api.db(lambda s: purge_expired(s, settings=settings, now=later))["sync_changes"] >= 1
    assert _rows(api, patient.id) == 0


def test_erasure_takes_the_change_log_rows_too(api: Api) -> None:
    patient = api.patient()
    _log(api, patient)
    _checkin(api, patient, _today(), 4)
    assert _rows(api, patient.id) == 2
    erased = api.client.request(
        "DELETE", "/v1/me", json={"password": patient.password}, headers=patient.headers
    )
    assert erased.status_code == 204, erased.text
    assert _rows(api, patient.id) == 0
