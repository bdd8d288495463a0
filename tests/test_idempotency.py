"""Idempotency-Key: a phone that retries a POST never creates a duplicate, never gets stuck, and
the store behind it holds no secret."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.idempotency.models import idempotency_key_table
from app.idempotency.service import CLAIM_TIMEOUT, fingerprint
from app.main import create_app
from tests.conftest import SECRET
from tests.factories import Actor, Api
from tests.race_helpers import race, sent


def _invite(api: Api, therapist: Actor, key: str, **body: Any) -> Any:
    return api.client.post(
        "/v1/invitations", json=body, headers=therapist.headers | {"Idempotency-Key": key}
    )


def _invitations(api: Api, therapist: Actor) -> int:
    listed = api.client.get("/v1/invitations", headers=therapist.headers).json()
    return int(listed["count"])


def _keys(api: Api) -> list[dict[str, Any]]:
    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in await session.execute(select(idempotency_key_table))]

    return api.db(work)


def _claim(api: Api, owner: uuid.UUID, key: str, path: str, body: bytes, age: timedelta) -> None:
    """A key row without an answer, as a request that never finished would leave it."""

    async def work(session: AsyncSession) -> None:
        await session.execute(
            insert(idempotency_key_table).values(
                id=uuid.uuid4(),
                owner=str(owner),
                key=key,
                fingerprint=fingerprint(SECRET, "POST", path, body),
                created_at=datetime.now(UTC) - age,
            )
        )
        await session.commit()

    api.db(work)


def test_replay_returns_the_stored_answer_and_creates_nothing(api: Api) -> None:
    therapist = api.therapist()
    first = _invite(api, therapist, "key-1", email="a@home.example.com")
    again = _invite(api, therapist, "key-1", email="a@home.example.com")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # even the one-time code, kept sealed for minutes
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


def test_a_claim_still_running_is_409(api: Api) -> None:
    therapist = api.therapist()
    _claim(api, therapist.id, "key-3", "/v1/invitations", b"{}", age=timedelta(seconds=5))
    response = api.client.post(
        "/v1/invitations",
        content=b"{}",
        headers=therapist.headers
        | {"Idempotency-Key": "key-3", "Content-Type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert _invitations(api, therapist) == 0


def test_a_claim_left_without_an_answer_is_recovered_by_the_next_retry(api: Api) -> None:
    """Issue 11 item 1: the data committed, the answer never did (a worker killed in between,
    as the old two-transaction scheme allowed). The retry gets the log, not seven days of 409."""
    patient = api.patient(api.therapist())
    log = {
        "id": str(uuid.uuid4()),
        "exercise_kind": "detached_mindfulness",
        "started_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
        "duration_seconds": 300,
        "detachment_before": 20,
        "detachment_after": 70,
    }
    body = json.dumps(log).encode()
    created = api.client.post("/v1/me/exercise-logs", json=log, headers=patient.headers)
    assert created.status_code == 201
    _claim(api, patient.id, "lost", "/v1/me/exercise-logs", body, CLAIM_TIMEOUT + timedelta(1))
    headers = patient.headers | {"Idempotency-Key": "lost", "Content-Type": "application/json"}
    retried = api.client.post("/v1/me/exercise-logs", content=body, headers=headers)
    assert retried.status_code == 200, retried.text
    assert retried.json() == created.json()
    again = api.client.post("/v1/me/exercise-logs", content=body, headers=headers)
    assert (again.status_code, again.headers["idempotent-replayed"]) == (200, "true")
    assert [(k["status_code"], k["key"]) for k in _keys(api)] == [(200, "lost")]


def test_the_answer_commits_with_the_data_or_neither_does(api: Api) -> None:
    """Issue 11 item 1, at the root: lose the database while the answer is being stored and
    nothing of the request stays; the retry then creates the invitation exactly once."""
    therapist = api.therapist()
    engine = api.services.engine.sync_engine

    def lose_the_database(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("UPDATE idempotency_keys"):
            raise ConnectionResetError("the database went away")

    event.listen(engine, "before_cursor_execute", lose_the_database)
    try:
        lost = _invite(api, therapist, "key-crash", email="c@home.example.com")
    finally:
        event.remove(engine, "before_cursor_execute", lose_the_database)
    assert lost.status_code == 503
    assert lost.json()["code"] == "database_unavailable"
    assert _invitations(api, therapist) == 0
    assert _keys(api) == []
    retried = _invite(api, therapist, "key-crash", email="c@home.example.com")
    assert retried.status_code == 201
    assert _invitations(api, therapist) == 1


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def test_concurrent_duplicates_create_one_row(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    therapist = api.therapist()
    other = Api(second_client)
    # The first is held at its own write, after it claimed the key (the key's row inserted,
    # not committed); the duplicate's claim waits for that row (the unique index), then finds
    # it answered: the stored answer again, not a second invitation and not a 409.
    with sent(api.client) as statements:
        first, again = race(
            settings,
            second_client,
            "INSERT INTO INVITATIONS",
            lambda: _invite(other, therapist, "key-4"),
            lambda: _invite(api, therapist, "key-4"),
        )
    assert (first.status_code, again.status_code) == (201, 201), (first.text, again.text)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    # The loser's claim found the key taken and read the stored answer; it never ran the route.
    claims = [s for s in statements if s.startswith("INSERT INTO idempotency_keys")]
    assert len(claims) == 1, statements
    assert any(s.startswith("SELECT idempotency_keys.id,") for s in statements), statements
    assert not any(s.startswith("INSERT INTO invitations") for s in statements), statements
    assert _invitations(api, therapist) == 1


def test_an_expired_key_is_gone_and_starts_fresh(api: Api) -> None:
    """Issue 11 item 3: `mestring purge` deletes keys past their lifetime, and a key used again
    after that is a new request."""
    from app.privacy.retention import purge_expired

    therapist = api.therapist()
    assert _invite(api, therapist, "key-5", email="a@home.example.com").status_code == 201
    assert _invite(api, therapist, "key-6", email="b@home.example.com").status_code == 201
    later = datetime.now(UTC) + timedelta(days=7, minutes=1)
    with time_machine.travel(later):
        done = api.db(
            lambda s: purge_expired(s, settings=api.services.settings, now=later, batch=1)
        )
        assert done["idempotency_keys"] >= 2  # deleted (and sealed answers blanked first)
        assert _keys(api) == []
        therapist.access_token = api.login(therapist.email, therapist.password)["access_token"]
        again = _invite(api, therapist, "key-5", email="other@home.example.com")
        assert again.status_code == 201
        assert "idempotent-replayed" not in again.headers
        assert _invitations(api, therapist) == 3


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


def _registration(code: str, email: str, password: str) -> dict[str, Any]:
    return {
        "invitation_code": code,
        "email": email,
        "password": password,
        "display_name": "Rita",
        "timezone": "Europe/Oslo",
    }


def test_registration_retry_gets_the_same_answer(api: Api) -> None:
    therapist = api.therapist()
    code = api.client.post("/v1/invitations", json={}, headers=therapist.headers).json()["code"]
    body = _registration(code, "retry@home.example.com", "my long secret phrase")
    headers = {"Idempotency-Key": "register-once"}
    first = api.client.post("/v1/auth/register", json=body, headers=headers)
    again = api.client.post("/v1/auth/register", json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    stranger = api.client.post(
        "/v1/auth/register", json=body | {"email": "other@home.example.com"}, headers=headers
    )
    assert stranger.status_code == 400  # another email: another owner, the code is used


def test_the_store_holds_no_password_and_no_fast_hash_of_one(api: Api) -> None:
    """Issue 11 item 2: fingerprints are keyed and leave secret fields out."""
    therapist, admin = api.therapist(), api.admin()
    code = api.client.post("/v1/invitations", json={}, headers=therapist.headers).json()["code"]
    password, staff_password = "planted secret phrase 1", "planted secret phrase 2"
    email = "stored@home.example.com"
    body = _registration(code, email, password)
    registered = api.client.post("/v1/auth/register", json=body, headers={"Idempotency-Key": "reg"})
    assert registered.status_code == 202
    staff = {"email": "dr.x@clinic.example.com", "password": staff_password, "display_name": "X"}
    created = api.client.post(
        "/v1/admin/therapists", json=staff, headers=admin.headers | {"Idempotency-Key": "staff"}
    )
    assert created.status_code == 201
    # The same request with another password is recognised as the same request.
    other_password = api.client.post(
        "/v1/admin/therapists",
        json=staff | {"password": "another secret phrase"},
        headers=admin.headers | {"Idempotency-Key": "staff"},
    )
    assert other_password.headers["idempotent-replayed"] == "true"

    def sha(text: str | bytes) -> str:
        return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()

    forbidden = {
        password,
        staff_password,
        code,
        sha(password),
        sha(staff_password),
        sha(email),
        sha(json.dumps(body).encode()),
        sha(b"POST /v1/auth/register\n" + json.dumps(body).encode()),
    }
    rows = _keys(api)
    assert len(rows) == 2
    stored = json.dumps(rows, default=str)
    assert not [item for item in forbidden if item in stored]


def test_an_invitation_code_is_sealed_and_forgotten_within_minutes(api: Api) -> None:
    """Issue 11 item 2: the one answer that carries a live code is encrypted and expires."""
    from app.privacy.retention import purge_expired

    therapist = api.therapist()
    first = _invite(api, therapist, "sealed", email="s@home.example.com")
    code = first.json()["code"]
    (row,) = _keys(api)
    assert row["sealed"] is True
    assert code not in row["response_body"]
    assert code.replace("-", "") not in row["response_body"]
    later = datetime.now(UTC) + timedelta(minutes=6)
    with time_machine.travel(later):
        therapist.access_token = api.login(therapist.email, therapist.password)["access_token"]
        expired = _invite(api, therapist, "sealed", email="s@home.example.com")
        assert expired.status_code == 409
        assert expired.json()["code"] == "idempotency_answer_expired"
        assert code not in expired.text
        assert _invitations(api, therapist) == 1
        api.db(lambda s: purge_expired(s, settings=api.services.settings, now=later))
    (row,) = _keys(api)
    assert row["response_body"] is None  # the key stays (no duplicate), the secret does not


def test_a_totp_enrolment_is_never_stored_and_never_shows_a_secret_again(api: Api) -> None:
    import pyotp

    therapist = api.therapist()
    headers = therapist.headers | {"Idempotency-Key": "enrol"}
    first = api.client.post("/v1/me/mfa/totp", headers=headers)
    retry = api.client.post("/v1/me/mfa/totp", headers=headers)
    assert first.status_code == retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert retry.json()["secret"] != first.json()["secret"]  # started over: nothing duplicated
    confirmed = api.client.post(
        "/v1/me/mfa/totp/confirm",
        json={"code": pyotp.TOTP(retry.json()["secret"]).now()},
        headers=therapist.headers,
    )
    assert confirmed.status_code == 200
    after = api.client.post("/v1/me/mfa/totp", headers=headers)
    assert (after.status_code, after.json()["code"]) == (409, "mfa_already_enabled")
    assert "secret" not in after.json()
    assert _keys(api) == []


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
        and {"201", "202"} & set(operation["responses"])
        and not any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert missing == []


def test_purge_runs_from_the_command_line(api: Api, settings: Settings, monkeypatch: Any) -> None:
    """`mestring purge` as cron runs it: the settings from the environment, twice in a row."""
    from typer.testing import CliRunner

    from app.cli import cli
    from app.core.config import get_settings

    therapist = api.therapist()
    _claim(api, therapist.id, "old", "/v1/invitations", b"{}", age=timedelta(days=8))
    monkeypatch.setenv("MESTRING_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MESTRING_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(cli, ["purge", "--batch", "10"])
        second = CliRunner().invoke(cli, ["purge"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert "idempotency_keys 1" in first.output
    assert second.exit_code == 0
    assert "idempotency_keys 0" in second.output
    assert _keys(api) == []
