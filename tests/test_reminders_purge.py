"""`mestring purge` drops pushes finished more than 90 days ago and reminder claims that old;
a push still waiting, and anything younger, stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from app.privacy.retention import purge_expired
from tests.factories import Api
from tests.reminder_helpers import deliver_one, outbox, run_scheduler, set_reminders

NOW = datetime(2027, 1, 10, 18, 5, tzinfo=UTC)  # 19:05 in Oslo


def _purge(api: Api, now: datetime) -> int:
    done = api.db(lambda s: purge_expired(s, settings=api.services.settings, now=now, batch=1))
    return done["pushes"]


def test_old_finished_pushes_and_claims_go(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        finished = api.patient(timezone="Europe/Oslo")
        waiting = api.patient(timezone="Europe/Oslo")
        for patient in (finished, waiting):
            set_reminders(api, patient, checkin_at="19:00")
        created = run_scheduler(api)
        (done_id,) = [r.id for r in outbox(api, finished)]
        assert deliver_one(api, done_id).status == "no_device"
    assert len(created) == 2
    assert _purge(api, NOW + timedelta(days=90)) == 0  # not older than 90 days yet
    # Two claims and one finished push (batch 1: the loop goes on until nothing is left).
    assert _purge(api, NOW + timedelta(days=90, seconds=1)) == 3
    assert outbox(api, finished) == []
    assert [r.status for r in outbox(api, waiting)] == ["pending"]
    assert _purge(api, NOW + timedelta(days=91)) == 0
