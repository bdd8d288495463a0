"""push_to_patient against real protocol peers (tests/push_receivers.py): the Web Push receiver
decrypts every message and verifies its VAPID signature, the FCM stub checks the OAuth
assertion, the bearer token and the message shape."""

from __future__ import annotations

import logging
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.metrics import PROCESS_REGISTRY
from app.devices.delivery import push_to_patient
from app.devices.outcome import topic_for
from app.main import create_app
from app.push.message import Delivery, PushMessage
from tests.conftest import make_settings
from tests.factories import Actor, Api
from tests.push_receivers import (
    VAPID_PUBLIC,
    VAPID_SUBJECT,
    FcmStub,
    WebPushReceiver,
    fcm_stub,
    push_settings,
    webpush_receiver,
)

__all__ = ["fcm_stub", "webpush_receiver"]  # fixtures

MESSAGE = PushMessage(
    title="Tid for dagens innsjekk",
    body="Det tar et minutt.",
    tag="checkin:2026-12-01",
    path="/checkin",
    ttl_seconds=3600,
)
METRICS_TOKEN = "metrics-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def settings(
    database_url: str, webpush_receiver: WebPushReceiver, fcm_stub: FcmStub, tmp_path: Path
) -> Settings:
    return make_settings(
        database_url,
        metrics_token=METRICS_TOKEN,
        **push_settings(webpush_receiver, fcm_stub, tmp_path),
    )


def _web_device(api: Api, patient: Actor, subscription: dict[str, Any]) -> str:
    device_id = str(uuid.uuid4())
    response = api.client.post(
        "/v1/me/devices",
        json={"id": device_id, "platform": "web", "push": subscription, "label": "Firefox"},
        headers=patient.headers,
    )
    assert response.status_code == 201, response.text
    return device_id


def _phone(api: Api, patient: Actor, token: str, platform: str = "android") -> str:
    device_id = str(uuid.uuid4())
    response = api.client.post(
        "/v1/me/devices",
        json={"id": device_id, "platform": platform, "push": {"token": token}},
        headers=patient.headers,
    )
    assert response.status_code == 201, response.text
    return device_id


def _push(api: Api, settings: Settings, patient: Actor) -> list[Delivery]:
    return api.db(lambda session: push_to_patient(session, settings, patient.id, MESSAGE))


def _devices(api: Api, patient: Actor) -> list[dict[str, Any]]:
    response = api.client.get("/v1/me/devices", headers=patient.headers)
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _count(name: str, **labels: str) -> float:
    return PROCESS_REGISTRY.get_sample_value(name, labels) or 0.0


def test_web_push_is_decrypted_and_signed(
    api: Api, settings: Settings, webpush_receiver: WebPushReceiver
) -> None:
    patient, other = api.patient(), api.patient()
    subscription = webpush_receiver.subscribe(VAPID_PUBLIC)
    _web_device(api, patient, subscription)
    elsewhere = webpush_receiver.subscribe(VAPID_PUBLIC)
    _web_device(api, other, elsewhere)
    before = _count("mestring_push_deliveries_total", platform="web", outcome="sent")

    assert _push(api, settings, patient) == [Delivery.sent]

    assert webpush_receiver.errors == []
    [push] = webpush_receiver.received
    assert push.subscription == subscription["endpoint"]
    assert push.payload == {
        "title": MESSAGE.title,
        "body": MESSAGE.body,
        "tag": MESSAGE.tag,
        "path": MESSAGE.path,
    }
    assert push.ttl == 3600
    assert push.topic == topic_for(MESSAGE.tag)
    assert push.urgency == "normal"
    assert push.claims["aud"] == webpush_receiver.origin
    assert push.claims["sub"] == VAPID_SUBJECT
    [device] = _devices(api, patient)
    assert device["last_delivered_at"] is not None
    assert webpush_receiver.for_endpoint(elsewhere["endpoint"]) == []
    after = _count("mestring_push_deliveries_total", platform="web", outcome="sent")
    assert after == before + 1
    metrics = api.client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert f'mestring_push_deliveries_total{{outcome="sent",platform="web"}} {after}' in (
        metrics.text
    )


def test_a_gone_subscription_drops_the_device(
    api: Api, settings: Settings, webpush_receiver: WebPushReceiver
) -> None:
    patient = api.patient()
    gone = webpush_receiver.subscribe(VAPID_PUBLIC)
    kept = webpush_receiver.subscribe(VAPID_PUBLIC)
    _web_device(api, patient, gone)
    kept_id = _web_device(api, patient, kept)
    webpush_receiver.gone.add(gone["endpoint"])
    dropped_before = _count("mestring_push_devices_dropped_total", platform="web")

    assert sorted(_push(api, settings, patient)) == sorted([Delivery.gone, Delivery.sent])

    assert [d["id"] for d in _devices(api, patient)] == [kept_id]
    assert _count("mestring_push_devices_dropped_total", platform="web") == dropped_before + 1
    assert len(webpush_receiver.for_endpoint(kept["endpoint"])) == 1


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (503, Delivery.failed),
        (500, Delivery.failed),
        (429, Delivery.failed),
        (400, Delivery.refused),
        (413, Delivery.refused),
        (404, Delivery.gone),
    ],
)
def test_push_service_answers(
    api: Api,
    settings: Settings,
    webpush_receiver: WebPushReceiver,
    status: int,
    outcome: Delivery,
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient = api.patient()
    subscription = webpush_receiver.subscribe(VAPID_PUBLIC)
    _web_device(api, patient, subscription)
    webpush_receiver.answers[subscription["endpoint"]] = status

    with caplog.at_level(logging.INFO, logger="mestring.push"):
        assert _push(api, settings, patient) == [outcome]

    [record] = [r for r in caplog.records if r.name == "mestring.push"]
    assert (record.getMessage(), record.__dict__["reason"]) == (
        "push not delivered",
        f"status {status}",
    )
    assert subscription["endpoint"] not in str(record.__dict__)  # a capability URL: never logged

    assert len(_devices(api, patient)) == (0 if outcome is Delivery.gone else 1)


def test_a_subscription_made_for_another_key_is_refused_by_the_push_service(
    api: Api, settings: Settings, webpush_receiver: WebPushReceiver
) -> None:
    """The receiver really checks `k` (RFC 8292 section 4.2): a subscription bound to another
    server's key gets 403, which is no reason to retry."""
    patient = api.patient()
    other_server_key = webpush_receiver.subscribe(VAPID_PUBLIC)["keys"]["p256dh"]
    _web_device(api, patient, webpush_receiver.subscribe(other_server_key))

    assert _push(api, settings, patient) == [Delivery.refused]

    assert webpush_receiver.received == []
    assert webpush_receiver.errors == ["k is not the key the subscription was made for"]


def test_fcm_round_trip_and_token_cache(api: Api, settings: Settings, fcm_stub: FcmStub) -> None:
    patient = api.patient()
    _phone(api, patient, fcm_stub.register(), "android")
    _phone(api, patient, fcm_stub.register(), "ios")

    assert _push(api, settings, patient) == [Delivery.sent, Delivery.sent]
    assert _push(api, settings, patient) == [Delivery.sent, Delivery.sent]

    assert fcm_stub.errors == []
    assert fcm_stub.token_requests == 1  # the access token is kept, not fetched per push
    message = fcm_stub.received[0]
    assert message["notification"] == {"title": MESSAGE.title, "body": MESSAGE.body}
    assert message["data"] == {"tag": MESSAGE.tag, "path": MESSAGE.path}
    assert message["android"]["ttl"] == "3600s"
    assert message["android"]["collapse_key"] == topic_for(MESSAGE.tag)
    assert message["apns"]["headers"]["apns-collapse-id"] == topic_for(MESSAGE.tag)


def test_an_unregistered_fcm_token_drops_the_device(
    api: Api, settings: Settings, fcm_stub: FcmStub
) -> None:
    patient = api.patient()
    token = fcm_stub.register()
    _phone(api, patient, token)
    fcm_stub.unregister(token)

    assert _push(api, settings, patient) == [Delivery.gone]

    assert _devices(api, patient) == []
    assert fcm_stub.errors == []


def test_an_fcm_404_that_is_not_about_the_token_keeps_the_device(
    api: Api, settings: Settings, fcm_stub: FcmStub
) -> None:
    """A wrong project or URL answers 404 for every token: that must not drop every phone."""
    patient = api.patient()
    token = fcm_stub.register()
    _phone(api, patient, token)
    fcm_stub.answers[token] = 404  # without the UNREGISTERED detail

    assert _push(api, settings, patient) == [Delivery.refused]

    assert len(_devices(api, patient)) == 1


def test_fcm_server_errors_are_retried_later(
    api: Api, settings: Settings, fcm_stub: FcmStub
) -> None:
    patient = api.patient()
    token = fcm_stub.register()
    _phone(api, patient, token)
    fcm_stub.answers[token] = 503

    assert _push(api, settings, patient) == [Delivery.failed]

    assert len(_devices(api, patient)) == 1


def test_nothing_is_sent_without_configured_senders(
    database_url: str, webpush_receiver: WebPushReceiver, fcm_stub: FcmStub, tmp_path: Path
) -> None:
    """Devices register while a sender is off; push_to_patient skips what it cannot reach."""
    configured = make_settings(database_url, **push_settings(webpush_receiver, fcm_stub, tmp_path))
    with TestClient(create_app(configured)) as client:
        api = Api(client)
        patient = api.patient()
        _web_device(api, patient, webpush_receiver.subscribe(VAPID_PUBLIC))
        _phone(api, patient, fcm_stub.register())
        bare = make_settings(database_url)
        assert api.db(lambda s: push_to_patient(s, bare, patient.id, MESSAGE)) == []
    assert webpush_receiver.received == []
    assert fcm_stub.received == []


def test_transactions_are_the_callers_when_open_and_its_own_otherwise(
    api: Api, settings: Settings, webpush_receiver: WebPushReceiver
) -> None:
    """With no transaction open, push_to_patient ends its own (none stays open across the
    network calls or after); inside the caller's, the deletion of a gone device is the caller's
    to commit or roll back."""
    patient = api.patient()
    subscription = webpush_receiver.subscribe(VAPID_PUBLIC)
    _web_device(api, patient, subscription)
    webpush_receiver.gone.add(subscription["endpoint"])

    async def inside_and_rolled_back(session: AsyncSession) -> list[Delivery]:
        await session.execute(select(1))  # the caller's transaction
        outcome = await push_to_patient(session, settings, patient.id, MESSAGE)
        assert session.in_transaction()
        await session.rollback()
        return outcome

    assert api.db(inside_and_rolled_back) == [Delivery.gone]
    assert len(_devices(api, patient)) == 1  # the caller rolled the deletion back

    async def on_its_own(session: AsyncSession) -> tuple[list[Delivery], bool]:
        outcome = await push_to_patient(session, settings, patient.id, MESSAGE)
        return outcome, session.in_transaction()

    assert api.db(on_its_own) == ([Delivery.gone], False)
    assert _devices(api, patient) == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_push_service_is_a_failure_to_retry(
    api: Api, settings: Settings, webpush_receiver: WebPushReceiver, fcm_stub: FcmStub
) -> None:
    patient = api.patient()
    subscription = webpush_receiver.subscribe(VAPID_PUBLIC)
    subscription["endpoint"] = f"http://127.0.0.1:{_closed_port()}/push/nobody-listens"
    _web_device(api, patient, subscription)
    _phone(api, patient, fcm_stub.register())
    no_token_service = settings.model_copy(
        update={"fcm_token_url": f"http://127.0.0.1:{_closed_port()}/token"}
    )

    deliveries = api.db(lambda s: push_to_patient(s, no_token_service, patient.id, MESSAGE))

    assert deliveries == [Delivery.failed, Delivery.failed]
    assert len(_devices(api, patient)) == 2
    assert fcm_stub.received == []
