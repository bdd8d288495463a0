"""The job counsellor: created by an admin, proposed by the therapist, accepted by the patient,
who may end it at any time; the counsellor then sees the work side and each read is logged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import PASSWORD, Api
from tests.jobsupport_helpers import accepted, access_log, key, propose


def test_an_admin_creates_a_counsellor_who_logs_in_as_one(api: Api) -> None:
    admin = api.admin()
    body = {"email": "c.one@clinic.example.com", "password": PASSWORD, "display_name": "Cato"}
    created = api.client.post("/v1/admin/job-counsellors", json=body, headers=admin.headers | key())
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "job_counsellor"
    tokens = api.login(body["email"], PASSWORD)
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["role"] == "job_counsellor"
    taken = api.client.post("/v1/admin/job-counsellors", json=body, headers=admin.headers | key())
    assert taken.status_code == 409


@pytest.fixture
def strict(api: Api, settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings.model_copy(update={"require_mfa": True}))) as client:
        yield Api(client)


def test_a_counsellor_is_held_to_two_step_login_like_other_staff(strict: Api) -> None:
    counsellor = strict.counsellor()
    held = strict.client.get(f"/v1/patients/{counsellor.id}/rtw-plan", headers=counsellor.headers)
    assert (held.status_code, held.json()["code"]) == (403, "mfa_enrolment_required")
    status = strict.client.get("/v1/me/mfa", headers=counsellor.headers)
    assert status.status_code == 200
    assert status.json()["required"] is True


def test_propose_accept_read_end(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor(name="Cora Counsellor")
    patient = api.patient(therapist)
    listed = api.client.get("/v1/job-counsellors", headers=therapist.headers).json()
    assert [c["id"] for c in listed["data"]] == [str(counsellor.id)]
    plan = f"/v1/patients/{patient.id}/rtw-plan"

    proposal = propose(api, therapist, patient, counsellor)
    assert proposal.status_code == 201, proposal.text
    link = proposal.json()
    assert (link["status"], link["counsellor_name"]) == ("proposed", "Cora Counsellor")
    # Proposed is not accepted: the counsellor sees nothing yet.
    assert api.client.get(plan, headers=counsellor.headers).status_code == 404
    mine = api.client.get("/v1/me/job-support", headers=patient.headers).json()
    assert [item["id"] for item in mine["data"]] == [link["id"]]

    accept = api.client.post(f"/v1/me/job-support/{link['id']}/accept", headers=patient.headers)
    assert accept.status_code == 200
    assert accept.json()["status"] == "accepted"
    again = api.client.post(f"/v1/me/job-support/{link['id']}/accept", headers=patient.headers)
    assert again.status_code == 200  # a retry of the same answer
    read = api.client.get(plan, headers=counsellor.headers)
    assert read.status_code == 200, read.text
    entry = access_log(api, patient)[0]
    assert (entry["reader_id"], entry["reader_role"], entry["reason"], entry["kind"]) == (
        str(counsellor.id),
        "job_counsellor",
        "job_support",
        "rtw-plan",
    )

    ended = api.client.delete(f"/v1/me/job-support/{link['id']}", headers=patient.headers)
    assert ended.status_code == 204
    assert api.client.get(plan, headers=counsellor.headers).status_code == 404
    history = api.client.get("/v1/me/job-support", headers=patient.headers).json()["data"]
    assert history[0]["status"] == "ended"
    assert history[0]["ended_at"] is not None
    # The therapist sees the history too, and may propose again once the link is closed.
    seen = api.client.get(f"/v1/patients/{patient.id}/job-support", headers=therapist.headers)
    assert seen.json()["data"][0]["status"] == "ended"
    assert propose(api, therapist, patient, counsellor).status_code == 201


def test_one_open_link_at_a_time_and_only_counsellors(api: Api) -> None:
    therapist, counsellor, other = api.therapist(), api.counsellor(), api.counsellor()
    patient = api.patient(therapist)
    accepted(api, therapist, patient, counsellor)
    busy = propose(api, therapist, patient, other)
    assert (busy.status_code, busy.json()["code"]) == (409, "job_support_open")
    not_one = propose(api, therapist, api.patient(therapist), api.therapist())
    assert (not_one.status_code, not_one.json()["code"]) == (422, "not_a_job_counsellor")


def test_declined_cannot_be_accepted_and_others_links_are_404(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient, stranger = api.patient(therapist), api.patient(therapist)
    link_id = propose(api, therapist, patient, counsellor).json()["id"]
    nosy = api.client.post(f"/v1/me/job-support/{link_id}/accept", headers=stranger.headers)
    assert (nosy.status_code, nosy.json()["code"]) == (404, "job_support_link_not_found")
    assert (
        api.client.delete(f"/v1/me/job-support/{link_id}", headers=stranger.headers).status_code
        == 404
    )
    declined = api.client.post(f"/v1/me/job-support/{link_id}/decline", headers=patient.headers)
    assert declined.json()["status"] == "declined"
    late = api.client.post(f"/v1/me/job-support/{link_id}/accept", headers=patient.headers)
    assert (late.status_code, late.json()["code"]) == (409, "job_support_not_proposed")
    assert (
        api.client.get(
            f"/v1/patients/{patient.id}/work-diary", headers=counsellor.headers
        ).status_code
        == 404
    )


def test_the_counsellor_reads_exactly_the_work_side(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    accepted(api, therapist, patient, counsellor)
    base = f"/v1/patients/{patient.id}"
    for path in ("/rtw-plan", "/work-diary", "/work-summary", "/work-summary?by=period"):
        assert api.client.get(base + path, headers=counsellor.headers).status_code == 200, path
    for path in ("", "/checkins", "/exercise-logs", "/assignments", "/measures/phq9/responses"):
        assert api.client.get(base + path, headers=counsellor.headers).status_code == 403, path
    assert (
        api.client.put(base + "/rtw-plan", json={}, headers=counsellor.headers).status_code == 403
    )
    kinds = {e["kind"] for e in access_log(api, patient) if e["reader_id"] == str(counsellor.id)}
    assert kinds == {"rtw-plan", "work-diary", "work-summary"}
