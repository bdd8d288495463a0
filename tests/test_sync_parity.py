"""`data` is what the patient's own GET endpoints return: a patient seeded with every record
kind is synced from scratch, and each record must equal its item in the matching GET answer,
and every item of those answers must be in the snapshot (nothing hidden shows, nothing shown
is missing)."""

from __future__ import annotations

from typing import Any

import time_machine

from tests.factories import Actor, Api
from tests.privacy_helpers import NOW, register, seed_everything
from tests.sync_helpers import sync_all

# type -> (GET path, key the list's items are matched on; None: one record, the whole body)
LISTS: dict[str, tuple[str, str | None]] = {
    "exercise_log": ("/v1/me/exercise-logs?limit=200", "id"),
    "checkin": ("/v1/me/checkins", "local_date"),
    "diary_entry": ("/v1/me/work-diary", "local_date"),
    "rtw_plan": ("/v1/me/rtw-plan", None),
    "booster_request": ("/v1/me/booster-requests?limit=200", "id"),
    "follow_up": ("/v1/me/follow-ups?upcoming=true", "id"),
    "consents": ("/v1/me/consents", None),
    "measure_schedule": ("/v1/me/measures/due", "measure"),
    "barrier_check": ("/v1/me/barriers", "local_date"),
    "communication_plan": ("/v1/me/communication-plan", None),
    "dialogue_meeting": ("/v1/me/dialogue-meetings", "id"),
    "goal": ("/v1/me/goals", "id"),
    "job_support_link": ("/v1/me/job-support", "id"),
    "employment": ("/v1/me/employment", "id"),
    "joint_meeting": ("/v1/me/joint-meetings", "id"),
    "employer_contact": ("/v1/me/employer-contacts", "id"),
}


def _get(api: Api, actor: Actor, path: str) -> Any:
    response = api.client.get(path, headers=actor.headers)
    assert response.status_code == 200, (path, response.text)
    return response.json()


@time_machine.travel(NOW, tick=False)
def test_every_synced_record_equals_what_its_own_get_returns(api: Api) -> None:
    therapist = api.therapist()
    patient = register(api, therapist, "Kari Paritet")
    seed_everything(api, therapist, patient)
    changes, _ = sync_all(api, patient)
    assert all(change["op"] == "upsert" for change in changes)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_type.setdefault(change["type"], []).append(change)
    for kind, (path, key) in LISTS.items():
        body = _get(api, patient, path)
        synced = by_type.pop(kind, [])
        if key is None:
            assert [(c["id"], c["data"]) for c in synced] == [(str(patient.id), body)], kind
            continue
        items = body["data"]
        # The seeded schedule was just answered, so nothing is due (test_sync_api has one due).
        assert items or kind == "measure_schedule", f"seed_everything shows no {kind}"
        assert sorted((c["data"][key] for c in synced), key=str) == sorted(
            (item[key] for item in items), key=str
        ), kind
        shown = {item[key]: item for item in items}
        for change in synced:
            assert change["data"] == shown[change["data"][key]], kind
    # Assignments: the full record as GET /v1/patients/{id}/assignments has it (the patient's
    # own GET /v1/me/assignments is a per-day view of it).
    assignments = _get(api, therapist, f"/v1/patients/{patient.id}/assignments")["data"]
    assert [c["data"] for c in by_type.pop("assignment")] == assignments
    responses = []
    for measure in ("phq9", "gad7"):
        responses += _get(api, patient, f"/v1/me/measures/{measure}/responses")["data"]
    synced = sorted((c["data"] for c in by_type.pop("measure_response")), key=lambda r: r["id"])
    assert synced == sorted(responses, key=lambda r: r["id"])
    assert by_type == {}
