"""DELETE /v1/me: the patient's rows are gone from every table; one pseudonymous receipt stays."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from typing import Any

import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import metadata
from app.idempotency.service import anonymous_owner
from app.privacy.models import erasure_receipt_table
from tests.conftest import SECRET
from tests.factories import Actor, Api
from tests.privacy_helpers import NOW, register, seed_everything, sql_counts


def _erase(api: Api, patient: Actor, password: str) -> Any:
    return api.client.request(
        "DELETE", "/v1/me", json={"password": password}, headers=patient.headers
    )


def _traces(api: Api, needles: list[str], patient_id: uuid.UUID) -> list[str]:
    """`table.column` for every stored value, in every table, that mentions any needle."""

    async def work(session: AsyncSession) -> list[str]:
        found: list[str] = []
        for table in metadata.sorted_tables:
            for row in await session.execute(select(table)):
                for column, value in row._mapping.items():
                    if value == patient_id:
                        found.append(f"{table.name}.{column}")
                        continue
                    text = json.dumps(value, default=str) if value is not None else ""
                    if any(needle in text.lower() for needle in needles):
                        found.append(f"{table.name}.{column}")
        return found

    return api.db(work)


def _receipts(api: Api) -> list[dict[str, Any]]:
    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        rows = await session.execute(select(erasure_receipt_table))
        return [dict(row._mapping) for row in rows]

    return api.db(work)


@time_machine.travel(NOW, tick=False)
def test_erasure_leaves_no_row_about_the_patient(api: Api) -> None:
    therapist = api.therapist()
    kari = register(api, therapist, "Kari Sletting")
    ola = register(api, therapist, "Ola Blir")
    seed_everything(api, therapist, kari)
    seed_everything(api, therapist, ola)
    second_device = api.login(kari.email, kari.password)
    # A failed login and a wrong password at the password change leave counts keyed by her
    # email and id; a second invitation made out to her address is never used.
    api.client.post("/v1/auth/token", data={"username": kari.email, "password": "not it!!"})
    api.client.post(
        "/v1/me/password",
        json={"current_password": "not it either", "new_password": "x" * 12},
        headers=kari.headers,
    )
    spare = api.client.post(
        "/v1/invitations", json={"email": kari.email}, headers=therapist.headers
    )
    assert spare.status_code == 201
    needles = [
        str(kari.id),
        kari.id.hex,
        kari.email,
        "kari sletting",
        # What the stores keep instead of her email and id: counter keys, her registration's key.
        hashlib.sha256(kari.email.encode()).hexdigest(),
        hashlib.sha256(str(kari.id).encode()).hexdigest(),
        anonymous_owner(SECRET, kari.email),
    ]
    before = sql_counts(api, kari.id)
    ola_before = sql_counts(api, ola.id)
    assert _traces(api, needles, kari.id), "the sweep finds nothing even before the erasure"

    wrong = _erase(api, kari, "not my password")
    assert wrong.status_code == 400
    assert wrong.json() == {"detail": "The password is wrong.", "code": "wrong_password"}
    assert sql_counts(api, kari.id) == before

    erased = _erase(api, kari, kari.password)
    assert erased.status_code == 204, erased.text
    assert erased.content == b""

    assert _traces(api, needles, kari.id) == []
    receipts = _receipts(api)
    assert len(receipts) == 1
    receipt = receipts[0]
    expected = hmac.new(SECRET.encode(), str(kari.id).encode(), hashlib.sha256).hexdigest()
    assert receipt["pseudonym"] == expected
    assert receipt["role"] == "patient"
    assert receipt["erased_at"].isoformat() == "2026-11-16T10:00:00+00:00"
    deleted = receipt["deleted_rows"]
    assert deleted["users"] == 1
    assert deleted["auth_sessions"] == 2  # two logins
    assert deleted["care_links"] == 1
    assert deleted["checkins"] == before["checkins"] == 2
    assert deleted["access_log"] == before["access_log"] >= 4
    assert deleted["assignment_doses"] == before["assignment_doses"] == 2
    assert deleted["booster_request_events"] == before["booster_request_events"] == 2
    # The alert her answer opened survives only as this count.
    assert deleted["risk_alerts"] == before["risk_alerts"] == 1
    assert deleted["measure_responses"] == before["measure_responses"] == 2
    # Her own keys (2 logs, 1 booster request, 2 measure responses), the registration, the
    # therapist's assignment and plan suggestion for her, the two job-support proposals, two
    # jobs, a joint meeting and an employer contact for her, her dialogue meeting and her work
    # goal (the therapist's invitation to her address is sealed: it cannot be searched, and its
    # answer is blanked within minutes).
    assert deleted["idempotency_keys"] == 5 + 1 + 1 + 1 + 2 + 2 + 1 + 1 + 2
    assert deleted["invitations"] == 2  # the one she used and the spare, both made out to her

    # The other patient keeps everything.
    assert sql_counts(api, ola.id) == ola_before

    # Every session is gone: access tokens, refresh tokens, and the password.
    for token in (kari.access_token, second_device["access_token"]):
        me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
    refreshed = api.client.post(
        "/v1/auth/refresh", json={"refresh_token": second_device["refresh_token"]}
    )
    assert refreshed.status_code == 401
    login = api.client.post(
        "/v1/auth/token", data={"username": kari.email, "password": kari.password}
    )
    unknown = api.client.post(
        "/v1/auth/token", data={"username": "nobody@home.example.com", "password": kari.password}
    )
    assert login.status_code == unknown.status_code == 401
    assert login.json() == unknown.json()
    assert login.json()["code"] == "invalid_credentials"

    # The therapist no longer sees her anywhere.
    profile = api.client.get(f"/v1/patients/{kari.id}", headers=therapist.headers)
    assert profile.status_code == 404
    assert profile.json()["code"] == "patient_not_found"
    listed = api.client.get("/v1/booster-requests", headers=therapist.headers).json()
    assert {r["patient_id"] for r in listed["data"]} == {str(ola.id)}


@time_machine.travel(NOW, tick=False)
def test_wrong_passwords_back_off_and_erase_nothing(api: Api) -> None:
    patient = api.patient(api.therapist())
    for _ in range(5):
        assert _erase(api, patient, "wrong password!").status_code == 400
    throttled = _erase(api, patient, patient.password)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "erase_throttled"
    assert throttled.headers["retry-after"] == "30"  # the first wait of the back-off
    assert api.client.get("/v1/me", headers=patient.headers).status_code == 200
    assert _receipts(api) == []
    with time_machine.travel("2026-11-16T10:00:30Z", tick=False):
        assert _erase(api, patient, patient.password).status_code == 204
    assert len(_receipts(api)) == 1


def test_erasure_needs_a_body_and_a_patient(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    missing = api.client.request("DELETE", "/v1/me", json={}, headers=patient.headers)
    assert missing.status_code == 422
    extra = api.client.request(
        "DELETE", "/v1/me", json={"password": patient.password, "x": 1}, headers=patient.headers
    )
    assert extra.status_code == 422
    staff = api.client.request(
        "DELETE", "/v1/me", json={"password": therapist.password}, headers=therapist.headers
    )
    assert staff.status_code == 403

    async def users(session: AsyncSession) -> int:
        return int(
            await session.scalar(select(func.count()).select_from(metadata.tables["users"])) or 0
        )

    assert api.db(users) == 2


@time_machine.travel(NOW, tick=False)
def test_two_erasures_at_once_leave_one_receipt(api: Api) -> None:
    patient = api.patient(api.therapist())
    results: list[Any] = []

    def erase() -> None:
        results.append(_erase(api, patient, patient.password))

    threads = [threading.Thread(target=erase) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [204, 401]
    assert len(_receipts(api)) == 1
