"""Every therapist read of patient data leaves one access-log row the patient can read."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError

from app.accounts.models import user_table
from app.privacy.models import access_log_table
from tests.factories import Actor, Api


def _log(api: Api, patient: Actor, **params: Any) -> dict[str, Any]:
    response = api.client.get("/v1/me/access-log", params=params, headers=patient.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_therapist_profile_read_is_logged_once(api: Api) -> None:
    therapist = api.therapist(name="Dr Berg")
    patient = api.patient(therapist)
    response = api.client.get(
        f"/v1/patients/{patient.id}", headers=therapist.headers | {"X-Request-ID": "read-0001"}
    )
    assert response.status_code == 200
    log = _log(api, patient)
    assert log["count"] == 1
    entry = log["data"][0]
    assert entry["reader_id"] == str(therapist.id)
    assert entry["reader_name"] == "Dr Berg"
    assert entry["reader_role"] == "therapist"
    assert entry["kind"] == "profile"
    assert entry["records"] == 1

    async def request_ids(session: Any) -> Any:
        rows = await session.execute(text("SELECT request_id, client_request_id FROM access_log"))
        return [tuple(row) for row in rows]

    # Our own id, the one the answer carried; the client's only beside it (issue 11 item 12).
    assert api.db(request_ids) == [(response.headers["x-request-id"], "read-0001")]


def test_own_reads_and_refused_reads_are_not_logged(api: Api) -> None:
    therapist, stranger = api.therapist(), api.therapist()
    patient = api.patient(therapist)
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 200
    assert api.client.get("/v1/me/consents", headers=patient.headers).status_code == 200
    refused = api.client.get(f"/v1/patients/{patient.id}", headers=stranger.headers)
    assert refused.status_code == 404
    assert _log(api, patient)["count"] == 0


def test_access_log_is_newest_first_and_paginated(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    for _ in range(3):
        api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
    first = _log(api, patient, limit=2)
    assert first["count"] == 2
    rest = _log(api, patient, cursor=first["next_cursor"])
    assert rest["count"] == 1
    times = [e["created_at"] for e in first["data"] + rest["data"]]
    assert times == sorted(times, reverse=True)
    ids = {e["id"] for e in first["data"] + rest["data"]}
    assert len(ids) == 3


def test_other_patients_reads_are_not_shown(api: Api) -> None:
    therapist = api.therapist()
    mine, theirs = api.patient(therapist), api.patient(therapist)
    api.client.get(f"/v1/patients/{theirs.id}", headers=therapist.headers)
    assert _log(api, mine)["count"] == 0
    assert _log(api, theirs)["count"] == 1


def test_access_log_rows_cannot_be_changed(api: Api, backend: str) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)

    async def attempt(sql: str) -> str:
        async with api.services.engine.begin() as connection:
            try:
                await connection.execute(text(sql))
            except DBAPIError as exc:
                # The guard's own message, not just any database error (a typo in the
                # statement, a missing table) must be what stopped it.
                return str(exc.orig)
        return "allowed"

    statements = ["UPDATE access_log SET records = 99", "DELETE FROM access_log"]
    if backend == "postgresql":
        statements.append("TRUNCATE access_log")
    for sql in statements:
        outcome = api.client.portal.call(attempt, sql)  # type: ignore[union-attr]
        assert "access_log is append-only" in outcome, (sql, outcome)
    assert _log(api, patient)["data"][0]["records"] == 1


def test_consents_keep_history_and_show_on_the_profile(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    initial = api.client.get("/v1/me/consents", headers=patient.headers).json()
    assert initial["employer_contact"] is False
    assert initial["updated_at"] is None
    for value, note in ((True, "Call my manager Siri"), (False, None)):
        response = api.client.put(
            "/v1/me/consents",
            json={"employer_contact": value, "employer_contact_note": note},
            headers=patient.headers,
        )
        assert response.status_code == 200
    current = api.client.get("/v1/me/consents", headers=patient.headers).json()
    assert current["employer_contact"] is False
    assert [h["employer_contact"] for h in current["history"]] == [False, True]
    profile = api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers).json()
    assert profile["employer_contact"]["employer_contact"] is False
    assert profile["employer_contact"]["updated_at"] == current["updated_at"]
    too_long = api.client.put(
        "/v1/me/consents",
        json={"employer_contact": True, "employer_contact_note": "x" * 1001},
        headers=patient.headers,
    )
    assert too_long.status_code == 422


def test_failed_log_write_withholds_the_data(api: Api, backend: str) -> None:
    """If the access row cannot be written, the therapist gets a 500 and no patient data."""
    therapist = api.therapist()
    patient = api.patient(therapist, name=f"Hidden {uuid.uuid4().hex[:6]}")

    async def break_log() -> None:
        async with api.services.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE access_log RENAME TO access_log_moved"))

    async def mend_log() -> None:
        async with api.services.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE access_log_moved RENAME TO access_log"))

    portal = api.client.portal
    assert portal is not None
    portal.call(break_log)
    try:
        response = api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
    finally:
        portal.call(mend_log)
    assert response.status_code == 500
    assert "Hidden" not in response.text


def test_erasing_the_patient_row_takes_its_access_log_along(api: Api) -> None:
    """The one way rows leave the log: the cascade when the patient's account is deleted."""
    therapist = api.therapist()
    patient, other = api.patient(therapist), api.patient(therapist)
    api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
    api.client.get(f"/v1/patients/{other.id}", headers=therapist.headers)

    async def delete_patient() -> int:
        async with api.services.engine.begin() as connection:
            await connection.execute(delete(user_table).where(user_table.c.id == patient.id))
            counted = await connection.execute(select(func.count()).select_from(access_log_table))
            return int(counted.scalar_one())

    assert api.client.portal.call(delete_patient) == 1  # type: ignore[union-attr]


def test_reads_outside_patient_paths_are_logged_per_patient_named(api: Api) -> None:
    """Lists across patients and objects with their own ids log every patient in the answer."""
    therapist = api.therapist()
    first, second = api.patient(therapist), api.patient(therapist)
    for patient in (first, second):
        made = api.client.post(
            "/v1/me/booster-requests", json={"reason": "A hard week"}, headers=patient.headers
        )
        assert made.status_code == 201
    listed = api.client.get("/v1/booster-requests", headers=therapist.headers)
    assert listed.json()["count"] == 2
    for patient in (first, second):
        rows = _log(api, patient)["data"]
        assert [(r["kind"], r["records"]) for r in rows] == [("booster-requests", 1)]

    assignment = api.client.post(
        f"/v1/patients/{first.id}/assignments",
        json={
            "exercise_kind": "attention_training",
            "times_per_day": 1,
            "starts_on": date.today().isoformat(),
        },
        headers=therapist.headers,
    ).json()
    before = _log(api, first)["count"]
    patched = api.client.patch(
        f"/v1/assignments/{assignment['id']}", json={"paused": True}, headers=therapist.headers
    )
    assert patched.status_code == 200
    latest = _log(api, first)["data"][0]
    assert _log(api, first)["count"] == before + 1
    assert (latest["kind"], latest["records"]) == ("assignments", 1)
    assert _log(api, second)["count"] == 1


def test_a_readers_later_rename_does_not_rewrite_the_log(api: Api) -> None:
    """Issue 11 item 12: the log keeps the name the reader had when they read."""
    therapist = api.therapist(name="Dr Berg")
    patient = api.patient(therapist)
    api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
    renamed = api.client.patch("/v1/me", json={"display_name": "Dr Dal"}, headers=therapist.headers)
    assert renamed.status_code == 200
    api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
    names = [entry["reader_name"] for entry in _log(api, patient)["data"]]
    assert names == ["Dr Dal", "Dr Berg"]  # newest first


def test_a_worklist_filter_that_matches_nobody_is_still_logged(api: Api) -> None:
    """Issue 11 item 13: `?flag=` looks at every linked patient's data; an empty answer says
    something about each of them, so each gets a row (0 records)."""
    therapist = api.therapist()
    first, second = api.patient(therapist), api.patient(therapist)
    stranger = api.patient(api.therapist())
    listed = api.client.get(
        "/v1/patients", params={"flag": "booster_open"}, headers=therapist.headers
    )
    assert listed.status_code == 200
    assert listed.json()["count"] == 0
    for patient in (first, second):
        rows = _log(api, patient)["data"]
        assert [(r["kind"], r["records"]) for r in rows] == [("worklist", 0)]
    assert _log(api, stranger)["count"] == 0
    # Without a filter only the patients on the page are logged, once each.
    api.client.get("/v1/patients", headers=therapist.headers)
    assert [r["records"] for r in _log(api, first)["data"]] == [1, 0]
