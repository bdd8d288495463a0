"""Dialogue meetings: prepared from the phone or by the therapist, retried safely, and their
outcome recorded, with a new stage proposed to the RTW plan but never saved by itself."""

from __future__ import annotations

import uuid
from typing import Any

import time_machine

from tests.factories import Actor, Api
from tests.workfocus_helpers import NOW, access_log, key

PLAN = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 100}]}


def meeting(**changes: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "starts_at": "2026-11-20T09:00:00Z",  # Friday, 10:00 in Oslo
        "participants": [{"role": "manager", "name": "Per"}, {"role": "therapist"}],
        "agenda": {"adjustment_needs": "Shorter days at first", "time_limit_minutes": 45},
    } | changes


def create(api: Api, actor: Actor, body: dict[str, Any], path: str = "/v1/me") -> Any:
    return api.client.post(f"{path}/dialogue-meetings", json=body, headers=actor.headers | key())


@time_machine.travel(NOW, tick=False)
def test_a_meeting_is_prepared_held_and_proposes_a_stage(api: Api) -> None:
    patient = api.patient()
    entry = {"audience": "manager", "what": "That I am on leave", "how_much": "on_sick_leave"}
    plan = api.client.put(
        "/v1/me/communication-plan", json={"entries": [entry]}, headers=patient.headers
    ).json()
    entry_id = plan["entries"][0]["id"]
    assert api.client.put("/v1/me/rtw-plan", json=PLAN, headers=patient.headers).status_code == 200
    body = meeting(agenda={"communication_entry_ids": [entry_id], "time_limit_minutes": 45})
    made = create(api, patient, body)
    assert made.status_code == 201, made.text
    assert (made.json()["local_date"], made.json()["status"]) == ("2026-11-20", "planned")
    assert made.json()["agenda"]["communication_entry_ids"] == [entry_id]
    retry = api.client.post("/v1/me/dialogue-meetings", json=body, headers=patient.headers)
    assert (retry.status_code, retry.json()["id"]) == (200, body["id"])
    changed = api.client.post(
        "/v1/me/dialogue-meetings", json=body | {"starts_at": NOW}, headers=patient.headers
    )
    assert (changed.status_code, changed.json()["code"]) == (409, "dialogue_meeting_id_conflict")
    outcome = {
        "adjustments": "Four-hour days, no customer calls",
        "tasks": "Back office tasks",
        "next_status_check_on": "2026-12-04",
        "proposed_stage": {"starts_on": "2026-11-23", "sick_leave_percent": 50},
    }
    held = api.client.patch(
        f"/v1/me/dialogue-meetings/{body['id']}", json={"outcome": outcome}, headers=patient.headers
    )
    assert held.status_code == 200, held.text
    result = held.json()
    assert (result["status"], result["next_status_check_on"]) == ("held", "2026-12-04")
    proposal = result["plan_proposal"]
    assert proposal["applied"] is False
    assert proposal["plan"]["version"] == 1
    assert [(s["starts_on"], s["sick_leave_percent"]) for s in proposal["plan"]["stages"]] == [
        ("2026-11-02", 100),
        ("2026-11-23", 50),
    ]
    # Nothing changed the plan: it is still version 1 with one stage.
    current = api.client.get("/v1/me/rtw-plan", headers=patient.headers).json()
    assert (current["version"], len(current["stages"])) == (1, 1)
    saved = api.client.put("/v1/me/rtw-plan", json=proposal["plan"], headers=patient.headers)
    assert saved.status_code == 200, saved.text
    assert [s["sick_leave_percent"] for s in saved.json()["stages"]] == [100, 50]
    listed = api.client.get("/v1/me/dialogue-meetings", headers=patient.headers).json()
    assert listed["data"][0]["plan_proposal"]["applied"] is True
    cancel = api.client.patch(
        f"/v1/me/dialogue-meetings/{body['id']}",
        json={"status": "cancelled"},
        headers=patient.headers,
    )
    assert (cancel.status_code, cancel.json()["code"]) == (409, "dialogue_meeting_held")


@time_machine.travel(NOW, tick=False)
def test_bad_meetings_are_refused_and_nothing_is_stored(api: Api) -> None:
    patient = api.patient()
    unknown = meeting(agenda={"communication_entry_ids": [str(uuid.uuid4())]})
    refused = create(api, patient, unknown)
    assert (refused.status_code, refused.json()["code"]) == (422, "unknown_communication_entry")
    for bad in (
        meeting(participants=[]),
        meeting(participants=[{"role": "boss"}]),
        meeting(agenda={"notes": "x" * 2001}),
        meeting(starts_at="2026-11-20T09:00:00"),  # no zone
    ):
        assert create(api, patient, bad).status_code == 422, bad
    body = meeting()
    assert create(api, patient, body).status_code == 201
    url = f"/v1/me/dialogue-meetings/{body['id']}"
    early = {"outcome": {"next_status_check_on": "2026-11-19"}}
    response = api.client.patch(url, json=early, headers=patient.headers)
    assert (response.status_code, response.json()["code"]) == (422, "status_check_before_meeting")
    low = {"outcome": {"proposed_stage": {"starts_on": "2026-11-23", "sick_leave_percent": 10}}}
    response = api.client.patch(url, json=low, headers=patient.headers)
    assert (response.status_code, response.json()["code"]) == (
        422,
        "sick_leave_percent_not_allowed",
    )
    listed = api.client.get("/v1/me/dialogue-meetings", headers=patient.headers).json()
    assert [(m["status"], m["outcome"]) for m in listed["data"]] == [("planned", None)]
    cancelled = api.client.patch(url, json={"status": "cancelled"}, headers=patient.headers)
    assert cancelled.json()["status"] == "cancelled"
    late = api.client.patch(url, json={"outcome": {"tasks": "x"}}, headers=patient.headers)
    assert (late.status_code, late.json()["code"]) == (409, "dialogue_meeting_cancelled")
    other = api.patient()
    hidden = api.client.patch(url, json={}, headers=other.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "dialogue_meeting_not_found")


@time_machine.travel(NOW, tick=False)
def test_the_therapist_prepares_and_records_for_a_linked_patient_only(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist, timezone="America/New_York")
    base = f"/v1/patients/{patient.id}"
    body = meeting(starts_at="2026-11-20T03:00:00Z")  # 22:00 the day before in New York
    made = create(api, therapist, body, base)
    assert made.status_code == 201, made.text
    assert (made.json()["local_date"], made.json()["created_by_role"]) == (
        "2026-11-19",
        "therapist",
    )
    held = api.client.patch(
        f"{base}/dialogue-meetings/{body['id']}",
        json={"outcome": {"tasks": "Mornings only"}},
        headers=therapist.headers,
    )
    assert held.json()["status"] == "held"
    mine = api.client.get("/v1/me/dialogue-meetings", headers=patient.headers).json()
    assert mine["data"][0]["outcome"]["tasks"] == "Mornings only"
    theirs = api.client.get(f"{base}/dialogue-meetings", headers=therapist.headers)
    assert theirs.json()["count"] == 1
    assert ("dialogue-meetings", 1) in access_log(api, patient)
    stranger = api.therapist()
    for response in (
        api.client.get(f"{base}/dialogue-meetings", headers=stranger.headers),
        create(api, stranger, meeting(), base),
        api.client.patch(
            f"{base}/dialogue-meetings/{body['id']}", json={}, headers=stranger.headers
        ),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "patient_not_found")
