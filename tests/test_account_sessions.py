"""Issue 11 item 8: sessions end for good when an account is disabled, admins cannot lock the
clinic out, and a session has an absolute lifetime."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient

from app.accounts import service as accounts
from app.core.config import Settings
from app.core.errors import Conflict
from app.main import create_app
from tests.factories import Actor, Api
from tests.mfa_helpers import bearer
from tests.race_helpers import race, refusals


def _disable(api: Api, admin: Actor, user: Actor, disabled: bool = True) -> Any:
    return api.client.patch(
        f"/v1/admin/users/{user.id}", json={"disabled": disabled}, headers=admin.headers
    )


def _refresh(api: Api, refresh_token: str) -> Any:
    return api.client.post("/v1/auth/refresh", json={"refresh_token": refresh_token})


def test_disabling_revokes_sessions_and_re_enabling_does_not_revive_them(api: Api) -> None:
    admin, patient = api.admin(), api.patient()
    assert _disable(api, admin, patient).status_code == 200
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 401
    assert _refresh(api, patient.refresh_token).status_code == 401
    assert _disable(api, admin, patient, disabled=False).status_code == 200
    # Before issue 11 the old refresh token worked again here.
    assert _refresh(api, patient.refresh_token).status_code == 401
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 401
    fresh = api.login(patient.email, patient.password)
    assert api.client.get("/v1/me", headers=bearer(fresh["access_token"])).status_code == 200


def test_an_admin_cannot_disable_themselves(api: Api) -> None:
    admin = api.admin()
    response = _disable(api, admin, admin)
    assert (response.status_code, response.json()["code"]) == (409, "cannot_disable_self")
    assert api.client.get("/v1/me", headers=admin.headers).status_code == 200


def test_the_last_active_admin_cannot_be_disabled(api: Api) -> None:
    only = api.admin()
    with pytest.raises(Conflict) as refused:
        # As any caller other than the admin itself would (the CLI, a script, a race below).
        api.db(
            lambda s: accounts.set_disabled(
                s, admin_id=uuid.uuid4(), user_id=only.id, disabled=True
            )
        )
    assert refused.value.code == "last_admin"
    assert api.client.get("/v1/me", headers=only.headers).status_code == 200


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_two_admins_disabling_each_other_at_once_leave_one_standing(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    first, second = api.admin(), api.admin()
    # The first is held after it locked the active admins' rows, before it disables the
    # other; the second waits for those rows (PostgreSQL) or for the database (SQLite).
    with refusals(api.client) as refused:
        won, lost = race(
            settings,
            second_client,
            "UPDATE USERS",
            lambda: _disable(Api(second_client), first, second),
            lambda: _disable(api, second, first),
        )
    assert won.status_code == 200, won.text
    assert refused == []
    if settings.database_url.startswith("postgresql"):
        # Its session was checked before it waited; then it counted the active admins again
        # and found only the one it was about to disable: the last-admin refusal.
        assert (lost.status_code, lost.json()["code"]) == (409, "last_admin"), lost.text
    else:
        # It queued before its own session was checked, and found that session revoked.
        assert lost.status_code == 401, lost.text
    standing = [
        a for a in (first, second) if api.client.get("/v1/me", headers=a.headers).is_success
    ]
    assert standing == [first]


def test_a_session_ends_after_its_absolute_lifetime_however_often_refreshed(api: Api) -> None:
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        patient = api.patient()
        refresh_token = patient.refresh_token
        for _ in range(29):
            clock.shift(timedelta(days=1))
            refreshed = _refresh(api, refresh_token)
            assert refreshed.status_code == 200, refreshed.text
            refresh_token = refreshed.json()["refresh_token"]
        clock.shift(timedelta(days=1, seconds=1))  # 30 days and a second after the login
        ended = _refresh(api, refresh_token)
        assert ended.status_code == 401
        assert ended.json()["code"] == "invalid_refresh_token"


def test_the_export_lists_sessions_without_token_material(api: Api) -> None:
    with time_machine.travel(datetime(2026, 11, 2, 8, 0, tzinfo=UTC), tick=False) as clock:
        patient = api.patient()
        phone = api.client.post(
            "/v1/auth/token",
            data={"username": patient.email, "password": patient.password},
            headers={"User-Agent": "Mestring/1.4 (Android 15; Pixel 9)\x7f"},
        ).json()
        assert api.client.post("/v1/auth/logout", json={}, headers=patient.headers).is_success
        clock.shift(timedelta(hours=2))
        refreshed = _refresh(api, phone["refresh_token"]).json()
        document = api.client.get("/v1/me/export", headers=bearer(refreshed["access_token"])).json()
    sessions = document["sessions"]
    assert [s["device_label"] for s in sessions] == [
        "testclient",
        "Mestring/1.4 (Android 15; Pixel 9)",
    ]
    first, second = sessions
    assert (first["ended_reason"], first["ended_at"]) == ("logout", "2026-11-02T08:00:00Z")
    assert second["last_used_at"] == "2026-11-02T10:00:00Z"
    assert second["ended_at"] is None
    text = str(document)
    for secret in (phone["refresh_token"], refreshed["refresh_token"], patient.refresh_token):
        assert secret not in text
