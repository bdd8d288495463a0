"""Two patients registering the same push address, or the same device id, at the same moment.

Made to happen with tests/race_helpers.py: the first registration is held just before its
INSERT (it has read: no row with that id, and removed no other row with that address) while
the second runs. On PostgreSQL the second commits meanwhile and the held one then loses through
the branch written for it (409, nothing half-written); on SQLite, whose writers queue, the
second runs after the first and meets the finished row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import Actor, Api
from tests.privacy_helpers import web_device
from tests.race_helpers import read_before_write

MARKER = "INSERT INTO DEVICES"


@pytest.fixture
def second_client(settings: Settings) -> Iterator[TestClient]:
    """Another instance of the app on the same database (its own engine and event loop)."""
    with TestClient(create_app(settings)) as client:
        yield client


def _devices(api: Api, actor: Actor) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = api.client.get("/v1/me/devices", headers=actor.headers).json()[
        "data"
    ]
    return data


def test_the_same_browser_registered_by_two_patients_at_once(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    kari, ola = api.patient(), api.patient()
    shared = web_device()

    def register(client: TestClient, actor: Actor) -> Any:
        body = {"id": str(uuid.uuid4()), **shared}
        return client.post("/v1/me/devices", json=body, headers=actor.headers)

    first, second = read_before_write(
        settings,
        second_client,
        MARKER,
        lambda: register(second_client, kari),
        lambda: register(api.client, ola),
    )
    if settings.database_url.startswith("postgresql"):
        # Ola's row went in while Kari's insert was held: Kari's then breaks the unique address.
        assert (first.status_code, second.status_code) == (409, 201), (first.text, second.text)
        assert first.json()["code"] == "device_address_in_use"
    else:
        # Kari's finished first; Ola's registration then took the address over.
        assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert _devices(api, kari) == []
    assert [d["push"]["endpoint"] for d in _devices(api, ola)] == [shared["push"]["endpoint"]]


def test_the_same_device_id_registered_by_two_patients_at_once(
    api: Api, second_client: TestClient, settings: Settings
) -> None:
    kari, ola = api.patient(), api.patient()
    device_id = str(uuid.uuid4())

    def register(client: TestClient, actor: Actor) -> Any:
        body = {"id": device_id, "platform": "android", "push": {"token": uuid.uuid4().hex}}
        return client.post("/v1/me/devices", json=body, headers=actor.headers)

    first, second = read_before_write(
        settings,
        second_client,
        MARKER,
        lambda: register(second_client, kari),
        lambda: register(api.client, ola),
    )
    if settings.database_url.startswith("postgresql"):
        # Kari's upsert meets Ola's committed row and, not being its owner, updates nothing.
        assert (first.status_code, second.status_code) == (409, 201), (first.text, second.text)
        loser, winner = kari, ola
        assert first.json()["code"] == "device_id_in_use"
    else:
        assert (first.status_code, second.status_code) == (201, 409), (first.text, second.text)
        loser, winner = ola, kari
        assert second.json()["code"] == "device_id_in_use"
    assert _devices(api, loser) == []
    assert [d["id"] for d in _devices(api, winner)] == [device_id]
