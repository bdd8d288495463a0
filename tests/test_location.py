"""A 201 whose new resource has a URL names it in `Location`, and so does its replay."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.factories import Api


def test_created_resources_are_located_on_the_answer_and_its_replay(api: Api) -> None:
    admin, therapist = api.admin(), api.therapist()
    patient = api.patient(therapist)
    staff = {
        "email": "dr.berg@clinic.example.com",
        "password": "a long therapist secret",
        "display_name": "Dr Berg",
        "timezone": "Europe/Oslo",
        "locale": "nb",
    }
    keyed = admin.headers | {"Idempotency-Key": "berg"}
    created = api.client.post("/v1/admin/therapists", json=staff, headers=keyed)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/v1/admin/users/{created.json()['id']}"
    replayed = api.client.post("/v1/admin/therapists", json=staff, headers=keyed)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.headers["location"] == created.headers["location"]

    today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    assignment = api.client.post(
        f"/v1/patients/{patient.id}/assignments",
        json={"exercise_kind": "attention_training", "times_per_day": 1, "starts_on": today},
        headers=therapist.headers | {"Idempotency-Key": "att"},
    )
    assert assignment.status_code == 201, assignment.text
    assert assignment.headers["location"] == f"/v1/assignments/{assignment.json()['id']}"
    # A 201 without a URL of its own (an exercise log) names none; a 4xx never does.
    refused = api.client.post(
        f"/v1/patients/{patient.id}/assignments", json={}, headers=therapist.headers
    )
    assert refused.status_code == 422
    assert "location" not in refused.headers
