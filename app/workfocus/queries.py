"""Set-based reads for the worklist and for today: a fixed number of statements whatever the
caseload or its history.

The worklist (app/dashboard, issue 12) wires `workfocus_for_patients` in; see
docs/notes/issue-13.md "For the worklist". Every patient passed in gets an entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.core.among import DIALECTS, among_bound, dialect_of
from app.workfocus.barrier_rules import workplace_conflict
from app.workfocus.goal_schemas import TodayGoalStep
from app.workfocus.meeting_schemas import TodayMeeting
from app.workfocus.models import barrier_check_table, dialogue_meeting_table, work_goal_table

SOON_DAYS = 3  # `dialogue_meeting_soon`: a planned meeting today or in the next 3 local days
REACHED_DAYS = 28  # goals reached in the last 28 local days, today included

_b = barrier_check_table.c
_m = dialogue_meeting_table.c
_g = work_goal_table.c
_u = user_table.c
# Built once ("today" reads them on every call).
_MEETINGS_ON_DAY = (_m.local_date == bindparam("day", type_=Date()), _m.status != "cancelled")
_ACTIVE = _g.status == "active"
_TODAY_MEETINGS = (
    select(_m.id, _m.starts_at, _m.status, _m.participants)
    .where(_m.patient_id == bindparam("patient_id", type_=_m.patient_id.type), *_MEETINGS_ON_DAY)
    .order_by(_m.starts_at)
)
_ACTIVE_GOALS = (
    select(_g.id, _g.title, _g.steps)
    .where(_g.patient_id == bindparam("patient_id", type_=_g.patient_id.type), _ACTIVE)
    .order_by(_g.created_at, _g.id)
)


@dataclass(slots=True)
class PatientWorkFocus:
    today: date
    barriers_checked_on: date | None = None
    workplace_rating: int | None = None  # of the latest barriers check
    next_meeting_at: datetime | None = None  # the next planned meeting within SOON_DAYS
    next_meeting_on: date | None = None
    status_check_on: date | None = None  # set by the latest held meeting's outcome
    goals_reached: int = 0  # in the last REACHED_DAYS local days
    last_goal_reached_on: date | None = None

    @property
    def workplace_conflict(self) -> bool:
        """The latest barriers check rates conflict or harassment 3 or more."""
        return workplace_conflict(self.workplace_rating)

    @property
    def dialogue_meeting_soon(self) -> bool:
        return self.next_meeting_on is not None

    @property
    def status_check_due(self) -> bool:
        """The latest outcome's status check is today or past, and no later outcome is in."""
        return self.status_check_on is not None and self.status_check_on <= self.today


def latest_columns(patient: Any) -> list[Any]:
    """Columns `barriers_checked_on` and `workplace_rating` (the latest barriers check) and
    `status_check_on` (set by the latest held meeting's outcome) of the patient (`patient`, a
    patient id column of the outer statement)."""
    latest_check = select(_b.local_date, _b.workplace_rating).where(_b.patient_id == patient)
    latest_check = latest_check.order_by(_b.local_date.desc()).limit(1)
    return [
        latest_check.with_only_columns(_b.local_date)
        .scalar_subquery()
        .label("barriers_checked_on"),
        latest_check.with_only_columns(_b.workplace_rating)
        .scalar_subquery()
        .label("workplace_rating"),
        select(_m.next_status_check_on)
        .where(_m.patient_id == patient, _m.status == "held")
        .order_by(_m.starts_at.desc())
        .limit(1)
        .scalar_subquery()
        .label("status_check_on"),
    ]


Latest = tuple[date | None, int | None, date | None]  # barriers checked on, rating, status check


def latest_of(row: Any) -> Latest:
    """A row's `latest_columns`."""
    return row.barriers_checked_on, row.workplace_rating, row.status_check_on


# Built once per dialect (the worklist reads them on every page).
_LATEST_MANY = {
    d: select(_u.id, *latest_columns(_u.id)).where(among_bound(_u.id, "patient_ids", d))
    for d in DIALECTS
}
_SOON_MANY = {
    d: select(_m.patient_id, _m.starts_at, _m.local_date)
    .where(
        among_bound(_m.patient_id, "patient_ids", d),
        _m.status == "planned",
        _m.local_date >= bindparam("first", type_=Date()),
        _m.local_date <= bindparam("last", type_=Date()),
    )
    .order_by(_m.starts_at)
    for d in DIALECTS
}
_REACHED_MANY = {
    d: select(_g.patient_id, _g.reached_on).where(
        among_bound(_g.patient_id, "patient_ids", d),
        _g.status == "reached",
        _g.reached_on >= bindparam("first", type_=Date()),
        _g.reached_on <= bindparam("last", type_=Date()),
    )
    for d in DIALECTS
}


async def workfocus_for_patients(
    session: AsyncSession,
    *,
    today_by_patient: Mapping[uuid.UUID, date],
    latest: Mapping[uuid.UUID, Latest] | None = None,
) -> dict[uuid.UUID, PatientWorkFocus]:
    """Per patient: latest barriers rating and status check, meeting soon, goals reached (3
    reads; 2 when the caller read `latest_columns` already and passes them as `latest`)."""
    if not today_by_patient:
        return {}
    ids = list(today_by_patient)
    dialect = dialect_of(session)
    first, last = min(today_by_patient.values()), max(today_by_patient.values())
    found = {pid: PatientWorkFocus(today=today) for pid, today in today_by_patient.items()}
    if latest is None:
        rows = await session.execute(_LATEST_MANY[dialect], {"patient_ids": ids})
        latest = {row.id: latest_of(row) for row in rows.all()}
    for pid, (checked_on, rating, status_check_on) in latest.items():
        entry = found[pid]
        entry.barriers_checked_on, entry.workplace_rating = checked_on, rating
        entry.status_check_on = status_check_on

    rows = await session.execute(
        _SOON_MANY[dialect],
        {"patient_ids": ids, "first": first, "last": last + timedelta(days=SOON_DAYS)},
    )
    for row in rows.all():
        entry = found[row.patient_id]
        soon = entry.today <= row.local_date <= entry.today + timedelta(days=SOON_DAYS)
        if soon and entry.next_meeting_at is None:
            entry.next_meeting_at, entry.next_meeting_on = row.starts_at, row.local_date

    rows = await session.execute(
        _REACHED_MANY[dialect],
        {"patient_ids": ids, "first": first - timedelta(days=REACHED_DAYS - 1), "last": last},
    )
    for row in rows.all():
        entry = found[row.patient_id]
        if entry.today - timedelta(days=REACHED_DAYS - 1) <= row.reached_on <= entry.today:
            entry.goals_reached += 1
            if entry.last_goal_reached_on is None or row.reached_on > entry.last_goal_reached_on:
                entry.last_goal_reached_on = row.reached_on
    return found


@dataclass(frozen=True, slots=True)
class WorkFocusToday:
    meetings: list[TodayMeeting]
    steps: list[TodayGoalStep]


def today_probes(patient: Any) -> list[Any]:
    """Columns `meetings_on_day` (a meeting on the bound `day`, not cancelled) and
    `active_goals` of a patient id column (`patient`): whether `today_for_patient` has rows
    to read, from the same conditions as its statements."""
    return [
        exists().where(_m.patient_id == patient, *_MEETINGS_ON_DAY).label("meetings_on_day"),
        exists().where(_g.patient_id == patient, _ACTIVE).label("active_goals"),
    ]


async def today_for_patient(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    day: date,
    meetings_on_day: bool = True,
    active_goals: bool = True,
) -> WorkFocusToday:
    """Dialogue meetings on `day` (not cancelled) and goal steps due on it, not done (2 reads;
    a read is left out when the caller's `today_probes` said it has no rows)."""
    params = {"patient_id": patient_id, "day": day}
    meetings = (await session.execute(_TODAY_MEETINGS, params)).all() if meetings_on_day else []
    goals = (
        (await session.execute(_ACTIVE_GOALS, {"patient_id": patient_id})).all()
        if active_goals
        else []
    )
    iso = day.isoformat()
    return WorkFocusToday(
        meetings=[
            TodayMeeting(
                id=row.id,
                starts_at=row.starts_at,
                status=row.status,
                participants=[p["role"] for p in row.participants],
            )
            for row in meetings
        ],
        steps=[
            TodayGoalStep(
                goal_id=row.id,
                goal_title=row.title,
                step_id=step["id"],
                text=step["text"],
                at_work=step.get("at_work", False),
                strategy=step.get("strategy"),
            )
            for row in goals
            for step in row.steps
            if step.get("due_on") == iso and not step.get("done")
        ],
    )
