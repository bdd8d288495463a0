"""Refresh-token rotation, the grace window for lost responses, and reuse detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import Api


def _refresh(api: Api, token: str) -> tuple[int, dict[str, object]]:
    response = api.client.post("/v1/auth/refresh", json={"refresh_token": token})
    return response.status_code, response.json()


def test_rotation_gives_a_new_working_pair(api: Api) -> None:
    patient = api.patient()
    status, pair = _refresh(api, patient.refresh_token)
    assert status == 200
    assert pair["refresh_token"] != patient.refresh_token
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    status, second = _refresh(api, str(pair["refresh_token"]))
    assert status == 200
    assert second["refresh_token"] != pair["refresh_token"]


def test_replay_inside_grace_window_returns_the_same_pair(api: Api) -> None:
    patient = api.patient()
    _, first = _refresh(api, patient.refresh_token)
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=20)):
        status, again = _refresh(api, patient.refresh_token)
    assert status == 200
    assert again["access_token"] == first["access_token"]
    assert again["refresh_token"] == first["refresh_token"]


def test_replay_after_grace_window_revokes_the_whole_session(api: Api) -> None:
    patient = api.patient()
    _, first = _refresh(api, patient.refresh_token)
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=45)):
        status, body = _refresh(api, patient.refresh_token)
        assert status == 401
        assert body["code"] == "invalid_refresh_token"
        headers = {"Authorization": f"Bearer {first['access_token']}"}
        assert api.client.get("/v1/me", headers=headers).status_code == 401
        status, _ = _refresh(api, str(first["refresh_token"]))
        assert status == 401


def test_replay_of_a_grandparent_token_revokes_even_inside_grace(api: Api) -> None:
    """Once the replacement was itself used, the old token is a thief's, not a lost response."""
    patient = api.patient()
    _, first = _refresh(api, patient.refresh_token)
    _, second = _refresh(api, str(first["refresh_token"]))
    status, _ = _refresh(api, patient.refresh_token)
    assert status == 401
    headers = {"Authorization": f"Bearer {second['access_token']}"}
    assert api.client.get("/v1/me", headers=headers).status_code == 401


def test_unknown_and_expired_refresh_tokens(api: Api) -> None:
    patient = api.patient()
    assert _refresh(api, "made-up-token")[0] == 401
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31)):
        assert _refresh(api, patient.refresh_token)[0] == 401


def test_refresh_body_is_validated(api: Api) -> None:
    response = api.client.post("/v1/auth/refresh", json={"refresh_token": "x", "extra": 1})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert api.client.post("/v1/auth/refresh", json={}).status_code == 422
