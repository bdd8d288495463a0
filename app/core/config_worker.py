"""Risk-alert and reminder-worker settings (issues 15 and 17), and the crisis numbers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.config_base import CoreSettings


class CrisisResource(BaseModel):
    """A number to call in an acute situation, named in both locales."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    nb: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


# Norway: the medical emergency number, the emergency primary-care (legevakt) number, and
# Mental Helse's helpline (open day and night). A deployment elsewhere sets its own.
NORWEGIAN_CRISIS_RESOURCES = (
    CrisisResource(
        number="113",
        nb="Medisinsk nødtelefon - ring ved fare for liv",
        en="Medical emergency - call when a life may be in danger",
    ),
    CrisisResource(
        number="116 117",
        nb="Legevakt",
        en="Emergency primary care (legevakt)",
    ),
    CrisisResource(
        number="116 123",
        nb="Mental Helse Hjelpetelefonen - døgnåpen",
        en="Mental Helse helpline - open day and night",
    ),
)


class WorkerSettings(CoreSettings):
    """When a risk alert is overdue, what the patient is shown at once, and the worker's pace."""

    # Risk alerts (issue 15): hours until an unacknowledged PHQ-9 item-9 alert is overdue
    # and reaches the on-call therapists; the numbers the patient is shown at once (JSON list).
    risk_ack_hours: int = Field(default=24, ge=1, le=168)
    # The reminder worker (issue 17): on PostgreSQL `mestring worker` (procrastinate); on SQLite
    # an in-process loop started with the app, unless switched off (None: on for SQLite outside
    # tests).
    inprocess_worker: bool | None = None
    worker_tick_seconds: int = Field(default=60, ge=1, le=600)
    worker_stalled_seconds: int = Field(default=60, ge=2, le=3600)
    worker_concurrency: int = Field(default=4, ge=1, le=50)
    # Finished queue jobs (succeeded, failed, cancelled, aborted) are deleted after this many
    # hours by the worker's hourly `prune_jobs`; the outbox rows keep what was sent.
    worker_job_retention_hours: int = Field(default=168, ge=1, le=24 * 365)
    crisis_resources: Annotated[list[CrisisResource], Field(min_length=1, max_length=10)] = Field(
        default_factory=lambda: list(NORWEGIAN_CRISIS_RESOURCES)
    )
