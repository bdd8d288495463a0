"""`mestring worker`: the reminder and outbox tasks on procrastinate (PostgreSQL).

- `tick` runs every minute (procrastinate's periodic defer, once per minute however many
  workers run): schedules due reminders, defers one `deliver_outbox` job per waiting outbox row,
  and retries the jobs of workers whose heartbeat stopped (a crashed or killed worker).
- `prune_jobs` runs every hour: finished jobs older than `MESTRING_WORKER_JOB_RETENTION_HOURS`
  are deleted (procrastinate keeps every job row and its events otherwise).
- `deliver_outbox(outbox_id)` runs `app.reminders.delivery.deliver`; its `lock` keeps two
  deliveries of one row from running at once, its `queueing_lock` keeps one waiting job per
  row, and a DeliveryFailed (or any error) is retried with exponential back-off.
Any number of workers on any number of hosts share the queue.
"""

from __future__ import annotations

import contextlib
import logging
import uuid

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.deps import Services
from app.core.metrics import worker_metrics
from app.devices.delivery import push_to_patient
from app.reminders.delivery import MAX_ATTEMPTS
from app.reminders.runtime import Runtime, deliver_and_count, tick

log = logging.getLogger("mestring.worker")
NAMESPACE = "mestring"
DELIVER = f"{NAMESPACE}:deliver_outbox"
_runtime: Runtime | None = None


def _current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the worker runtime is not set up (run `mestring worker`)")
    return _runtime


async def deliver_outbox(outbox_id: str) -> None:
    """Deliver one outbox row (claim -> check -> send -> mark)."""
    await deliver_and_count(_current(), uuid.UUID(outbox_id))


async def defer_delivery(app: procrastinate.App, outbox_id: uuid.UUID) -> None:
    """One waiting job per outbox row; a row already waiting is left alone."""
    key = f"outbox:{outbox_id}"
    with contextlib.suppress(AlreadyEnqueued):
        await app.configure_task(DELIVER, lock=key, queueing_lock=key).defer_async(
            outbox_id=str(outbox_id)
        )


async def tick_task(context: procrastinate.JobContext, timestamp: int) -> None:
    """Every minute: schedule, relay the outbox, recover stalled jobs."""
    del timestamp
    app = context.app
    runtime = _current()
    await recover_stalled(app, runtime.services.settings)
    await tick(runtime, defer=lambda outbox_id: defer_delivery(app, outbox_id))


async def prune_jobs_task(context: procrastinate.JobContext, timestamp: int) -> None:
    """Every hour: delete the queue's finished jobs older than the retention."""
    del timestamp
    await prune_finished_jobs(context.app, _current().services.settings)


async def prune_finished_jobs(app: procrastinate.App, settings: Settings) -> None:
    """Delete jobs that finished (any final state) more than `worker_job_retention_hours` ago,
    so the queue's tables stay the size of a week's work instead of growing forever. What a
    delivery did is kept in its outbox row, not in the job."""
    await app.job_manager.delete_old_jobs(
        nb_hours=settings.worker_job_retention_hours,
        include_failed=True,
        include_cancelled=True,
        include_aborted=True,
    )


async def recover_stalled(app: procrastinate.App, settings: Settings) -> int:
    """Put back in the queue the running jobs of workers whose heartbeat stopped (killed,
    crashed, cut off) for `worker_stalled_seconds`; they run again from the start, and
    `deliver` resumes from the row's state (a claimed row is sent again, same tag)."""
    stalled = list(
        await app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=settings.worker_stalled_seconds
        )
    )
    for job in stalled:
        log.warning("retrying a stalled job", extra={"job_id": job.id, "task": job.task_name})
        await app.job_manager.retry_job(job)
    return len(stalled)


def conninfo(database_url: str) -> str:
    """The libpq URL psycopg wants, from ours (`postgresql+asyncpg://` or `postgresql://`)."""
    url = make_url(database_url.replace("postgres://", "postgresql://", 1))
    if url.get_backend_name() != "postgresql":
        raise ValueError("the worker needs PostgreSQL; on SQLite the API runs the tasks itself")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(settings: Settings) -> procrastinate.App:
    """The procrastinate app on our database, with our tasks (nothing connects yet)."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(settings.database_url), min_size=1, max_size=4
    )
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(_blueprint(), namespace=NAMESPACE)
    return app


def _blueprint() -> procrastinate.Blueprint:
    """Our tasks on a blueprint of their own: `add_tasks_from` renames a blueprint's tasks in
    place, so one shared blueprint added to a second app gets `mestring:mestring:` names."""
    blueprint = procrastinate.Blueprint()
    blueprint.task(
        name="deliver_outbox",
        # Our own attempt count stops at MAX_ATTEMPTS (then the row is `failed`); the extra
        # two cover errors that are not the push service's (the database restarting).
        retry=procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS + 2, exponential_wait=5),
    )(deliver_outbox)
    tick = blueprint.task(name="tick", queueing_lock="tick", pass_context=True)(tick_task)
    blueprint.periodic(cron="* * * * *", periodic_id="tick")(tick)
    prune = blueprint.task(name="prune_jobs", queueing_lock="prune_jobs", pass_context=True)(
        prune_jobs_task
    )
    blueprint.periodic(cron="17 * * * *", periodic_id="prune_jobs")(prune)
    return blueprint


async def run(settings: Settings) -> None:
    """Run a worker until SIGINT/SIGTERM (procrastinate finishes the running jobs first)."""
    global _runtime
    services = Services.build(settings)
    _runtime = Runtime(services=services, sender=push_to_patient, metrics=worker_metrics())
    app = build_app(settings)
    heartbeat = max(1.0, settings.worker_stalled_seconds / 6)
    try:
        async with app.open_async():
            await recover_stalled(app, settings)  # a restart after a crash need not wait a tick
            await app.run_worker_async(
                concurrency=settings.worker_concurrency,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=settings.worker_stalled_seconds,
                install_signal_handlers=True,
            )
    finally:
        _runtime = None
        await services.engine.dispose()
