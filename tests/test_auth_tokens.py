"""Login, token verification and every way a forged or dead token must be refused."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import time_machine
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.security import VERIFIED_TOKENS_KEPT, TokenCodec
from tests.conftest import SECRET
from tests.factories import Api


def _claims(api: Api, **changes: Any) -> dict[str, Any]:
    actor = api.patient()
    claims = jwt.decode(actor.access_token, options={"verify_signature": False})
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _assert_401(client: TestClient, token: str) -> None:
    response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_login_returns_a_working_pair(api: Api) -> None:
    patient = api.patient()
    me = api.client.get("/v1/me", headers=patient.headers)
    assert me.status_code == 200
    assert me.json()["role"] == "patient"
    body = api.login(patient.email.upper(), patient.password)  # email is case-insensitive
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert set(claims) == {"iss", "aud", "sub", "exp", "iat", "jti", "sid"}
    assert claims["exp"] - claims["iat"] <= 15 * 60


def test_wrong_password_and_unknown_email_look_identical(api: Api) -> None:
    patient = api.patient()
    wrong = api.client.post(
        "/v1/auth/token", data={"username": patient.email, "password": "not the password"}
    )
    unknown = api.client.post(
        "/v1/auth/token", data={"username": "nobody@clinic.example.com", "password": "whatever1"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "detail": "Incorrect email or password.",
            "code": "invalid_credentials",
        }
    )


def test_overlong_password_is_422_not_500(client: TestClient) -> None:
    response = client.post(
        "/v1/auth/token", data={"username": "a@b.example.com", "password": "x" * 129}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "x" * 129 not in response.text


def test_alg_none_is_refused(api: Api) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(api))}."
    _assert_401(api.client, token)


def test_other_hs_algorithm_is_refused(api: Api) -> None:
    _assert_401(api.client, jwt.encode(_claims(api), SECRET, algorithm="HS512"))


def test_wrong_key_is_refused(api: Api) -> None:
    _assert_401(api.client, jwt.encode(_claims(api), "another-key-" * 4, algorithm="HS256"))


def test_expired_token_is_refused(api: Api) -> None:
    patient = api.patient()
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=16)):
        _assert_401(api.client, patient.access_token)


@pytest.mark.parametrize("claim", ["exp", "iat", "jti", "sid", "sub", "iss", "aud"])
def test_missing_required_claim_is_refused(api: Api, claim: str) -> None:
    claims = _claims(api)
    del claims[claim]
    _assert_401(api.client, jwt.encode(claims, SECRET, algorithm="HS256"))


def test_wrong_audience_and_issuer_are_refused(api: Api) -> None:
    _assert_401(api.client, jwt.encode(_claims(api, aud="other-api"), SECRET, algorithm="HS256"))
    _assert_401(api.client, jwt.encode(_claims(api, iss="someone"), SECRET, algorithm="HS256"))


def test_correctly_signed_forgery_of_claims_still_needs_a_live_session(api: Api) -> None:
    """Even with the key, a made-up session id does not authenticate."""
    token = jwt.encode(_claims(api, sid=str(uuid.uuid4())), SECRET, algorithm="HS256")
    _assert_401(api.client, token)


def test_tampered_payload_is_refused(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient()
    header, _, signature = patient.access_token.split(".")
    forged = _claims(api, sub=str(therapist.id))
    _assert_401(api.client, f"{header}.{_b64(forged)}.{signature}")


def test_refresh_token_is_not_a_bearer_token(api: Api) -> None:
    patient = api.patient()
    _assert_401(api.client, patient.refresh_token)


def test_logout_kills_the_session_at_once(api: Api) -> None:
    patient = api.patient()
    response = api.client.post(
        "/v1/auth/logout", json={"refresh_token": patient.refresh_token}, headers=patient.headers
    )
    assert response.status_code == 204
    _assert_401(api.client, patient.access_token)
    again = api.client.post("/v1/auth/refresh", json={"refresh_token": patient.refresh_token})
    assert again.status_code == 401


def test_password_change_revokes_other_devices_only(api: Api) -> None:
    patient = api.patient()
    other_device = api.login(patient.email, patient.password)
    response = api.client.post(
        "/v1/me/password",
        json={"current_password": patient.password, "new_password": "a brand new passphrase"},
        headers=patient.headers,
    )
    assert response.status_code == 204
    _assert_401(api.client, other_device["access_token"])
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 200
    api.login(patient.email, "a brand new passphrase")
    old = api.client.post(
        "/v1/auth/token", data={"username": patient.email, "password": patient.password}
    )
    assert old.status_code == 401


def test_password_change_needs_the_current_password(api: Api) -> None:
    patient = api.patient()
    response = api.client.post(
        "/v1/me/password",
        json={"current_password": "not it at all", "new_password": "a brand new passphrase"},
        headers=patient.headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 200


def test_disabled_user_is_locked_out(api: Api) -> None:
    admin = api.admin()
    patient = api.patient()
    response = api.client.patch(
        f"/v1/admin/users/{patient.id}", json={"disabled": True}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.json()["disabled_at"] is not None
    _assert_401(api.client, patient.access_token)
    refreshed = api.client.post("/v1/auth/refresh", json={"refresh_token": patient.refresh_token})
    assert refreshed.status_code == 401
    login = api.client.post(
        "/v1/auth/token", data={"username": patient.email, "password": patient.password}
    )
    assert login.status_code == 401


def test_role_comes_from_the_database_not_the_token(api: Api) -> None:
    therapist = api.therapist()
    claims = jwt.decode(therapist.access_token, options={"verify_signature": False})
    claims["role"] = "admin"
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    response = api.client.get("/v1/admin/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_login_rehashes_outdated_password_hashes(api: Api) -> None:
    from sqlalchemy import select

    from app.accounts.models import user_table

    patient = api.patient()

    async def stored_hash(session: Any) -> str:
        return str(
            await session.scalar(
                select(user_table.c.password_hash).where(user_table.c.id == patient.id)
            )
        )

    before = api.db(stored_hash)
    assert "m=8192,t=1,p=1" in before
    api.services.hasher = type(api.services.hasher)(
        api.services.settings.model_copy(update={"argon2_time_cost": 2})
    )
    api.login(patient.email, patient.password)
    after = api.db(stored_hash)
    assert "m=8192,t=2,p=1" in after
    # The new hash is of the same password: it logs in again, and is not redone a second time.
    api.login(patient.email, patient.password)
    assert api.db(stored_hash) == after


def test_a_token_verified_before_still_expires(api: Api) -> None:
    """The codec remembers verified tokens (issue 12); a remembered one still dies at `exp`."""
    patient = api.patient()
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 200
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=16)):
        _assert_401(api.client, patient.access_token)


def test_the_codec_remembers_only_what_it_verified_and_a_bounded_number(
    settings: Settings,
) -> None:
    codec = TokenCodec(settings)
    now = datetime.now(UTC)

    def issue(n: int) -> str:
        return codec.encode_access(
            user_id=uuid.UUID(int=n), session_id=uuid.UUID(int=n + 1), jti=str(n), issued_at=now
        )

    first = issue(1)
    claims = codec.decode_access(first)
    assert claims is not None
    assert codec.decode_access(first) == claims
    header, payload, signature = first.split(".")
    assert codec.decode_access(f"{header}.{payload}.{signature[:-2]}AA") is None
    assert codec.decode_access(jwt.encode({"sub": "x"}, "another-key-" * 4)) is None
    assert len(codec._verified) == 1
    for n in range(2, VERIFIED_TOKENS_KEPT + 2):
        assert codec.decode_access(issue(n)) is not None
    assert len(codec._verified) == VERIFIED_TOKENS_KEPT
    assert first not in codec._verified  # the oldest went first
    assert codec.decode_access(first) == claims  # and is simply verified again
    with time_machine.travel(now + timedelta(minutes=16)):
        assert codec.decode_access(first) is None
    assert first not in codec._verified
