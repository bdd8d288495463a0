"""MESTRING_REQUIRE_MFA=true: staff sessions without a second factor may only enrol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.core.config import Settings
from app.main import create_app
from tests.factories import Api
from tests.mfa_helpers import START, bearer, enrol, token
from tests.test_role_matrix import ROUTES, _call, _url

OPEN_WHILE_PENDING = {
    "GET /v1/me",
    "POST /v1/auth/logout",
    "GET /v1/me/mfa",
    "POST /v1/me/mfa/totp",
    "POST /v1/me/mfa/totp/confirm",
    "DELETE /v1/me/mfa/totp",
}


@pytest.fixture
def strict(api: Api, settings: Settings) -> Iterator[Api]:
    """The app with MESTRING_REQUIRE_MFA=true on the same (emptied) database as `api`."""
    with TestClient(create_app(settings.model_copy(update={"require_mfa": True}))) as client:
        yield Api(client)


def _held_back(api: Api, headers: dict[str, str], path: str = "/v1/invitations") -> bool:
    response = api.client.get(path, headers=headers)
    if response.status_code == 403 and response.json()["code"] == "mfa_enrolment_required":
        return True
    assert response.status_code == 200, response.text
    return False


def test_therapist_without_a_factor_logs_in_enrols_and_then_works(strict: Api) -> None:
    therapist = strict.therapist()  # logged in with the password alone
    assert _held_back(strict, therapist.headers)
    me = strict.client.get("/v1/me", headers=therapist.headers)
    assert me.status_code == 200
    status = strict.client.get("/v1/me/mfa", headers=therapist.headers).json()
    assert (status["required"], status["enabled"]) == (True, False)
    enrol(strict, therapist)
    assert not _held_back(strict, therapist.headers)


def test_every_other_route_is_closed_to_a_pending_session(strict: Api) -> None:
    therapist, admin = strict.therapist(), strict.admin()
    rows = [row for row in ROUTES if row.roles and row.id not in OPEN_WHILE_PENDING]
    assert len(rows) >= 20
    for actor in (therapist, admin):
        for row in rows:
            response = _call(strict.client, row, _url(row), actor)
            assert response.status_code == 403, (row.id, response.text)
            assert response.json()["code"] == "mfa_enrolment_required", row.id
    logout = strict.client.post("/v1/auth/logout", json={}, headers=therapist.headers)
    assert logout.status_code == 204


def test_refresh_keeps_the_session_pending_until_enrolment(strict: Api) -> None:
    with time_machine.travel(START, tick=False) as clock:
        admin = strict.admin()
        refreshed = strict.client.post(
            "/v1/auth/refresh", json={"refresh_token": admin.refresh_token}
        ).json()
        assert _held_back(strict, bearer(refreshed["access_token"]), "/v1/admin/users")
        secret, _ = enrol(strict, admin)  # with the first access token: same session
        assert not _held_back(strict, bearer(refreshed["access_token"]), "/v1/admin/users")
        again = strict.client.post(
            "/v1/auth/refresh", json={"refresh_token": refreshed["refresh_token"]}
        ).json()
        assert not _held_back(strict, bearer(again["access_token"]), "/v1/admin/users")
        clock.shift(30)
        with_code = token(strict, admin, otp=pyotp.TOTP(secret).now())
        assert not _held_back(strict, bearer(with_code.json()["access_token"]), "/v1/admin/users")


def test_sessions_opened_before_the_switch_are_held_back_too(api: Api, strict: Api) -> None:
    therapist = api.therapist()  # logged in while MFA was not required
    assert not _held_back(api, therapist.headers)
    assert _held_back(strict, therapist.headers)


def test_enrolment_ends_the_other_password_only_sessions(strict: Api) -> None:
    """Issue 11 item 8: a session opened with the password alone (perhaps by whoever stole it)
    must not outlive the enrolment; the enrolling session and ones that passed a code stay."""
    therapist = strict.therapist()
    other = strict.login(therapist.email, therapist.password)
    enrol(strict, therapist)
    assert not _held_back(strict, therapist.headers)
    ended = strict.client.get("/v1/me", headers=bearer(other["access_token"]))
    assert ended.status_code == 401
    refreshed = strict.client.post(
        "/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}
    )
    assert refreshed.status_code == 401


def test_disabling_the_factor_holds_the_sessions_back_again(strict: Api) -> None:
    with time_machine.travel(START, tick=False) as clock:
        therapist = strict.therapist()
        secret, _ = enrol(strict, therapist)
        clock.shift(30)
        off = strict.client.request(
            "DELETE",
            "/v1/me/mfa/totp",
            json={"password": therapist.password, "code": pyotp.TOTP(secret).now()},
            headers=therapist.headers,
        )
        assert off.status_code == 204
        assert _held_back(strict, therapist.headers)


def test_patients_are_never_asked(strict: Api) -> None:
    therapist = strict.therapist()
    patient = strict.patient(therapist)
    consents = strict.client.get("/v1/me/consents", headers=patient.headers)
    assert consents.status_code == 200, consents.text
    assert token(strict, patient).status_code == 200
    assert token(strict, patient, otp="123456").status_code == 200
    refused = strict.client.post("/v1/me/mfa/totp", headers=patient.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")


def test_the_check_adds_no_query(strict: Api) -> None:
    therapist = strict.therapist()
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not sql.startswith(("BEGIN", "PRAGMA")):
            statements.append(sql.split()[0])

    engine = strict.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert _held_back(strict, therapist.headers)
        held = list(statements)
        enrol(strict, therapist)
        statements.clear()
        assert not _held_back(strict, therapist.headers)
        served = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert held == ["SELECT"]  # the caller's user and session, MFA mark included
    assert served[0] == "SELECT"
    assert len(served) == 2  # the caller, then the invitations page
