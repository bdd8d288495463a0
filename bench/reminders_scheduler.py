"""Cost of one scheduler tick (`find_due` + claim) with many patients' preferences.

.venv/bin/python -m bench.reminders_scheduler POSTGRES_URL [patients]

Makes a scratch database, migrates it, writes `patients` patients with a check-in reminder
spread over the day (a reminder stays due 2 hours: 120 minutes in 1440 of them are due at
the measured moment) and a homework
assignment each, then times ticks at a moment where some are due and one where none are.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import UTC, date, datetime
from datetime import time as clock

from sqlalchemy import insert

from app.accounts.models import user_table
from app.core.db import create_engine, session_factory
from app.exercises.models import assignment_table, dose_table
from app.reminders.models import reminder_settings_table
from app.reminders.scheduler import find_due, schedule_due
from bench.scratch import scratch_database

DAY = date(2027, 1, 10)


async def _seed(url: str, patients: int) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    users, settings, plans, doses = [], [], [], []
    for n in range(patients):
        pid, plan = uuid.uuid4(), uuid.uuid4()
        users.append(
            {
                "id": pid,
                "email": f"p{n}@bench.example",
                "password_hash": "x",
                "role": "patient",
                "display_name": f"P {n}",
                "timezone": "Europe/Oslo",
                "locale": "nb",
                "created_at": now,
                "on_call": False,
            }
        )
        minute = n % 1440
        settings.append(
            {
                "patient_id": pid,
                "checkin_at": clock(minute // 60, minute % 60),
                "homework_at": clock(minute // 60, minute % 60),
                "therapist_messages": True,
                "updated_at": now,
            }
        )
        plans.append(
            {
                "id": plan,
                "patient_id": pid,
                "therapist_id": pid,
                "exercise_kind": "attention_training",
                "starts_on": DAY,
                "created_at": now,
                "updated_at": now,
            }
        )
        doses.append(
            {
                "id": uuid.uuid4(),
                "assignment_id": plan,
                "effective_from": DAY,
                "times_per_day": 1,
                "paused": False,
                "changed_by": pid,
                "created_at": now,
            }
        )
    async with engine.begin() as connection:
        for table, rows in (
            (user_table, users),
            (reminder_settings_table, settings),
            (assignment_table, plans),
            (dose_table, doses),
        ):
            for start in range(0, len(rows), 1000):
                await connection.execute(insert(table), rows[start : start + 1000])
    await engine.dispose()


async def _time(url: str, moment: datetime, label: str) -> None:
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session:
        started = time.perf_counter()
        due = await find_due(session, now=moment)
        found = time.perf_counter() - started
        started = time.perf_counter()
        claimed = await schedule_due(session, now=moment)
        total = time.perf_counter() - started
    await engine.dispose()
    print(
        f"{label}: find_due {found * 1000:.0f} ms ({len(due)} due); "
        f"schedule_due {total * 1000:.0f} ms ({len(claimed)} claimed)"
    )


def main(base: str, patients: int) -> None:
    with scratch_database(base, "bench_reminders") as url:
        asyncio.run(_seed(url, patients))
        # 19:00 Oslo = 18:00 UTC: the patients whose minute is 17:00..19:00 are due (2 h window).
        asyncio.run(_time(url, datetime(2027, 1, 10, 18, 0, tzinfo=UTC), "evening tick"))
        asyncio.run(_time(url, datetime(2027, 1, 10, 18, 1, tzinfo=UTC), "next minute"))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
