"""The worker's hourly `prune_jobs` deletes finished queue jobs past the retention, and only
those: a job still waiting, or finished recently, stays (PostgreSQL: the queue is procrastinate's).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.config import Settings
from app.core.migrate import upgrade
from app.reminders.worker import DELIVER, build_app, prune_finished_jobs
from tests.conftest import drop_database, make_database, make_settings

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    url, name = make_database("postgresql", tmp_path)
    upgrade(url)
    try:
        yield make_settings(url, worker_job_retention_hours=168)
    finally:
        drop_database("postgresql", name)


async def _prune_scenario(settings: Settings) -> set[str]:
    """Six jobs in every state and age; returns the labels of the jobs left after pruning."""
    app = build_app(settings)
    async with app.open_async():
        task = app.tasks[DELIVER]
        ids: dict[str, int] = {}
        # (label, final status or None for still waiting, hours since it last changed)
        cases = [
            ("old-succeeded", "succeeded", 200),
            ("old-failed", "failed", 200),
            ("old-cancelled", "cancelled", 169),
            ("recent-succeeded", "succeeded", 167),
            ("old-waiting", None, 500),
            ("new-succeeded", "succeeded", 0),
        ]
        for label, status, hours in cases:
            ids[label] = await task.defer_async(outbox_id=str(uuid.uuid4()))
            run = app.connector.execute_query_async
            if status is not None:
                await run(
                    "UPDATE procrastinate_jobs SET status = %(status)s WHERE id = %(id)s",
                    status=status,
                    id=ids[label],
                )
            await run(
                "UPDATE procrastinate_events SET at = now() - make_interval(hours => %(h)s)"
                " WHERE job_id = %(id)s",
                h=hours,
                id=ids[label],
            )
        await prune_finished_jobs(app, settings)
        rows = await app.connector.execute_query_all_async("SELECT id FROM procrastinate_jobs")
        left = {row["id"] for row in rows}
    return {label for label, job_id in ids.items() if job_id in left}


def test_prune_deletes_finished_jobs_past_the_retention_only(settings: Settings) -> None:
    assert asyncio.run(_prune_scenario(settings)) == {
        "recent-succeeded",
        "old-waiting",
        "new-succeeded",
    }


def test_the_worker_schedules_prune_jobs_every_hour(settings: Settings) -> None:
    app = build_app(settings)
    periodic = {
        task.periodic_id: task.cron for task in app.periodic_registry.periodic_tasks.values()
    }
    assert periodic == {"tick": "* * * * *", "prune_jobs": "17 * * * *"}


def test_two_apps_in_one_process_name_the_tasks_the_same(settings: Settings) -> None:
    # Regression: the tasks were on one shared blueprint, and procrastinate renames a
    # blueprint's tasks in place, so a second app knew only `mestring:mestring:…`.
    # (procrastinate's own builtin task is renamed the same way; we never call it by name.)
    first, second = build_app(settings), build_app(settings)
    ours = {name for name in first.tasks if name.startswith("mestring")}
    assert ours == {DELIVER, "mestring:tick", "mestring:prune_jobs"}
    assert {name for name in second.tasks if name.startswith("mestring")} == ours
