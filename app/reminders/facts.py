"""What is still due, loaded set-based for many patients at once (a fixed number of
statements): today's check-ins, exercise plans with their log counts, due measures."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import follow_up_table
from app.checkins.models import checkin_table
from app.exercises.adherence import DayCount, Plan, today_progress, week_of
from app.exercises.adherence_service import load_day_counts, load_plans
from app.measures.queries import due_measures
from app.reminders.rules import CHECKIN, FOLLOW_UP, HOMEWORK, MEASURE, WORRY_TIME

_c = checkin_table.c


@dataclass(frozen=True, slots=True)
class Facts:
    checked_in: frozenset[tuple[uuid.UUID, date]]
    plans: Mapping[uuid.UUID, list[Plan]]
    counts: Mapping[uuid.UUID, list[DayCount]]
    measures_due: frozenset[uuid.UUID]  # patients with a measure open on their day
    pending_follow_ups: frozenset[tuple[uuid.UUID, str]] = frozenset()

    def open_plans(self, patient_id: uuid.UUID, day: date) -> list[Plan]:
        """Assignments active on `day` whose sessions of that day (or week) are not all done:
        `today_progress` of app/exercises/adherence.py, the rule "today" shows."""
        counts = self.counts.get(patient_id, [])
        found = []
        for plan in self.plans.get(patient_id, []):
            progress = today_progress(plan, counts, today=day)
            if progress is not None and progress.done < progress.target:
                found.append(plan)
        return found

    def still_due(self, patient_id: uuid.UUID, kind: str, thing: str, day: date) -> bool:
        """Is the thing a reminder is about still undone (issue 17: "no check-in reminder
        after a check-in from another device")?"""
        if kind == CHECKIN:
            return (patient_id, day) not in self.checked_in
        if kind == HOMEWORK:
            return bool(self.open_plans(patient_id, day))
        if kind == WORRY_TIME:
            return any(str(plan.id) == thing for plan in self.open_plans(patient_id, day))
        if kind == MEASURE:
            return patient_id in self.measures_due
        if kind == FOLLOW_UP:
            return (patient_id, thing) in self.pending_follow_ups
        return True  # therapist messages are news, not a task


async def load_facts(session: AsyncSession, days: Mapping[uuid.UUID, date]) -> Facts:
    """Facts for each patient's `day` (and the day after, for worry times after midnight)."""
    if not days:
        return Facts(frozenset(), {}, {}, frozenset())
    ids = list(days)
    first, last = min(days.values()), max(days.values()) + timedelta(days=1)
    rows = await session.execute(
        select(_c.patient_id, _c.local_date).where(
            _c.patient_id.in_(ids), _c.local_date >= first, _c.local_date <= last
        )
    )
    checked_in = frozenset((row.patient_id, row.local_date) for row in rows)
    _zones, plans = await load_plans(
        session, patient_ids=ids, window_start=week_of(first), window_end=last
    )
    counts = await load_day_counts(
        session, patient_ids=ids, window_start=week_of(first), window_end=last
    )
    measures = await due_measures(session, today_by_patient=days)
    f = follow_up_table.c
    follow_ups = await session.execute(
        select(f.patient_id, f.id).where(f.patient_id.in_(ids), f.status == "pending")
    )
    return Facts(
        pending_follow_ups=frozenset((row.patient_id, str(row.id)) for row in follow_ups),
        checked_in=checked_in,
        plans=plans,
        counts=counts,
        measures_due=frozenset(pid for pid, due in measures.items() if due),
    )
