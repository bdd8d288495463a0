"""The communication plan: the patient's own, versioned, with the therapist's suggestions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.workfocus.models import communication_plan_version_table
from tests.factories import Actor, Api
from tests.workfocus_helpers import access_log, key

MANAGER: dict[str, Any] = {
    "audience": "manager",
    "what": "That I am on sick leave and want to come back gradually",
    "how_much": "kind_of_problem",
    "words": "I have had a hard time with worry and sleep, and I am working on it.",
    "when": "At the dialogue meeting",
    "status": "ready",
}


def put_plan(api: Api, patient: Actor, body: dict[str, Any]) -> Any:
    return api.client.put("/v1/me/communication-plan", json=body, headers=patient.headers)


def versions(api: Api, patient: Actor) -> int:
    async def count(session: AsyncSession) -> int:
        t = communication_plan_version_table
        return int(
            await session.scalar(
                select(func.count()).select_from(t).where(t.c.patient_id == patient.id)
            )
            or 0
        )

    return api.db(count)


def test_the_plan_is_versioned_and_a_stale_version_is_409(api: Api) -> None:
    patient = api.patient()
    empty = api.client.get("/v1/me/communication-plan", headers=patient.headers).json()
    assert (empty["version"], empty["entries"], empty["suggestions"]) == (0, [], [])
    first = put_plan(api, patient, {"version": 0, "entries": [MANAGER]})
    assert first.status_code == 200, first.text
    plan = first.json()
    assert plan["version"] == 1
    entry = plan["entries"][0]
    assert entry["words"] == MANAGER["words"]
    assert entry["id"]
    colleagues = {"audience": "colleagues", "what": "Nothing yet", "how_much": "nothing"}
    second = put_plan(
        api,
        patient,
        {"version": 1, "share_with_job_counsellor": True, "entries": [entry, colleagues]},
    )
    assert second.status_code == 200
    assert second.json()["version"] == 2
    assert second.json()["entries"][0]["id"] == entry["id"]  # the id is kept
    assert second.json()["share_with_job_counsellor"] is True
    stale = put_plan(api, patient, {"version": 1, "entries": []})
    assert (stale.status_code, stale.json()["code"]) == (409, "communication_plan_version_conflict")
    assert versions(api, patient) == 2
    # Without `version` the save is unconditional.
    assert put_plan(api, patient, {"entries": []}).json()["version"] == 3


def test_bad_plans_are_refused(api: Api) -> None:
    patient = api.patient()
    other = {"audience": "other", "what": "x", "how_much": "nothing"}
    bad: list[dict[str, Any]] = [
        {"entries": [other]},  # 'other' needs a label
        {"entries": [MANAGER | {"how_much": "everything"}]},
        {"entries": [MANAGER | {"words": "x" * 2001}]},
        {"entries": [MANAGER | {"what": " "}]},
        {"entries": [MANAGER] * 31},
        {"entries": [MANAGER], "colour": "blue"},
    ]
    for body in bad:
        assert put_plan(api, patient, body).status_code == 422, body
    assert (
        put_plan(api, patient, {"entries": [other | {"label": "My union rep"}]}).status_code == 200
    )
    assert versions(api, patient) == 1


def test_the_therapist_reads_and_suggests_and_the_patient_decides(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    put_plan(api, patient, {"entries": [MANAGER]})
    base = f"/v1/patients/{patient.id}/communication-plan"
    seen = api.client.get(base, headers=therapist.headers)
    assert seen.status_code == 200
    assert seen.json()["entries"][0]["words"] == MANAGER["words"]
    # The therapist has no way to write the plan itself.
    assert api.client.put(base, json={"entries": []}, headers=therapist.headers).status_code == 405
    suggestion = {"audience": "gp", "text": "Tell your GP about the graded plan"}
    made = api.client.post(
        f"{base}/suggestions", json=suggestion, headers=therapist.headers | key()
    )
    assert made.status_code == 201, made.text
    first_id = made.json()["id"]
    second_id = api.client.post(
        f"{base}/suggestions",
        json={"audience": "colleagues", "text": "Maybe say you are back part time"},
        headers=therapist.headers | key(),
    ).json()["id"]
    mine = api.client.get("/v1/me/communication-plan", headers=patient.headers).json()
    assert [s["status"] for s in mine["suggestions"]] == ["open", "open"]
    assert mine["version"] == 1  # suggesting changes nothing in the plan
    accepted = api.client.post(
        f"/v1/me/communication-plan/suggestions/{first_id}/accept", headers=patient.headers
    )
    assert accepted.status_code == 200, accepted.text
    plan = accepted.json()
    assert plan["version"] == 2
    added = plan["entries"][1]
    assert (added["audience"], added["what"], added["how_much"], added["status"]) == (
        "gp",
        "Tell your GP about the graded plan",
        "nothing",
        "draft",
    )
    assert added["from_suggestion_id"] == first_id
    assert plan["entries"][0]["words"] == MANAGER["words"]  # the patient's words untouched
    decided = {s["id"]: s for s in plan["suggestions"]}
    assert (decided[first_id]["status"], decided[first_id]["entry_id"]) == (
        "accepted",
        added["id"],
    )
    dismissed = api.client.post(
        f"/v1/me/communication-plan/suggestions/{second_id}/dismiss", headers=patient.headers
    )
    assert dismissed.status_code == 200
    assert dismissed.json()["version"] == 2
    again = api.client.post(
        f"/v1/me/communication-plan/suggestions/{second_id}/accept", headers=patient.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "suggestion_already_decided")
    intruder = api.patient()
    theirs = api.client.post(
        f"/v1/me/communication-plan/suggestions/{first_id}/dismiss", headers=intruder.headers
    )
    assert (theirs.status_code, theirs.json()["code"]) == (404, "suggestion_not_found")
    assert ("communication-plan", 1) in access_log(api, patient)
    stranger = api.therapist()
    hidden = api.client.get(base, headers=stranger.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "patient_not_found")
    refused = api.client.post(
        f"{base}/suggestions", json=suggestion, headers=stranger.headers | key()
    )
    assert refused.status_code == 404
