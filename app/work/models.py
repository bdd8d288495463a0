"""Return-to-work plans (current row + every version) and the daily work-hour diary."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Integer, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

SWITCHES = JSON().with_variant(ARRAY(Integer()), "postgresql")


class RtwPlan(SQLModel, table=True):
    """The patient's current plan; `body` is the validated plan document (see schemas.PlanBody)."""

    __tablename__ = "rtw_plans"

    patient_id: uuid.UUID = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    version: int = Field(ge=1)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # Start of the first 0 % stage after which no stage goes back above 0 (past or future).
    full_return_on: date | None = Field(default=None)
    # The days on which the plan's review becomes due or stops being due (day numbers,
    # ascending; app.work.reviews.review_switches of the body, written with it): the
    # worklist reads this instead of the stages (issue 12). An integer array on PostgreSQL,
    # a JSON list on SQLite.
    review_switches: list[int] = Field(sa_column=Column(SWITCHES, nullable=False))
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_by_role: str = Field(max_length=16)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RtwPlanVersion(SQLModel, table=True):
    """Every saved version of a plan, with who saved it and when (never changed afterwards)."""

    __tablename__ = "rtw_plan_versions"
    __table_args__ = (UniqueConstraint("patient_id", "version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    version: int
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    full_return_on: date | None = Field(default=None)
    changed_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    changed_by_role: str = Field(max_length=16)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkDiaryEntry(SQLModel, table=True):
    """One day's hours (or a day off), keyed by the patient's local date; hours are stored as
    whole minutes."""

    __tablename__ = "work_diary_entries"
    __table_args__ = (
        UniqueConstraint("patient_id", "local_date"),
        CheckConstraint("worked_minutes BETWEEN 0 AND 1440", name="worked_minutes"),
        CheckConstraint(
            "planned_minutes IS NULL OR planned_minutes BETWEEN 0 AND 1440", name="planned_minutes"
        ),
        CheckConstraint("strain IS NULL OR strain BETWEEN 0 AND 10", name="strain"),
        CheckConstraint("day_type IN ('work', 'vacation', 'leave')", name="day_type"),
        CheckConstraint("day_type = 'work' OR worked_minutes = 0", name="no_hours_on_day_off"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    local_date: date
    # work (the default), vacation or leave: vacation and leave weekdays are not working days.
    day_type: str = Field(
        default="work", max_length=16, sa_column_kwargs={"server_default": "work"}
    )
    worked_minutes: int
    planned_minutes: int | None = Field(default=None)
    planned_from_plan: bool = Field(default=False)
    tasks: str | None = Field(default=None, max_length=1000)
    strain: int | None = Field(default=None)
    note: str | None = Field(default=None, max_length=1000)
    revision: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


rtw_plan_table = table_of(RtwPlan)
rtw_plan_version_table = table_of(RtwPlanVersion)
work_diary_table = table_of(WorkDiaryEntry)
