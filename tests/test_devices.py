"""/v1/me/devices and /v1/push/vapid-key over HTTP (no push is sent here: see
test_devices_push.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.devices.models import device_table
from app.devices.vapid import b64url, new_key_pair, public_key_of
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Actor, Api
from tests.privacy_helpers import web_device


def _post(api: Api, actor: Actor, body: dict[str, Any]) -> Any:
    return api.client.post("/v1/me/devices", json=body, headers=actor.headers)


def _list(api: Api, actor: Actor) -> list[dict[str, Any]]:
    response = api.client.get("/v1/me/devices", headers=actor.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"])
    data: list[dict[str, Any]] = body["data"]
    return data


def test_register_update_list_and_remove(api: Api) -> None:
    patient = api.patient()
    device_id = str(uuid.uuid4())
    body = {"id": device_id, **web_device()}

    created = _post(api, patient, body)
    assert created.status_code == 201, created.text
    device = created.json()
    assert device["id"] == device_id
    assert device["platform"] == "web"
    assert device["push"] == {"endpoint": body["push"]["endpoint"]}  # never the keys
    assert device["label"] == "Firefox"
    assert device["last_delivered_at"] is None

    again = _post(api, patient, {**body, "label": "  Firefox på jobb  "})
    assert again.status_code == 200, again.text
    assert again.json()["label"] == "Firefox på jobb"
    assert again.json()["created_at"] == device["created_at"]

    phone = _post(
        api, patient, {"id": str(uuid.uuid4()), "platform": "ios", "push": {"token": "tok-1"}}
    )
    assert phone.status_code == 201, phone.text
    assert phone.json()["push"] == {"token": "tok-1"}
    assert phone.json()["label"] is None
    assert [d["id"] for d in _list(api, patient)] == [device_id, phone.json()["id"]]

    gone = api.client.delete(f"/v1/me/devices/{device_id}", headers=patient.headers)
    assert gone.status_code == 204
    assert [d["platform"] for d in _list(api, patient)] == ["ios"]
    again = api.client.delete(f"/v1/me/devices/{device_id}", headers=patient.headers)
    assert again.status_code == 404
    assert again.json()["code"] == "device_not_found"


def test_another_patients_device_is_neither_taken_nor_removed(api: Api) -> None:
    kari, ola = api.patient(), api.patient()
    device_id = str(uuid.uuid4())
    assert _post(api, kari, {"id": device_id, **web_device()}).status_code == 201

    taken = _post(api, ola, {"id": device_id, "platform": "android", "push": {"token": "t"}})
    assert taken.status_code == 409
    assert taken.json()["code"] == "device_id_in_use"
    removed = api.client.delete(f"/v1/me/devices/{device_id}", headers=ola.headers)
    assert removed.status_code == 404
    assert (
        removed.json()
        == api.client.delete(f"/v1/me/devices/{uuid.uuid4()}", headers=ola.headers).json()
    )
    assert [d["id"] for d in _list(api, kari)] == [device_id]
    assert _list(api, ola) == []


def test_a_shared_browser_follows_the_patient_who_registered_it_last(api: Api) -> None:
    kari, ola = api.patient(), api.patient()
    shared = web_device()
    assert _post(api, kari, {"id": str(uuid.uuid4()), **shared}).status_code == 201
    token = {"platform": "android", "push": {"token": "shared-phone"}}
    assert _post(api, kari, {"id": str(uuid.uuid4()), **token}).status_code == 201

    assert _post(api, ola, {"id": str(uuid.uuid4()), **shared}).status_code == 201
    assert _post(api, ola, {"id": str(uuid.uuid4()), **token}).status_code == 201

    assert _list(api, kari) == []
    assert len(_list(api, ola)) == 2


def _with_keys(p256dh: str | None = None, auth: str | None = None) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), **web_device()}
    keys = body["push"]["keys"]
    body["push"]["keys"] = {"p256dh": p256dh or keys["p256dh"], "auth": auth or keys["auth"]}
    return body


def _off_curve() -> str:
    return b64url(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    "body",
    [
        _with_keys(p256dh=_off_curve()),  # right length, not a P-256 point
        _with_keys(p256dh=b64url(b"\x02" + b"\x01" * 64)),  # not uncompressed
        _with_keys(auth=b64url(b"\x01" * 17)),  # 23 characters, but 17 bytes
        _with_keys(auth="+" * 22),  # not base64url
        {"id": str(uuid.uuid4()), "platform": "web", "push": {"token": "t"}},
        {"id": str(uuid.uuid4()), "platform": "android", "push": web_device()["push"]},
        {"id": str(uuid.uuid4()), "platform": "web", **{"push": {"endpoint": "https://x"}}},
        {"id": "nope", "platform": "android", "push": {"token": "t"}},
        {"id": str(uuid.uuid4()), "platform": "android", "push": {"token": "has space"}},
        {"id": str(uuid.uuid4()), "platform": "android", "push": {"token": "t"}, "x": 1},
    ],
)
def test_malformed_devices_are_422(api: Api, body: dict[str, Any]) -> None:
    patient = api.patient()
    response = _post(api, patient, body)
    assert response.status_code == 422, response.text
    assert _list(api, patient) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://127.0.0.1/push/abc",  # not a push service: the server would POST there
        "https://push.services.mozilla.com.attacker.example/abc",
    ],
)
def test_endpoints_off_the_push_services_are_refused(api: Api, endpoint: str) -> None:
    patient = api.patient()
    body = {"id": str(uuid.uuid4()), **web_device()}
    body["push"]["endpoint"] = endpoint
    response = _post(api, patient, body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "push_endpoint_not_allowed"


def test_vapid_key_is_public_and_404_when_web_push_is_off(
    client: TestClient, database_url: str
) -> None:
    response = client.get("/v1/push/vapid-key")
    assert response.status_code == 404
    assert response.json()["code"] == "webpush_not_configured"

    private, public = new_key_pair()
    configured = make_settings(
        database_url, vapid_private_key=private, vapid_subject="mailto:drift@example.com"
    )
    with TestClient(create_app(configured)) as other:
        answer = other.get("/v1/push/vapid-key")
    assert answer.status_code == 200
    assert answer.json() == {"public_key": public}
    assert public_key_of(private) == public


def test_devices_are_erased_with_the_patient(api: Api) -> None:
    patient = api.patient()
    assert _post(api, patient, {"id": str(uuid.uuid4()), **web_device()}).status_code == 201
    erased = api.client.request(
        "DELETE", "/v1/me", json={"password": patient.password}, headers=patient.headers
    )
    assert erased.status_code == 204, erased.text

    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(device_table)) or 0)

    assert api.db(count) == 0


def test_at_most_ten_devices_the_longest_unregistered_goes(api: Api) -> None:
    patient = api.patient()
    ids = [str(uuid.uuid4()) for _ in range(11)]
    bodies = {
        device_id: {"id": device_id, "platform": "android", "push": {"token": uuid.uuid4().hex}}
        for device_id in ids
    }
    for device_id in ids[:10]:
        assert _post(api, patient, bodies[device_id]).status_code == 201
    assert _post(api, patient, bodies[ids[0]]).status_code == 200  # the app started again

    assert _post(api, patient, bodies[ids[10]]).status_code == 201

    kept = {d["id"] for d in _list(api, patient)}
    assert kept == set(ids) - {ids[1]}
