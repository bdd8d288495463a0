"""Idempotency-Key: a phone that retries a POST never creates a duplicate."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import func, insert, select

from app.core.config import Settings
from app.idempotency.models import idempotency_key_table
from app.main import create_app
from tests.factories import Actor, Api


def _invite(api: Api, therapist: Actor, key: str, **body: Any) -> Any:
    return api.client.post(
        "/v1/invitations", json=body, headers=therapist.headers | {"Idempotency-Key": key}
    )


def _invitations(api: Api, therapist: Actor) -> int:
    listed = api.client.get("/v1/invitations", headers=therapist.headers).json()
    return int(listed["count"])


def test_replay_returns_the_stored_answer_and_creates_nothing(api: Api) -> None:
    therapist = api.therapist()
    first = _invite(api, therapist, "key-1", email="a@home.example.com")
    again = _invite(api, therapist, "key-1", email="a@home.example.com")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # even the one-time code, which is stored nowhere else
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _invitations(api, therapist) == 1


def test_same_key_with_another_body_is_422(api: Api) -> None:
    therapist = api.therapist()
    assert _invite(api, therapist, "key-2", email="a@home.example.com").status_code == 201
    other = _invite(api, therapist, "key-2", email="b@home.example.com")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert _invitations(api, therapist) == 1


def test_key_still_in_progress_is_409(api: Api) -> None:
    therapist = api.therapist()
    body = b"{}"
    from app.idempotency.service import fingerprint

    async def in_flight(session: Any) -> None:
        await session.execute(
            insert(idempotency_key_table).values(
                id=uuid.uuid4(),
                owner=str(therapist.id),
                key="key-3",
                fingerprint=fingerprint("POST", "/v1/invitations", body),
                created_at=datetime.now(UTC),
            )
        )
        await session.commit()

    api.db(in_flight)
    response = api.client.post(
        "/v1/invitations",
        content=body,
        headers=therapist.headers
        | {"Idempotency-Key": "key-3", "Content-Type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert _invitations(api, therapist) == 0


def test_concurrent_duplicates_create_one_row(api: Api, settings: Settings) -> None:
    therapist = api.therapist()
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: _invite(api, therapist, "key-4"), range(4)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    assert _invitations(api, therapist) == 1


def test_keys_expire_after_seven_days(api: Api) -> None:
    therapist = api.therapist()
    assert _invite(api, therapist, "key-5", email="a@home.example.com").status_code == 201
    with time_machine.travel(datetime.now(UTC) + timedelta(days=7, minutes=1)):
        therapist.access_token = api.login(therapist.email, therapist.password)["access_token"]
        later = _invite(api, therapist, "key-5", email="b@home.example.com")
        assert later.status_code == 201
        assert _invitations(api, therapist) == 2


def test_a_failed_request_leaves_no_key(api: Api) -> None:
    admin, therapist = api.admin(), api.therapist()
    patient = api.patient()
    headers = admin.headers | {"Idempotency-Key": "key-6"}
    swapped = {"patient_id": str(therapist.id), "therapist_id": str(patient.id)}
    assert api.client.post("/v1/admin/care-links", json=swapped, headers=headers).status_code == 422
    fixed = {"patient_id": str(patient.id), "therapist_id": str(therapist.id)}
    assert api.client.post("/v1/admin/care-links", json=fixed, headers=headers).status_code == 201

    async def keys(session: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(idempotency_key_table)))

    assert api.db(keys) == 1


def test_keys_are_per_user(api: Api) -> None:
    first, second = api.therapist(), api.therapist()
    assert _invite(api, first, "shared").status_code == 201
    response = _invite(api, second, "shared")
    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers
    assert _invitations(api, second) == 1


def test_registration_retry_gets_the_same_answer(api: Api) -> None:
    therapist = api.therapist()
    code = api.client.post("/v1/invitations", json={}, headers=therapist.headers).json()["code"]
    body = {
        "invitation_code": code,
        "email": "retry@home.example.com",
        "password": "my long secret phrase",
        "display_name": "Rita",
        "timezone": "Europe/Oslo",
    }
    headers = {"Idempotency-Key": "register-once"}
    first = api.client.post("/v1/auth/register", json=body, headers=headers)
    again = api.client.post("/v1/auth/register", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    stranger = api.client.post(
        "/v1/auth/register", json=body | {"email": "other@home.example.com"}, headers=headers
    )
    assert stranger.status_code == 400  # another body: the key does not reach the stored answer


def test_bad_key_is_422(api: Api) -> None:
    therapist = api.therapist()
    assert _invite(api, therapist, "has space").status_code == 422
    assert _invite(api, therapist, "k" * 256).status_code == 422


def test_every_creating_post_accepts_an_idempotency_key(settings: Settings) -> None:
    schema = create_app(settings).openapi()
    missing = [
        path
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "post"
        and "201" in operation["responses"]
        and not any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert missing == []
