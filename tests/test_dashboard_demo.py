"""`seed-demo --patients N --days D`: a deterministic synthetic caseload the worklist can read."""

from __future__ import annotations

from collections import Counter
from typing import Any

import time_machine
from sqlalchemy import func, select, text, update

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


LOGGED = "SELECT patient_id, type, record_id FROM sync_changes WHERE op = 'upsert'"


@time_machine.travel(NOW, tick=False)
def test_bulk_seed_rows_are_in_the_change_log_and_later_writes_are_captured(api: Api) -> None:
    """The bulk seed writes the change log itself on PostgreSQL (its capture triggers off for
    the seed's transaction): one upsert per seeded record, as the triggers would have written,
    and the triggers capture the next write again. On SQLite the triggers write it."""
    api.db(lambda s: seed_bulk(s, hasher=api.services.hasher, patients=3, days=20, seed=5))

    def expected_and_logged(session: Any) -> Any:
        async def run() -> tuple[Counter[tuple[str, str, str]], Counter[tuple[str, str, str]]]:
            want: Counter[tuple[str, str, str]] = Counter()
            for kind, sql in (
                ("exercise_log", "SELECT patient_id, id FROM exercise_logs"),
                ("checkin", "SELECT patient_id, id FROM checkins"),
                ("diary_entry", "SELECT patient_id, id FROM work_diary_entries"),
                ("assignment", "SELECT patient_id, id FROM exercise_assignments"),
                (
                    "assignment",
                    "SELECT a.patient_id, a.id FROM assignment_doses AS d "
                    "JOIN exercise_assignments AS a ON a.id = d.assignment_id",
                ),
                ("rtw_plan", "SELECT patient_id, patient_id FROM rtw_plans"),
                ("rtw_plan", "SELECT patient_id, patient_id FROM rtw_plan_versions"),
                ("booster_request", "SELECT patient_id, id FROM booster_requests"),
            ):
                for patient, record in (await session.execute(text(sql))).all():
                    want[(str(patient), kind, str(record))] += 1
            logged = Counter(
                (str(patient), kind, str(record))
                for patient, kind, record in (await session.execute(text(LOGGED))).all()
            )
            return want, logged

        return run()

    want, logged = api.db(expected_and_logged)
    assert sum(want.values()) > 100
    assert logged == want

    def write_one(session: Any) -> Any:
        async def run() -> int:
            one = select(checkin_table.c.id).limit(1).scalar_subquery()
            await session.execute(
                update(checkin_table).where(checkin_table.c.id == one).values(mood=3)
            )
            await session.commit()
            return int(await session.scalar(select(func.count()).select_from(text("sync_changes"))))

        return run()

    assert api.db(write_one) == sum(want.values()) + 1
