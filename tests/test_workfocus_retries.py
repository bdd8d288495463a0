"""Retries and versions: creating POSTs under an Idempotency-Key, and a clinic's own barriers
wording loaded as version 2 while earlier checks keep version 1."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.migrate import upgrade
from app.instruments.definition import InstrumentDefinition
from app.instruments.store import LoadedVersion, add_version
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Api
from tests.workfocus_helpers import NOW, TODAY, put_barriers, ratings

SHIPPED = Path(__file__).resolve().parents[1] / "app/instruments/definitions/barriers.json"


@time_machine.travel(NOW, tick=False)
def test_a_keyed_retry_replays_and_a_reused_key_is_refused(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist)
    meeting = {
        "id": str(uuid.uuid4()),
        "starts_at": "2026-11-20T09:00:00Z",
        "participants": [{"role": "manager"}],
    }
    headers = patient.headers | {"Idempotency-Key": "meeting-1"}
    first = api.client.post("/v1/me/dialogue-meetings", json=meeting, headers=headers)
    again = api.client.post("/v1/me/dialogue-meetings", json=meeting, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = api.client.post(
        "/v1/me/dialogue-meetings", json=meeting | {"id": str(uuid.uuid4())}, headers=headers
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    listed = api.client.get("/v1/me/dialogue-meetings", headers=patient.headers).json()
    assert listed["count"] == 1
    suggestion = {"audience": "gp", "text": "Tell the GP"}
    keyed = therapist.headers | {"Idempotency-Key": "suggest-1"}
    url = f"/v1/patients/{patient.id}/communication-plan/suggestions"
    made = [api.client.post(url, json=suggestion, headers=keyed) for _ in range(2)]
    assert [r.status_code for r in made] == [201, 201]
    assert made[0].json()["id"] == made[1].json()["id"]
    plan = api.client.get("/v1/me/communication-plan", headers=patient.headers).json()
    assert len(plan["suggestions"]) == 1


@pytest.fixture
def own_api(empty_database: str) -> Iterator[Api]:
    """A database of its own: loading a version must not reach the other tests' databases."""
    upgrade(empty_database)
    with TestClient(create_app(make_settings(empty_database))) as client:
        yield Api(client)


@time_machine.travel(NOW, tick=False)
def test_a_loaded_version_is_used_for_new_checks_and_old_ones_keep_theirs(own_api: Api) -> None:
    api = own_api
    patient = api.patient(locale="en")
    assert put_barriers(api, patient, "2026-11-17", ratings(2)).status_code == 201
    data: dict[str, Any] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["metadata"] = {"illustrative": False, "source": "A clinic's own wording"}
    data["domains"][3]["title"] = {"nb": "Jobben", "en": "The job"}
    definition = InstrumentDefinition.model_validate(data)

    async def load(session: AsyncSession) -> LoadedVersion:
        return await add_version(session, definition=definition)

    loaded = api.db(load)
    assert loaded.version == 2
    new = put_barriers(api, patient, TODAY, ratings(3))
    assert new.status_code == 201
    assert (new.json()["questionnaire_version"], new.json()["illustrative"]) == (2, False)
    history = api.client.get("/v1/me/barriers", headers=patient.headers).json()["data"]
    assert [(c["questionnaire_version"], c["domains"][3]["title"]) for c in history] == [
        (2, "The job"),
        (1, "The workplace"),
    ]
