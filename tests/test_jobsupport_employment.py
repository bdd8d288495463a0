"""Employment records; a new employer's first day schedules follow-ups at +3 and +6 months
through the same machinery as the full return to work (reason `new_job`)."""

from __future__ import annotations

from typing import Any

import time_machine

from tests.factories import Actor, Api
from tests.jobsupport_helpers import accepted, key

NOW = "2026-12-01T10:00:00Z"  # Tuesday


def _job(api: Api, actor: Actor, url: str, **fields: Any) -> Any:
    body = {"employer": "Fjord Bakeri", "starts_on": "2026-08-31", "kind": "new_employer"}
    return api.client.post(url, json=body | fields, headers=actor.headers | key())


@time_machine.travel(NOW, tick=False)
def test_a_new_job_schedules_follow_ups_at_three_and_six_months(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    accepted(api, therapist, patient, counsellor)
    url = f"/v1/patients/{patient.id}/employment"
    created = _job(api, counsellor, url, role="Baker", hours_per_week=30)
    assert created.status_code == 201, created.text
    job = created.json()
    assert (job["status"], job["recorded_by_role"]) == ("active", "job_counsellor")
    # 31 Aug + 3 months = 30 Nov (clamped to the month's end); + 6 months = 28 Feb 2027.
    assert [(f["months"], f["due_on"], f["reason"]) for f in job["follow_ups"]] == [
        (3, "2026-11-30", "new_job"),
        (6, "2027-02-28", "new_job"),
    ]
    assert {f["employment_id"] for f in job["follow_ups"]} == {job["id"]}
    # The patient answers the due one in the app, like any follow-up; a booster request follows.
    due = api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["data"]
    assert [(f["months"], f["reason"]) for f in due] == [(3, "new_job")]
    answer = {"still_working": True, "needs_booster": True}
    answered = api.client.post(
        f"/v1/me/follow-ups/{due[0]['id']}/answer", json=answer, headers=patient.headers
    )
    assert answered.status_code == 200, answered.text
    requests = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()["data"]
    assert [r["source"] for r in requests] == ["follow_up"]
    # The therapist and the patient see the job with its follow-ups.
    for actor, path in ((therapist, url), (patient, "/v1/me/employment")):
        listed = api.client.get(path, headers=actor.headers).json()["data"]
        assert [f["status"] for f in listed[0]["follow_ups"]] == ["answered", "pending"]


@time_machine.travel(NOW, tick=False)
def test_a_new_job_and_the_full_return_keep_separate_series(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    base = f"/v1/patients/{patient.id}"
    returned = api.client.put(
        f"{base}/rtw-completion", json={"rtw_completed_on": "2026-09-01"}, headers=therapist.headers
    )
    assert returned.status_code == 200, returned.text
    assert _job(api, therapist, f"{base}/employment").status_code == 201
    assert _job(api, patient, "/v1/me/employment", employer="Kai Kafe").status_code == 201
    completion = api.client.get(f"{base}/rtw-completion", headers=therapist.headers).json()
    assert [f["reason"] for f in completion["follow_ups"]] == ["full_return", "full_return"]
    jobs = api.client.get("/v1/me/employment", headers=patient.headers).json()["data"]
    assert [len(j["follow_ups"]) for j in jobs] == [2, 2]
    assert {j["recorded_by_role"] for j in jobs} == {"therapist", "patient"}


@time_machine.travel(NOW, tick=False)
def test_same_employer_schedules_nothing_and_dates_are_checked(api: Api) -> None:
    patient = api.patient()
    same = _job(api, patient, "/v1/me/employment", kind="same_employer")
    assert same.status_code == 201
    assert same.json()["follow_ups"] == []
    planned = _job(api, patient, "/v1/me/employment", kind="same_employer", starts_on="2027-01-04")
    assert planned.json()["status"] == "planned"
    backwards = _job(api, patient, "/v1/me/employment", ends_on="2026-08-01")
    assert backwards.status_code == 422
    assert api.client.get("/v1/me/follow-ups", headers=patient.headers).json()["data"] == []


@time_machine.travel(NOW, tick=False)
def test_changing_a_job_moves_or_cancels_its_follow_ups(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    accepted(api, therapist, patient, counsellor)
    job = _job(api, patient, "/v1/me/employment").json()
    url = f"/v1/patients/{patient.id}/employment/{job['id']}"
    moved = api.client.patch(url, json={"starts_on": "2026-09-15"}, headers=counsellor.headers)
    assert moved.status_code == 200, moved.text
    # 15 Sep + 3 months = 15 Dec; + 6 months = 15 Mar 2027.
    assert [f["due_on"] for f in moved.json()["follow_ups"]] == ["2026-12-15", "2027-03-15"]
    ended = api.client.patch(
        f"/v1/me/employment/{job['id']}",
        json={"ends_on": "2026-11-30", "status": None},
        headers=patient.headers,
    )
    assert ended.json()["status"] == "ended"
    same = api.client.patch(url, json={"kind": "same_employer"}, headers=therapist.headers)
    assert same.json()["follow_ups"] == []
    backwards = api.client.patch(url, json={"ends_on": "2026-09-01"}, headers=therapist.headers)
    assert (backwards.status_code, backwards.json()["code"]) == (422, "employment_invalid")
    other = api.patient(therapist)
    nosy = api.client.patch(
        f"/v1/me/employment/{job['id']}", json={"role": "x"}, headers=other.headers
    )
    assert (nosy.status_code, nosy.json()["code"]) == (404, "employment_not_found")
