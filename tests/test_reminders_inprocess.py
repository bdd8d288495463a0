"""The in-process loop (SQLite's worker, `./dev serve` alone): started with the app, it ticks,
schedules and delivers through the real Web Push sender to the decrypting receiver, on the
real clock, once a day per reminder however many ticks pass."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.core.config import Settings
from app.reminders.inprocess import wanted
from tests.conftest import make_settings
from tests.factories import Api
from tests.push_receivers import VAPID_PUBLIC, WebPushReceiver, push_settings, webpush_receiver
from tests.reminder_helpers import outbox, set_reminders

__all__ = ["webpush_receiver"]  # fixture


@pytest.fixture
def settings(database_url: str, webpush_receiver: WebPushReceiver, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        inprocess_worker=True,
        worker_tick_seconds=1,
        **push_settings(webpush_receiver, None, tmp_path),
    )


def test_on_for_sqlite_outside_tests_only(tmp_path: Path) -> None:
    sqlite = f"sqlite:///{tmp_path}/x.db"
    assert wanted(make_settings(sqlite, env="development"))
    assert not wanted(make_settings(sqlite))  # env test
    assert not wanted(make_settings("postgresql://u@h/db", env="development"))
    assert wanted(make_settings("postgresql://u@h/db", inprocess_worker=True))
    assert not wanted(make_settings(sqlite, env="development", inprocess_worker=False))


def test_the_loop_sends_a_due_reminder_once(api: Api, webpush_receiver: WebPushReceiver) -> None:
    patient = api.patient(timezone="Europe/Oslo")
    subscription = webpush_receiver.subscribe(VAPID_PUBLIC)
    added = api.client.post(
        "/v1/me/devices",
        json={"id": str(uuid.uuid4()), "platform": "web", "push": subscription},
        headers=patient.headers,
    )
    assert added.status_code == 201, added.text
    now = datetime.now(ZoneInfo("Europe/Oslo")).strftime("%H:%M")
    set_reminders(api, patient, checkin_at=now)
    deadline = time.monotonic() + 30
    while not webpush_receiver.for_endpoint(subscription["endpoint"]):
        assert time.monotonic() < deadline, "the loop sent nothing"
        time.sleep(0.2)
    time.sleep(2.5)  # two more ticks
    (push,) = webpush_receiver.for_endpoint(subscription["endpoint"])
    assert push.payload["body"] == "Tid for dagens innsjekk"
    assert webpush_receiver.errors == []
    assert [row.status for row in outbox(api, patient)] == ["sent"]
