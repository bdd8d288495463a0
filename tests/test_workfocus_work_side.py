"""Work-focused therapy seen by the job counsellor (issues 13 and 14): work goals and dialogue
meetings whole, the barriers check's workplace domain only, the communication plan only while
the patient shares it; every read in the patient's access log with the counsellor's role; the
counsellor's worklist shows the next dialogue meeting."""

from __future__ import annotations

import uuid
from typing import Any

import time_machine

from tests.factories import Actor, Api
from tests.jobsupport_helpers import access_log
from tests.workfocus_helpers import NOW, TODAY, WORKED, key, put_barriers

WORKPLACE_ITEMS = {"manager_dialogue", "support", "conflict", "harassment"}


def _setup(api: Api) -> tuple[Actor, Actor, Actor]:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    api.job_support(patient, counsellor)
    return therapist, counsellor, patient


def _get(api: Api, reader: Actor, patient: Actor, part: str) -> Any:
    return api.client.get(f"/v1/patients/{patient.id}/{part}", headers=reader.headers)


@time_machine.travel(NOW, tick=False)
def test_the_counsellor_sees_the_barriers_workplace_domain_only(api: Api) -> None:
    therapist, counsellor, patient = _setup(api)
    notes = {"workplace": "My manager rarely answers.", "beliefs": "I must rest first."}
    made = put_barriers(api, patient, TODAY, WORKED, notes=notes)
    assert made.status_code == 201, made.text
    full = _get(api, therapist, patient, "barriers").json()["data"][0]
    seen = _get(api, counsellor, patient, "barriers")
    assert seen.status_code == 200, seen.text
    check = seen.json()["data"][0]
    # workplace 1, 2, 3, 0: mean 1.5, conflict rated high
    assert check["answers"] == {"manager_dialogue": 1, "support": 2, "conflict": 3, "harassment": 0}
    assert check["notes"] == {"workplace": "My manager rarely answers."}
    assert [d["id"] for d in check["domains"]] == ["workplace"]
    assert (check["domains"][0]["score"], check["domains"][0]["items_rated_high"]) == (
        1.5,
        ["conflict"],
    )
    assert (check["score"], check["highlighted"]) == (None, ["conflict"])
    assert (check["workplace_rating"], check["workplace_conflict"]) == (3, True)
    # the therapist sees everything: every item, both notes, the overall mean
    assert set(full["answers"]) > WORKPLACE_ITEMS
    assert full["notes"] == notes
    assert full["score"] == 1.866667  # 28 / 15
    assert len(full["domains"]) == 5
    assert set(full["highlighted"]) == {"symptoms_mental", "rest_first", "coping_day"} | {
        "conflict",
        "lose_face",
    }


@time_machine.travel(NOW, tick=False)
def test_the_plan_reaches_the_counsellor_only_while_shared(api: Api) -> None:
    therapist, counsellor, patient = _setup(api)
    entry = {"audience": "manager", "what": "That I am coming back", "how_much": "nothing"}
    body: dict[str, Any] = {
        "share_with_job_counsellor": False,
        "entries": [entry | {"status": "ready"}],
    }
    saved = api.client.put("/v1/me/communication-plan", json=body, headers=patient.headers)
    assert saved.status_code == 200, saved.text
    suggestion = {"audience": "colleagues", "text": "Tell them you are back part time"}
    made = api.client.post(
        f"/v1/patients/{patient.id}/communication-plan/suggestions",
        json=suggestion,
        headers=therapist.headers | key(),
    )
    assert made.status_code == 201, made.text
    before = len(access_log(api, patient))
    hidden = _get(api, counsellor, patient, "communication-plan")
    random = api.client.get(
        f"/v1/patients/{uuid.uuid4()}/communication-plan", headers=counsellor.headers
    )
    assert hidden.status_code == random.status_code == 404
    assert hidden.json() == random.json()
    assert len(access_log(api, patient)) == before  # nothing was read
    body = {"version": 1, "share_with_job_counsellor": True, "entries": body["entries"]}
    shared = api.client.put("/v1/me/communication-plan", json=body, headers=patient.headers)
    assert shared.status_code == 200, shared.text
    seen = _get(api, counsellor, patient, "communication-plan")
    assert seen.status_code == 200, seen.text
    plan = seen.json()
    assert [e["what"] for e in plan["entries"]] == ["That I am coming back"]
    assert plan["suggestions"] == []  # the therapist's suggestions are therapy
    assert len(_get(api, therapist, patient, "communication-plan").json()["suggestions"]) == 1
    body = {"version": 2, "share_with_job_counsellor": False, "entries": body["entries"]}
    assert api.client.put(
        "/v1/me/communication-plan", json=body, headers=patient.headers
    ).is_success
    assert _get(api, counsellor, patient, "communication-plan").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_goals_and_meetings_and_every_read_logged_with_the_counsellors_role(api: Api) -> None:
    _, counsellor, patient = _setup(api)
    goal = {"id": str(uuid.uuid4()), "title": "Back at my desk", "steps": []}
    assert api.client.post("/v1/me/goals", json=goal, headers=patient.headers | key()).is_success
    meeting = {
        "id": str(uuid.uuid4()),
        "starts_at": "2026-11-20T09:00:00Z",
        "participants": [{"role": "manager"}, {"role": "job_counsellor"}],
    }
    made = api.client.post(
        "/v1/me/dialogue-meetings", json=meeting, headers=patient.headers | key()
    )
    assert made.status_code == 201, made.text
    goals = _get(api, counsellor, patient, "goals")
    assert [g["title"] for g in goals.json()["data"]] == ["Back at my desk"]
    meetings = _get(api, counsellor, patient, "dialogue-meetings")
    assert [m["id"] for m in meetings.json()["data"]] == [meeting["id"]]
    assert put_barriers(api, patient, TODAY, WORKED).status_code == 201
    assert _get(api, counsellor, patient, "barriers").status_code == 200
    # the counsellor may read, not write (403 like every therapist-only route)
    write = api.client.post(
        f"/v1/patients/{patient.id}/goals", json=goal, headers=counsellor.headers | key()
    )
    assert write.status_code == 403
    logged = [
        (e["kind"], e["reader_role"], e["reason"])
        for e in access_log(api, patient)
        if e["reader_id"] == str(counsellor.id)
    ]
    assert sorted(logged) == sorted(
        (kind, "job_counsellor", "job_support")
        for kind in ("goals", "dialogue-meetings", "barriers")
    )
    # the counsellor's worklist shows the next dialogue meeting (local date)
    rows = api.client.get("/v1/job-support/patients", headers=counsellor.headers)
    assert rows.status_code == 200, rows.text
    assert [r["next_dialogue_meeting_on"] for r in rows.json()["data"]] == ["2026-11-20"]


@time_machine.travel(NOW, tick=False)
def test_the_next_dialogue_meeting_is_planned_and_not_past(api: Api) -> None:
    _, counsellor, patient = _setup(api)
    ids = []
    for starts_at in ("2026-11-10T09:00:00Z", "2026-11-18T07:00:00Z", "2026-12-01T09:00:00Z"):
        meeting = {
            "id": str(uuid.uuid4()),
            "starts_at": starts_at,
            "participants": [{"role": "gp"}],
        }
        made = api.client.post(
            "/v1/me/dialogue-meetings", json=meeting, headers=patient.headers | key()
        )
        assert made.status_code == 201, made.text
        ids.append(meeting["id"])

    def next_on() -> Any:
        rows = api.client.get("/v1/job-support/patients", headers=counsellor.headers).json()
        return rows["data"][0]["next_dialogue_meeting_on"]

    assert next_on() == "2026-11-18"  # earlier today, still planned
    cancelled = api.client.patch(
        f"/v1/me/dialogue-meetings/{ids[1]}", json={"status": "cancelled"}, headers=patient.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert next_on() == "2026-12-01"
