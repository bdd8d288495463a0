"""Reminders end to end through the real Web Push sender (app/devices) to the decrypting
receiver of tests/push_receivers.py (issue 17, "Done when": a patient who has not checked in by
19:00 gets one push, a patient who did gets none). Clock: Sunday 10 January 2027, 19:05 Oslo."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from app.core.config import Settings
from app.devices.outcome import topic_for
from tests.checkin_helpers import answers
from tests.conftest import make_settings
from tests.factories import Actor, Api
from tests.push_receivers import VAPID_PUBLIC, WebPushReceiver, push_settings, webpush_receiver
from tests.reminder_helpers import deliver_one, outbox, run_scheduler, set_reminders

__all__ = ["webpush_receiver"]  # fixture

NOW = datetime(2027, 1, 10, 18, 5, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str, webpush_receiver: WebPushReceiver, tmp_path: Path) -> Settings:
    return make_settings(database_url, **push_settings(webpush_receiver, None, tmp_path))


def _subscribe(api: Api, patient: Actor, receiver: WebPushReceiver) -> dict[str, Any]:
    subscription = receiver.subscribe(VAPID_PUBLIC)
    response = api.client.post(
        "/v1/me/devices",
        json={"id": str(uuid.uuid4()), "platform": "web", "push": subscription, "label": "Phone"},
        headers=patient.headers,
    )
    assert response.status_code == 201, response.text
    return subscription


def test_one_push_for_the_patient_who_did_not_check_in_none_for_the_one_who_did(
    api: Api, webpush_receiver: WebPushReceiver
) -> None:
    with time_machine.travel(NOW, tick=False):
        lazy = api.patient(timezone="Europe/Oslo", locale="en")
        done = api.patient(timezone="Europe/Oslo")
        subscriptions = {p.id: _subscribe(api, p, webpush_receiver) for p in (lazy, done)}
        for patient in (lazy, done):
            set_reminders(api, patient, checkin_at="19:00")
        checkin = api.client.put(
            "/v1/me/checkins/2027-01-10", json={"answers": answers(4)}, headers=done.headers
        )
        assert checkin.status_code == 201
        for outbox_id in run_scheduler(api):
            assert deliver_one(api, outbox_id).status == "sent"
        for outbox_id in run_scheduler(api):  # a second tick: nothing more
            deliver_one(api, outbox_id)
    assert webpush_receiver.errors == []
    (push,) = webpush_receiver.for_endpoint(subscriptions[lazy.id]["endpoint"])
    assert webpush_receiver.for_endpoint(subscriptions[done.id]["endpoint"]) == []
    (row,) = outbox(api, lazy)
    assert row.status == "sent"
    assert push.topic == topic_for(row.tag)
    assert push.payload["title"] == "Mestring"
    assert push.payload["body"] == "Time for today's check-in"
    assert push.payload["tag"] == row.tag
    assert push.ttl == 115 * 60  # 19:05 until 21:00 Oslo (19:00 + 2 h), no longer


def test_a_gone_subscription_is_dropped_and_the_row_ends_without_device(
    api: Api, webpush_receiver: WebPushReceiver
) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        subscription = _subscribe(api, patient, webpush_receiver)
        webpush_receiver.gone.add(subscription["endpoint"])
        set_reminders(api, patient, checkin_at="19:00")
        (outbox_id,) = run_scheduler(api)
        assert deliver_one(api, outbox_id).status == "no_device"
        devices = api.client.get("/v1/me/devices", headers=patient.headers).json()
    assert devices["data"] == []
