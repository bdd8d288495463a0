"""`seed-demo --patients N --days D`: a deterministic synthetic caseload the worklist can read."""

from __future__ import annotations

from typing import Any

import time_machine
from sqlalchemy import func, select

from app.checkins.models import checkin_table
from app.dashboard.demo import BULK_PASSWORD, BULK_THERAPIST, seed_bulk
from app.exercises.models import exercise_log_table
from tests.dashboard_helpers import NOW
from tests.factories import Api


@time_machine.travel(NOW, tick=False)
def test_bulk_seed_gives_the_therapist_a_readable_caseload(api: Api) -> None:
    seeded = api.db(lambda s: seed_bulk(s, hasher=api.services.hasher, patients=3, days=20, seed=7))
    assert (seeded.patients, seeded.days) == (3, 20)

    def counts(session: Any) -> Any:
        async def run() -> tuple[int, int]:
            checkins = await session.scalar(select(func.count()).select_from(checkin_table))
            logs = await session.scalar(select(func.count()).select_from(exercise_log_table))
            return checkins, logs

        return run()

    checkins, logs = api.db(counts)
    assert 0 < checkins <= 3 * 20
    assert 0 < logs <= 3 * 20 * 3
    tokens = api.login(BULK_THERAPIST, BULK_PASSWORD)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    page = api.client.get("/v1/patients", headers=headers).json()
    assert page["count"] == 3
    assert all(row["last_checkin_on"] is not None for row in page["data"])
    # the history ends yesterday: no check-in today
    assert all(row["last_checkin_on"] < "2026-11-18" for row in page["data"])
