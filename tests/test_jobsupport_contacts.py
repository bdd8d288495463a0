"""Employer contacts are recorded only while the patient's consent covers them, at that moment."""

from __future__ import annotations

from typing import Any

from tests.factories import Actor, Api
from tests.jobsupport_helpers import accepted, key

CONTACT = {
    "contacted_on": "2026-11-30",
    "person": "Mona Leder",
    "role": "Manager",
    "channel": "phone",
    "purpose": "adjustments",
    "shared": "That she needs quieter tasks for two weeks; nothing about her health.",
}


def _consent(api: Api, patient: Actor, **fields: Any) -> None:
    body = {"employer_contact": True, "employer_contact_purposes": ["adjustments"]} | fields
    response = api.client.put("/v1/me/consents", json=body, headers=patient.headers)
    assert response.status_code == 200, response.text


def _contact(api: Api, actor: Actor, patient: Actor, **fields: Any) -> Any:
    return api.client.post(
        f"/v1/patients/{patient.id}/employer-contacts",
        json=CONTACT | fields,
        headers=actor.headers | key(),
    )


def _refused(response: Any) -> bool:
    return bool(response.status_code == 409 and response.json()["code"] == "consent_required")


def test_without_consent_409_with_consent_201_withdrawn_409(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    accepted(api, therapist, patient, counsellor)
    assert _refused(_contact(api, counsellor, patient))  # never answered
    _consent(api, patient)
    first = _contact(api, counsellor, patient)
    assert first.status_code == 201, first.text
    # Who recorded it comes from the work-side scope (`PatientScope.reader_id`): the counsellor.
    recorded = (first.json()["recorded_by"], first.json()["recorded_by_role"])
    assert recorded == (str(counsellor.id), "job_counsellor")
    _consent(api, patient, employer_contact=False)  # withdrawn between two contacts
    assert _refused(_contact(api, therapist, patient, contacted_on="2026-12-01"))
    mine = api.client.get("/v1/me/employer-contacts", headers=patient.headers).json()["data"]
    assert [c["id"] for c in mine] == [first.json()["id"]]
    assert mine[0]["shared"] == CONTACT["shared"]
    export = api.client.get("/v1/me/export", headers=patient.headers).json()
    assert [c["id"] for c in export["employer_contacts"]] == [first.json()["id"]]


def test_the_consent_must_name_the_purpose_and_the_person(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    # A consent from before scopes (no purposes named) covers no contact.
    api.client.put("/v1/me/consents", json={"employer_contact": True}, headers=patient.headers)
    assert _refused(_contact(api, therapist, patient))
    _consent(api, patient, employer_contact_person="Mona Leder")
    seen = api.client.get(f"/v1/patients/{patient.id}/employer-consent", headers=therapist.headers)
    assert (seen.json()["employer_contact_purposes"], seen.json()["employer_contact_person"]) == (
        ["adjustments"],
        "Mona Leder",
    )
    assert _refused(_contact(api, therapist, patient, purpose="job_search"))
    assert _refused(_contact(api, therapist, patient, person="Per Sjef"))
    assert _contact(api, therapist, patient, person="mona  leder").status_code == 201
    listed = api.client.get(
        f"/v1/patients/{patient.id}/employer-contacts", headers=therapist.headers
    )
    assert listed.json()["count"] == 1


def test_other_purposes_need_words(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    bare = {"employer_contact": True, "employer_contact_purposes": ["other"]}
    assert api.client.put("/v1/me/consents", json=bare, headers=patient.headers).status_code == 422
    _consent(
        api, patient, employer_contact_purposes=["other"], employer_contact_purpose_other="Pay"
    )
    assert _contact(api, therapist, patient, purpose="other").status_code == 422
    made = _contact(api, therapist, patient, purpose="other", purpose_text="Sick pay forms")
    assert made.status_code == 201, made.text
    consents = api.client.get("/v1/me/consents", headers=patient.headers).json()
    assert consents["employer_contact_purposes"] == ["other"]


def test_a_counsellor_without_the_link_gets_404_and_writes_nothing(api: Api) -> None:
    therapist, counsellor = api.therapist(), api.counsellor()
    patient = api.patient(therapist)
    _consent(api, patient)
    response = _contact(api, counsellor, patient)
    assert (response.status_code, response.json()["code"]) == (404, "patient_not_found")
    mine = api.client.get("/v1/me/employer-contacts", headers=patient.headers).json()
    assert mine["count"] == 0


def test_a_contact_in_the_future_is_refused(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    _consent(api, patient)
    ahead = _contact(api, therapist, patient, contacted_on="2099-01-01")
    assert (ahead.status_code, ahead.json()["code"]) == (422, "contacted_on_in_future")
