"""Work goals: the patient's own, or proposed by the therapist and accepted by the patient;
steps (practice at work among them) done one by one; retries never duplicate."""

from __future__ import annotations

import uuid
from typing import Any

import time_machine

from tests.checkin_helpers import relogin
from tests.factories import Actor, Api
from tests.workfocus_helpers import NOW, TODAY, access_log, key


def goal(**changes: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "title": "Take part in the Monday meeting",
        "why": "I want to be part of the team again",
        "steps": [
            {"id": str(uuid.uuid4()), "text": "Ask my manager for the agenda", "due_on": TODAY},
            {
                "id": str(uuid.uuid4()),
                "text": "Sit through the meeting",
                "due_on": "2026-11-23",
                "at_work": True,
                "strategy": "Notice the worry and postpone it to my worry time",
            },
        ],
        "target_on": "2026-12-01",
    } | changes


def create(api: Api, actor: Actor, body: dict[str, Any], path: str = "/v1/me") -> Any:
    return api.client.post(f"{path}/goals", json=body, headers=actor.headers | key())


@time_machine.travel(NOW, tick=False)
def test_a_goal_is_set_worked_through_and_reached(api: Api) -> None:
    patient = api.patient()
    body = goal()
    made = create(api, patient, body)
    assert made.status_code == 201, made.text
    assert (made.json()["status"], made.json()["created_by_role"]) == ("active", "patient")
    assert made.json()["steps"][1]["at_work"] is True
    retry = api.client.post("/v1/me/goals", json=body, headers=patient.headers)
    assert retry.status_code == 200
    other = api.client.post("/v1/me/goals", json=body | {"title": "x"}, headers=patient.headers)
    assert (other.status_code, other.json()["code"]) == (409, "goal_id_conflict")
    url = f"/v1/me/goals/{body['id']}"
    steps = [step | {"done": True} for step in body["steps"][:1]] + body["steps"][1:]
    first = api.client.patch(url, json={"steps": steps}, headers=patient.headers)
    assert first.status_code == 200, first.text
    assert [(s["done"], s["done_on"]) for s in first.json()["steps"]] == [
        (True, TODAY),
        (False, None),
    ]
    with time_machine.travel("2026-11-23T15:00:00Z", tick=False):
        relogin(api, patient)
        steps = [step | {"done": True} for step in body["steps"]]
        done = api.client.patch(
            url, json={"steps": steps, "status": "reached"}, headers=patient.headers
        ).json()
        # The first step keeps the day it was done; the second is done today.
        assert [s["done_on"] for s in done["steps"]] == [TODAY, "2026-11-23"]
        assert (done["status"], done["reached_on"]) == ("reached", "2026-11-23")
        back = api.client.patch(url, json={"status": "active"}, headers=patient.headers).json()
        assert (back["status"], back["reached_on"]) == ("active", None)
        assert back["title"] == body["title"]  # a PATCH changes only what it names


@time_machine.travel(NOW, tick=False)
def test_the_therapist_proposes_and_only_the_patient_accepts(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    base = f"/v1/patients/{patient.id}"
    body = goal(status="active")
    made = create(api, therapist, body, base)
    assert made.status_code == 201, made.text
    assert (made.json()["status"], made.json()["created_by_role"]) == ("proposed", "therapist")
    url = f"{base}/goals/{body['id']}"
    pushed = api.client.patch(url, json={"status": "active"}, headers=therapist.headers)
    assert (pushed.status_code, pushed.json()["code"]) == (409, "goal_not_accepted")
    accepted = api.client.patch(
        f"/v1/me/goals/{body['id']}", json={"status": "active"}, headers=patient.headers
    )
    assert accepted.json()["status"] == "active"
    edited = api.client.patch(url, json={"target_on": "2026-12-15"}, headers=therapist.headers)
    assert edited.json()["target_on"] == "2026-12-15"
    theirs = api.client.get(f"{base}/goals", headers=therapist.headers).json()
    assert [g["status"] for g in theirs["data"]] == ["active"]
    assert ("goals", 1) in access_log(api, patient)
    stranger = api.therapist()
    for response in (
        api.client.get(f"{base}/goals", headers=stranger.headers),
        create(api, stranger, goal(), base),
        api.client.patch(url, json={}, headers=stranger.headers),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "patient_not_found")
    intruder = api.patient()
    hidden = api.client.patch(f"/v1/me/goals/{body['id']}", json={}, headers=intruder.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "goal_not_found")


def test_bad_goals_are_refused_and_nothing_is_stored(api: Api) -> None:
    patient = api.patient()
    step = {"id": str(uuid.uuid4()), "text": "x"}
    for bad in (
        goal(title=""),
        goal(title="x" * 201),
        goal(steps=[step, step]),
        goal(steps=[step | {"text": "x" * 501}]),
        goal(status="proposed"),
        goal(target_on="1999-12-31"),
    ):
        assert create(api, patient, bad).status_code == 422, bad
    assert api.client.get("/v1/me/goals", headers=patient.headers).json()["count"] == 0
    body = goal()
    assert create(api, patient, body).status_code == 201
    for bad_change in ({"title": None}, {"status": "proposed"}, {"steps": [step, step]}):
        response = api.client.patch(
            f"/v1/me/goals/{body['id']}", json=bad_change, headers=patient.headers
        )
        assert response.status_code == 422, bad_change
