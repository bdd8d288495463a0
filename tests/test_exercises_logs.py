"""Exercise logs: per-kind bounds, offline-safe retries, ownership of assignments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import event, func, select

from app.exercises.models import exercise_log_table
from tests.factories import Actor, Api


def log_count(api: Api) -> int:
    async def work(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(exercise_log_table)))

    return api.db(work)


def recent(minutes: int = 30) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def worry_log(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "exercise_kind": "worry_postponement",
        "started_at": recent(),
        "duration_seconds": 600,
        "worries_noticed": 5,
        "worries_postponed": 4,
        "worry_time_used": True,
        "worry_time_minutes": 12,
        "uncontrollability_before": 80,
        "uncontrollability_after": 60,
    }
    body.update(overrides)
    return body


VALID: dict[str, dict[str, Any]] = {
    "worry_postponement": worry_log(),
    "rumination_postponement": worry_log(exercise_kind="rumination_postponement"),
    "attention_training": {
        "exercise_kind": "attention_training",
        "phases_completed": ["divided", "selective"],
        "self_focus_before": 2,
        "self_focus_after": -1,
    },
    "detached_mindfulness": {
        "exercise_kind": "detached_mindfulness",
        "detachment_before": 20,
        "detachment_after": 70,
    },
    "attentional_refocusing": {
        "exercise_kind": "attentional_refocusing",
        "situation": "Meeting at work",
        "refocused_to": "What my colleague said",
    },
}


def body_of(kind: str, **overrides: Any) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "started_at": recent(), "duration_seconds": 300}
    body.update({k: v for k, v in VALID[kind].items() if k not in {"id", "started_at"}})
    body.update(overrides)
    return body


def post(api: Api, patient: Actor, body: dict[str, Any]) -> Any:
    return api.client.post("/v1/me/exercise-logs", json=body, headers=patient.headers)


@pytest.mark.parametrize("kind", list(VALID))
def test_every_kind_is_stored_and_listed(api: Api, kind: str) -> None:
    patient = api.patient(api.therapist())
    body = body_of(kind)
    created = post(api, patient, body)
    assert created.status_code == 201, created.text
    stored = created.json()
    assert stored["id"] == body["id"]
    assert stored["exercise_kind"] == kind
    expected = {k: v for k, v in VALID[kind].items() if k not in {"exercise_kind", "id"}}
    expected = {k: v for k, v in expected.items() if k not in {"started_at", "duration_seconds"}}
    if kind == "attention_training":
        expected["phases_completed"] = ["selective", "divided"]
    assert stored["details"] == expected
    listed = api.client.get("/v1/me/exercise-logs", headers=patient.headers).json()
    assert [item["id"] for item in listed["data"]] == [body["id"]]


BAD: list[tuple[str, dict[str, Any]]] = [
    ("attention_training", {"self_focus_before": -4}),
    ("attention_training", {"self_focus_after": 4}),
    ("attention_training", {"phases_completed": ["selective", "selective"]}),
    ("attention_training", {"phases_completed": ["hearing"]}),
    ("detached_mindfulness", {"detachment_after": 101}),
    ("detached_mindfulness", {"detachment_before": -1}),
    ("worry_postponement", {"worries_noticed": 2, "worries_postponed": 3}),
    ("worry_postponement", {"uncontrollability_before": 101}),
    ("worry_postponement", {"worry_time_used": False, "worry_time_minutes": 10}),
    ("attentional_refocusing", {"situation": "x" * 10_000}),
    ("attentional_refocusing", {"refocused_to": ""}),
    ("attentional_refocusing", {"mood": 3}),
    ("detached_mindfulness", {"duration_seconds": -1}),
    ("detached_mindfulness", {"duration_seconds": 10 * 60 * 60}),
    ("detached_mindfulness", {"started_at": "2026-01-01T10:00:00"}),
    ("detached_mindfulness", {"exercise_kind": "breathing"}),
]


@pytest.mark.parametrize(("kind", "change"), BAD, ids=[f"{k}-{next(iter(c))}" for k, c in BAD])
def test_out_of_bounds_fields_are_422_and_nothing_is_stored(
    api: Api, kind: str, change: dict[str, Any]
) -> None:
    patient = api.patient(api.therapist())
    response = post(api, patient, body_of(kind, **change))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    assert log_count(api) == 0


def test_an_empty_attention_training_log_is_refused(api: Api) -> None:
    # No phase completed and no time spent: it would count toward adherence without practice.
    patient = api.patient(api.therapist())
    empty = body_of("attention_training", phases_completed=[], duration_seconds=0)
    response = post(api, patient, empty)
    assert response.status_code == 422
    assert response.json()["code"] == "empty_exercise"
    assert log_count(api) == 0
    # Either one is something: a phase done in no time recorded, or time spent on no phase.
    some_phase = body_of("attention_training", phases_completed=["selective"], duration_seconds=0)
    some_time = body_of("attention_training", phases_completed=[], duration_seconds=1)
    assert post(api, patient, some_phase).status_code == 201
    assert post(api, patient, some_time).status_code == 201
    # Other kinds may take no time (a worry count written at the end of the day).
    assert post(api, patient, body_of("worry_postponement", duration_seconds=0)).status_code == 201


@pytest.mark.parametrize(
    ("started_at", "code"),
    [
        (timedelta(minutes=10), "started_at_in_future"),
        (timedelta(days=-31), "started_at_too_old"),
    ],
)
def test_started_at_must_be_recent_and_not_ahead(
    api: Api, started_at: timedelta, code: str
) -> None:
    patient = api.patient(api.therapist())
    when = (datetime.now(UTC) + started_at).isoformat()
    response = post(api, patient, body_of("detached_mindfulness", started_at=when))
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert log_count(api) == 0
    slightly_ahead = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    ok = post(api, patient, body_of("detached_mindfulness", started_at=slightly_ahead))
    assert ok.status_code == 201


def test_a_retry_returns_the_stored_log_and_a_changed_body_is_a_conflict(api: Api) -> None:
    patient = api.patient(api.therapist())
    body = worry_log()
    first = post(api, patient, body)
    assert first.status_code == 201
    # The same practice, the time written with another offset: still the same body.
    oslo = datetime.fromisoformat(body["started_at"]).astimezone(ZoneInfo("Europe/Oslo"))
    again = post(api, patient, {**body, "started_at": oslo.isoformat()})
    assert again.status_code == 200
    assert again.json() == first.json()
    changed = post(api, patient, {**body, "worries_postponed": 3})
    assert changed.status_code == 409
    assert changed.json()["code"] == "exercise_log_id_conflict"
    assert log_count(api) == 1


def test_an_id_used_by_another_patient_is_a_conflict_that_reveals_nothing(api: Api) -> None:
    therapist = api.therapist()
    alice, bob = api.patient(therapist), api.patient(therapist)
    body = worry_log()
    assert post(api, alice, body).status_code == 201
    same = post(api, bob, body)
    different = post(api, bob, {**body, "worries_noticed": 9})
    own_mismatch = post(api, alice, {**body, "worries_noticed": 9})
    assert same.status_code == different.status_code == 409
    assert same.json() == different.json() == own_mismatch.json()
    assert "worr" not in same.text.lower()
    assert api.client.get("/v1/me/exercise-logs", headers=bob.headers).json()["count"] == 0
    assert log_count(api) == 1


def test_a_late_retry_of_a_stored_log_still_gets_it_back(api: Api) -> None:
    patient = api.patient(api.therapist())
    body = worry_log()
    assert post(api, patient, body).status_code == 201
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31, minutes=5), tick=True):
        fresh = api.login(patient.email, patient.password)
        headers = {"Authorization": f"Bearer {fresh['access_token']}"}
        late = api.client.post("/v1/me/exercise-logs", json=body, headers=headers)
    assert late.status_code == 200
    assert log_count(api) == 1


def test_assignment_must_be_the_patients_own_and_of_the_same_kind(api: Api) -> None:
    therapist = api.therapist()
    alice, bob = api.patient(therapist), api.patient(therapist)
    today = datetime.now(UTC).date().isoformat()
    made = api.client.post(
        f"/v1/patients/{alice.id}/assignments",
        json={"exercise_kind": "detached_mindfulness", "times_per_day": 1, "starts_on": today},
        headers=therapist.headers,
    )
    assert made.status_code == 201, made.text
    alices = made.json()["id"]
    stolen = post(api, bob, body_of("detached_mindfulness", assignment_id=alices))
    assert stolen.status_code == 404
    assert stolen.json()["code"] == "assignment_not_found"
    random = post(api, bob, body_of("detached_mindfulness", assignment_id=str(uuid.uuid4())))
    assert random.json() == stolen.json()
    wrong_kind = post(api, alice, body_of("attentional_refocusing", assignment_id=alices))
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["code"] == "assignment_kind_mismatch"
    assert log_count(api) == 0
    ok = post(api, alice, body_of("detached_mindfulness", assignment_id=alices))
    assert ok.status_code == 201
    assert ok.json()["assignment_id"] == alices


def test_lists_filter_and_paginate_and_therapists_see_only_their_patients(api: Api) -> None:
    therapist, other = api.therapist(), api.therapist()
    patient = api.patient(therapist)
    now = datetime.now(UTC)
    ids = []
    for hours, kind in [
        (1, "detached_mindfulness"),
        (2, "attentional_refocusing"),
        (3, "detached_mindfulness"),
    ]:
        body = body_of(kind, started_at=(now - timedelta(hours=hours)).isoformat())
        assert post(api, patient, body).status_code == 201
        ids.append(body["id"])
    first = api.client.get(
        "/v1/me/exercise-logs", params={"limit": 2}, headers=patient.headers
    ).json()
    assert [item["id"] for item in first["data"]] == ids[:2]
    second = api.client.get(
        "/v1/me/exercise-logs",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=patient.headers,
    ).json()
    assert [item["id"] for item in second["data"]] == ids[2:]
    assert second["next_cursor"] is None
    url = f"/v1/patients/{patient.id}/exercise-logs"
    dm = api.client.get(url, params={"kind": "detached_mindfulness"}, headers=therapist.headers)
    assert [item["id"] for item in dm.json()["data"]] == [ids[0], ids[2]]
    tomorrow = (now + timedelta(days=2)).date().isoformat()
    none = api.client.get(url, params={"from": tomorrow}, headers=therapist.headers)
    assert none.json()["count"] == 0
    hidden = api.client.get(url, headers=other.headers)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "patient_not_found"


def test_the_log_write_is_two_statements_or_three_with_an_assignment(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    made = api.client.post(
        f"/v1/patients/{patient.id}/assignments",
        json={
            "exercise_kind": "detached_mindfulness",
            "times_per_day": 1,
            "starts_on": datetime.now(UTC).date().isoformat(),
        },
        headers=therapist.headers,
    ).json()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().split()[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            statements.append(sql)

    engine = api.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert post(api, patient, body_of("detached_mindfulness")).status_code == 201
        unlinked = len(statements)
        statements.clear()
        linked = body_of("detached_mindfulness", assignment_id=made["id"])
        assert post(api, patient, linked).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # The caller's auth lookup, (the assignment check,) one INSERT ... RETURNING.
    assert (unlinked, len(statements)) == (2, 3)


def test_a_page_boundary_between_two_logs_of_the_same_moment_loses_none(api: Api) -> None:
    # Issue 21: three logs started at the same instant, read one per page. The cursor holds
    # (started_at, id) and the order ties on id, so every page moves on by exactly one row;
    # without the id tie-break the second page would be empty (or repeat the first).
    patient = api.patient()
    moment = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0).isoformat()
    ids = []
    for _ in range(3):
        body = body_of("detached_mindfulness", started_at=moment)
        assert post(api, patient, body).status_code == 201
        ids.append(body["id"])
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 1}
    for _ in range(4):
        page = api.client.get("/v1/me/exercise-logs", params=params, headers=patient.headers)
        assert page.status_code == 200, page.text
        seen += [item["id"] for item in page.json()["data"]]
        if page.json()["next_cursor"] is None:
            break
        params["cursor"] = page.json()["next_cursor"]
    assert seen == sorted(ids, reverse=True)
