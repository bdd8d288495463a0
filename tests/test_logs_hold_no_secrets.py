"""Logs carry ids and codes, never emails, passwords, tokens or request bodies — even at DEBUG."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator

import pytest

from app.core.logging import JsonFormatter
from tests.factories import Api


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_no_secret_reaches_a_log_line(api: Api, captured: io.StringIO) -> None:
    marker = uuid.uuid4().hex[:10]
    email = f"planted.{marker}@home.example.com"
    password = f"planted-password-{marker}"
    therapist = api.therapist()
    invitation = api.client.post("/v1/invitations", json={}, headers=therapist.headers).json()
    registered = api.client.post(
        "/v1/auth/register",
        json={
            "invitation_code": invitation["code"],
            "email": email,
            "password": password,
            "display_name": f"Name {marker}",
            "timezone": "Europe/Oslo",
        },
    )
    assert registered.status_code == 201
    tokens = api.login(email, password)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    api.client.get("/v1/me", headers=headers)
    api.client.post("/v1/auth/token", data={"username": email, "password": password + "x"})
    api.client.post("/v1/auth/token", data={"username": email, "password": password * 20})
    refreshed = api.client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    api.client.post(
        "/v1/me/password",
        headers=headers,
        json={"current_password": password, "new_password": f"{password}-new"},
    )
    api.client.post(
        "/v1/auth/logout", headers=headers, json={"refresh_token": tokens["refresh_token"]}
    )
    api.client.post(
        "/v1/auth/register",
        json={
            "invitation_code": invitation["code"],
            "email": email,
            "password": password,
            "display_name": "x",
            "timezone": "Europe/Oslo",
        },
    )

    # Export and erasure: the export's answer and the password in the DELETE body stay out too.
    new_password = f"{password}-new"
    again = api.login(email, new_password)
    headers = {"Authorization": f"Bearer {again['access_token']}"}
    api.client.get("/v1/me/export", headers=headers)
    api.client.request("DELETE", "/v1/me", headers=headers, json={"password": password})
    erased = api.client.request(
        "DELETE", "/v1/me", headers=headers, json={"password": new_password}
    )
    assert erased.status_code == 204

    text = captured.getvalue()
    assert '"route": "/v1/auth/token"' in text, "the capture saw no request lines"
    planted = [
        email,
        marker,
        password,
        invitation["code"],
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed.json()["refresh_token"],
        new_password,
        again["access_token"],
        again["refresh_token"],
    ]
    for secret in planted:
        assert secret not in text, f"{secret[:12]}… leaked into the logs"
