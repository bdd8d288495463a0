"""Invitations and registering through them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from tests.factories import Actor, Api

ACCEPTED = {
    "status": "accepted",
    "detail": "If this email has no account yet, it has one now: log in with it.",
}


def _invite(api: Api, therapist: Actor, **body: Any) -> dict[str, Any]:
    response = api.client.post("/v1/invitations", json=body, headers=therapist.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _register(api: Api, code: str, **changes: Any) -> Any:
    body = {
        "invitation_code": code,
        "email": "new.patient@home.example.com",
        "password": "my long secret phrase",
        "display_name": "Nora",
        "timezone": "Europe/Oslo",
        "locale": "en",
    }
    body.update(changes)
    return api.client.post("/v1/auth/register", json=body)


def test_register_links_patient_to_the_inviting_therapist(api: Api) -> None:
    therapist = api.therapist()
    invitation = _invite(api, therapist)
    assert invitation["status"] == "pending"
    response = _register(api, invitation["code"].lower().replace("-", " "))
    assert response.status_code == 202, response.text
    assert response.json() == ACCEPTED
    tokens = api.login("New.Patient@home.example.com", "my long secret phrase")
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    user = me.json()
    assert user["role"] == "patient"
    assert user["email"] == "new.patient@home.example.com"
    profile = api.client.get(f"/v1/patients/{user['id']}", headers=therapist.headers)
    assert profile.status_code == 200
    assert profile.json()["display_name"] == "Nora"
    listed = api.client.get("/v1/invitations", headers=therapist.headers).json()
    assert [item["status"] for item in listed["data"]] == ["used"]
    assert "code" not in listed["data"][0]


def test_used_code_cannot_be_used_twice(api: Api) -> None:
    invitation = _invite(api, api.therapist())
    assert _register(api, invitation["code"]).status_code == 202
    again = _register(api, invitation["code"], email="someone.else@home.example.com")
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_invitation"


def test_expired_code(api: Api) -> None:
    invitation = _invite(api, api.therapist(), expires_in_days=1)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1, minutes=1)):
        response = _register(api, invitation["code"])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_invitation"


def test_unknown_code(api: Api) -> None:
    response = _register(api, "ABCD-EFGH-JKLM")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_invitation"


def test_revoked_code(api: Api) -> None:
    therapist = api.therapist()
    invitation = _invite(api, therapist)
    deleted = api.client.delete(f"/v1/invitations/{invitation['id']}", headers=therapist.headers)
    assert deleted.status_code == 204
    assert _register(api, invitation["code"]).status_code == 400


def test_email_bound_code_needs_that_email(api: Api) -> None:
    invitation = _invite(api, api.therapist(), email="Kari@Home.example.com")
    wrong = _register(api, invitation["code"], email="other@home.example.com")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_invitation"
    right = _register(api, invitation["code"], email="kari@home.example.com")
    assert right.status_code == 202


def test_a_taken_email_answers_exactly_like_a_free_one_and_keeps_the_code(api: Api) -> None:
    """Issue 11 item 9: registration must not tell anyone which emails have an account."""
    therapist = api.therapist()
    existing = api.patient()
    free, taken = _invite(api, therapist), _invite(api, therapist)
    created = _register(api, free["code"], email="fresh.person@home.example.com")
    probed = _register(api, taken["code"], email=existing.email.upper())
    assert probed.status_code == created.status_code == 202
    assert probed.json() == created.json() == ACCEPTED
    assert set(probed.headers) - {"x-request-id", "content-length"} == set(created.headers) - {
        "x-request-id",
        "content-length",
    }
    statuses = {
        item["id"]: item["status"]
        for item in api.client.get("/v1/invitations", headers=therapist.headers).json()["data"]
    }
    assert statuses == {free["id"]: "used", taken["id"]: "pending"}  # the code stays usable
    # Nothing happened to the existing account: its password still works, the new one not.
    api.login(existing.email, existing.password)
    wrong = api.client.post(
        "/v1/auth/token",
        data={"username": existing.email, "password": "my long secret phrase"},
    )
    assert wrong.status_code == 401
    # The weak-password check runs either way, so it cannot tell the two apart either.
    weak = _register(api, taken["code"], email=existing.email, password="password123")
    assert weak.status_code == 422
    assert weak.json()["code"] == "weak_password"


def test_a_code_made_out_to_a_taken_email_is_409(api: Api) -> None:
    """The therapist typed that address: the code's holder learns nothing new from a 409."""
    therapist = api.therapist()
    existing = api.patient()
    invitation = _invite(api, therapist, email=existing.email)
    response = _register(api, invitation["code"], email=existing.email.upper())
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    listed = api.client.get("/v1/invitations", headers=therapist.headers).json()
    assert listed["data"][0]["status"] == "pending"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus"),
        ("timezone", "CET "),
        ("locale", "de"),
        ("password", "short"),
        ("password", "p" * 129),
        ("email", "not-an-email"),
        ("display_name", ""),
        ("display_name", "n" * 101),
    ],
)
def test_bad_fields_are_422_and_nothing_is_written(api: Api, field: str, value: str) -> None:
    therapist = api.therapist()
    invitation = _invite(api, therapist)
    response = _register(api, invitation["code"], **{field: value})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert _register(api, invitation["code"]).status_code == 202


def test_unknown_field_is_422(api: Api) -> None:
    invitation = _invite(api, api.therapist())
    response = _register(api, invitation["code"], role="admin")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "extra_forbidden"


def test_invitation_list_paginates(api: Api) -> None:
    therapist = api.therapist()
    created = [_invite(api, therapist)["id"] for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.client.get("/v1/invitations", params=params, headers=therapist.headers).json()
        seen += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(created)
    assert len(seen) == 5
    bad = api.client.get("/v1/invitations", params={"cursor": "!!"}, headers=therapist.headers)
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"
    over = api.client.get("/v1/invitations", params={"limit": 201}, headers=therapist.headers)
    assert over.status_code == 422


def test_cannot_revoke_another_therapists_invitation(api: Api) -> None:
    owner, other = api.therapist(), api.therapist()
    invitation = _invite(api, owner)
    response = api.client.delete(f"/v1/invitations/{invitation['id']}", headers=other.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "invitation_not_found"


def test_used_invitation_cannot_be_revoked(api: Api) -> None:
    therapist = api.therapist()
    invitation = _invite(api, therapist)
    _register(api, invitation["code"])
    response = api.client.delete(f"/v1/invitations/{invitation['id']}", headers=therapist.headers)
    assert response.status_code == 409


@pytest.mark.parametrize(
    "password",
    [
        "password123",
        "1234567890",
        "qwertyuiop",
        "passwordpassword",
        "nora12345678",
        "new.patient123",
    ],
)
def test_common_passwords_are_refused(api: Api, password: str) -> None:
    invitation = _invite(api, api.therapist())
    response = _register(api, invitation["code"], password=password)
    assert response.status_code == 422
    assert response.json()["code"] == "weak_password"
    assert _register(api, invitation["code"]).status_code == 202


def test_password_change_refuses_common_passwords(api: Api) -> None:
    patient = api.patient()
    response = api.client.post(
        "/v1/me/password",
        json={"current_password": patient.password, "new_password": "iloveyou123"},
        headers=patient.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "weak_password"
    api.login(patient.email, patient.password)
