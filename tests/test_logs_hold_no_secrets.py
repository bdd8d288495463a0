"""Logs carry ids and codes, never emails, passwords, tokens, TOTP secrets, recovery codes or
request bodies — even at DEBUG."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.core.logging import JsonFormatter
from tests.checkin_helpers import answers
from tests.factories import Api
from tests.mfa_helpers import enrol, token


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
    assert registered.status_code == 202
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

    secret, recovery_codes = enrol(api, therapist)
    token(api, therapist, otp=recovery_codes[0])
    token(api, therapist, otp=recovery_codes[0])
    api.client.request(
        "DELETE",
        "/v1/me/mfa/totp",
        headers=therapist.headers,
        json={"password": therapist.password, "code": recovery_codes[1]},
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
        secret,
        recovery_codes[0],
        recovery_codes[0].replace("-", ""),
        recovery_codes[1],
        new_password,
        again["access_token"],
        again["refresh_token"],
    ]
    for secret in planted:
        assert secret not in text, f"{secret[:12]}… leaked into the logs"


def test_no_health_data_reaches_a_log_line(api: Api, captured: io.StringIO) -> None:
    """Notes, free text and answers from every domain, including failed writes, stay out."""
    marker = uuid.uuid4().hex[:10]
    therapist = api.therapist()
    patient = api.patient(therapist, timezone="UTC")
    today = datetime.now(UTC).date().isoformat()
    text = f"planted note {marker}"
    writes = [
        (
            "PUT",
            f"/v1/me/checkins/{today}",
            {"answers": answers(5), "mood": 3, "worry_minutes": 47, "note": text},
        ),
        ("PUT", f"/v1/me/checkins/{today}", {"answers": answers(9), "note": text}),  # 422
        (
            "POST",
            "/v1/me/exercise-logs",
            {
                "id": str(uuid.uuid4()),
                "exercise_kind": "attentional_refocusing",
                "started_at": datetime.now(UTC).isoformat(),
                "duration_seconds": 120,
                "situation": text,
                "refocused_to": text,
            },
        ),
        (
            "PUT",
            f"/v1/me/work-diary/{today}",
            {"worked_hours": 3.25, "tasks": text, "strain": 4, "note": text},
        ),
        ("POST", "/v1/me/booster-requests", {"reason": text, "preferred_times": text}),
        ("PUT", "/v1/me/consents", {"employer_contact": True, "employer_contact_note": text}),
    ]
    for method, url, body in writes:
        response = api.client.request(method, url, json=body, headers=patient.headers)
        assert response.status_code < 500, response.text
    phq9 = {f"phq9_{i}": 2 for i in range(1, 10)}
    answered = api.client.post(
        "/v1/me/measures/phq9/responses",
        json={
            "id": str(uuid.uuid4()),
            "answers": phq9,
            "answered_at": datetime.now(UTC).isoformat(),
        },
        headers=patient.headers,
    )
    assert answered.status_code == 201, answered.text
    acknowledged = api.client.post(
        f"/v1/risk-alerts/{answered.json()['risk_alert']['id']}/acknowledge",
        json={"action_taken": "other", "note": text},
        headers=therapist.headers,
    )
    assert acknowledged.status_code == 200, acknowledged.text
    for url in (
        f"/v1/patients/{patient.id}/measures/phq9/responses",
        f"/v1/patients/{patient.id}/checkins",
        f"/v1/patients/{patient.id}/work-diary",
        f"/v1/patients/{patient.id}/exercise-logs",
        "/v1/booster-requests",
    ):
        assert api.client.get(url, headers=therapist.headers).status_code == 200

    logged = captured.getvalue()
    assert '"route": "/v1/me/checkins/{local_date}"' in logged, "the capture saw no requests"
    for secret in (marker, patient.email, patient.access_token, '"answers"', '"worry_minutes"'):
        assert secret not in logged, f"{secret!r} leaked into the logs"
