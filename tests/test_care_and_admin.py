"""Care links decide what a therapist sees; the admin moves patients and manages accounts."""

from __future__ import annotations

import uuid

from tests.factories import Api


def test_admin_creates_a_therapist_who_can_log_in(api: Api) -> None:
    admin = api.admin()
    body = {
        "email": "Dr.Hansen@Clinic.example.com",
        "password": "therapist secret",
        "display_name": "Dr Hansen",
    }
    response = api.client.post("/v1/admin/therapists", json=body, headers=admin.headers)
    assert response.status_code == 201
    assert response.json()["role"] == "therapist"
    assert response.json()["email"] == "dr.hansen@clinic.example.com"
    api.login("dr.hansen@clinic.example.com", "therapist secret")
    again = api.client.post("/v1/admin/therapists", json=body, headers=admin.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"


def test_moving_a_patient_ends_the_old_therapists_access(api: Api) -> None:
    admin, first, second = api.admin(), api.therapist(), api.therapist()
    patient = api.patient(first)
    assert api.client.get(f"/v1/patients/{patient.id}", headers=first.headers).status_code == 200
    moved = api.client.post(
        "/v1/admin/care-links",
        json={"patient_id": str(patient.id), "therapist_id": str(second.id)},
        headers=admin.headers,
    )
    assert moved.status_code == 201
    assert api.client.get(f"/v1/patients/{patient.id}", headers=first.headers).status_code == 404
    assert api.client.get(f"/v1/patients/{patient.id}", headers=second.headers).status_code == 200
    ended = api.client.delete(f"/v1/admin/care-links/{moved.json()['id']}", headers=admin.headers)
    assert ended.status_code == 204
    assert api.client.get(f"/v1/patients/{patient.id}", headers=second.headers).status_code == 404


def test_care_link_needs_a_patient_and_a_therapist(api: Api) -> None:
    admin, therapist = api.admin(), api.therapist()
    patient = api.patient()
    swapped = api.client.post(
        "/v1/admin/care-links",
        json={"patient_id": str(therapist.id), "therapist_id": str(patient.id)},
        headers=admin.headers,
    )
    assert swapped.status_code == 422
    assert swapped.json()["code"] == "not_a_patient"
    missing = api.client.post(
        "/v1/admin/care-links",
        json={"patient_id": str(uuid.uuid4()), "therapist_id": str(therapist.id)},
        headers=admin.headers,
    )
    assert missing.status_code == 404
    gone = api.client.delete(f"/v1/admin/care-links/{uuid.uuid4()}", headers=admin.headers)
    assert gone.status_code == 404


def test_unlinked_patient_is_the_same_404_as_a_random_id(api: Api) -> None:
    therapist, other = api.therapist(), api.therapist()
    patient = api.patient(other)
    hidden = api.client.get(f"/v1/patients/{patient.id}", headers=therapist.headers)
    random = api.client.get(f"/v1/patients/{uuid.uuid4()}", headers=therapist.headers)
    assert hidden.status_code == random.status_code == 404
    assert (
        hidden.json()
        == random.json()
        == {"detail": "Patient not found.", "code": "patient_not_found"}
    )


def test_admin_lists_users_by_role_and_email(api: Api) -> None:
    admin = api.admin()
    api.therapist(email="a.therapist@clinic.example.com")
    api.therapist(email="b.therapist@clinic.example.com")
    api.patient(email="c.patient@clinic.example.com")
    page = api.client.get(
        "/v1/admin/users", params={"role": "therapist", "limit": 1}, headers=admin.headers
    ).json()
    assert [u["email"] for u in page["data"]] == ["a.therapist@clinic.example.com"]
    rest = api.client.get(
        "/v1/admin/users",
        params={"role": "therapist", "cursor": page["next_cursor"]},
        headers=admin.headers,
    ).json()
    assert [u["email"] for u in rest["data"]] == ["b.therapist@clinic.example.com"]
    assert rest["next_cursor"] is None
    found = api.client.get(
        "/v1/admin/users", params={"email": "C.PAT"}, headers=admin.headers
    ).json()
    assert [u["role"] for u in found["data"]] == ["patient"]
    wildcard = api.client.get("/v1/admin/users", params={"email": "%"}, headers=admin.headers)
    assert wildcard.json()["count"] == 0


def test_me_reads_and_updates_profile(api: Api) -> None:
    patient = api.patient()
    response = api.client.patch(
        "/v1/me",
        json={"display_name": "  Kari  ", "timezone": "Pacific/Auckland", "locale": "en"},
        headers=patient.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["timezone"], body["locale"]) == (
        "Kari",
        "Pacific/Auckland",
        "en",
    )
    assert body["created_at"].endswith("Z")
    for bad in (
        {"timezone": "Nowhere/Land"},
        {"locale": "sv"},
        {"role": "admin"},
        {"email": "x@y.no"},
    ):
        rejected = api.client.patch("/v1/me", json=bad, headers=patient.headers)
        assert rejected.status_code == 422, bad
    assert api.client.get("/v1/me", headers=patient.headers).json()["role"] == "patient"
