"""Worklist rows for many patients at once, from a fixed number of set-based queries.

Every number comes from another domain's set-based service function (or, for adherence, the
exercises domain's own loader and rules), so a row agrees with the detail endpoints:
check-ins 2 statements, adherence 2 (one load covers both the 7- and the 28-day window),
work grades 2, booster counts 1, due follow-ups 1 — 8 in all, whatever the number of
patients or the length of their history.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.followup_answers import due_follow_ups
from app.boosters.queries import open_booster_counts
from app.checkins.definition import LOW_CUTOFF, band_of
from app.checkins.summary import checkin_stats_for_patients
from app.core.time import local_today
from app.dashboard.schemas import BoosterCounts, Flag, PatientSummary, WeekGradeBrief
from app.exercises.adherence import DayCount, Plan, compute, rate
from app.exercises.adherence_service import load_day_counts, load_plans
from app.work.grades import iso_week_label
from app.work.summary import WorkGlance, work_at_a_glance

NO_CHECKIN_DAYS = 3  # flag when none of the last 3 local days (today included) has a check-in
LOW_ADHERENCE = 0.5  # flag when under half of the last 7 days' prescribed exercises were done


@dataclass(frozen=True, slots=True)
class Who:
    """Whom a summary is about."""

    id: uuid.UUID
    display_name: str
    timezone: str


def _adherence(
    plans: Sequence[Plan], days: Sequence[DayCount], *, start: date, today: date
) -> float | None:
    prescribed = completed = 0
    for plan in plans:
        result = compute(plan, days, window_start=start, window_end=today, today=today)
        prescribed += result.prescribed
        completed += result.completed
    return rate(completed, prescribed)


def _week(glance: WorkGlance | None) -> WeekGradeBrief | None:
    if glance is None:
        return None
    week = glance.last_week
    return WeekGradeBrief(
        week=iso_week_label(week.first),
        week_start=week.first,
        actual_grade=week.actual_grade,
        planned_grade=week.planned_grade,
        above_plan=week.above_plan,
        complete=week.complete,
    )


def _flags(row: PatientSummary) -> list[Flag]:
    flags: list[Flag] = []
    last = row.last_checkin_on
    if last is None or last <= row.local_date - timedelta(days=NO_CHECKIN_DAYS):
        flags.append("no_checkin_3d")
    if row.rtw_se_mean_7d is not None and row.rtw_se_mean_7d < LOW_CUTOFF:
        flags.append("low_rtw_se")
    if row.adherence_7d is not None and row.adherence_7d < LOW_ADHERENCE:
        flags.append("low_adherence")
    if row.booster_requests.open > 0:
        flags.append("booster_open")
    if row.follow_ups_due > 0:
        flags.append("follow_up_due")
    return flags


async def summaries_for_patients(
    session: AsyncSession, *, patients: Sequence[Who]
) -> list[PatientSummary]:
    """One summary per patient, in the order given, from 8 statements in all."""
    if not patients:
        return []
    today = {p.id: local_today(p.timezone) for p in patients}
    ids = list(today)
    earliest, latest = min(today.values()), max(today.values())
    stats = await checkin_stats_for_patients(session, today_by_patient=today)
    _, plans = await load_plans(
        session, patient_ids=ids, window_start=earliest - timedelta(days=27), window_end=latest
    )
    counts = await load_day_counts(
        session, patient_ids=ids, window_start=earliest - timedelta(days=27), window_end=latest
    )
    work = await work_at_a_glance(session, today_by_patient=today)
    boosters = await open_booster_counts(session, patient_ids=ids)
    follow_ups = await due_follow_ups(session, today_by_patient=today)
    rows = []
    for who in patients:
        day, stat = today[who.id], stats[who.id]
        mine, days = plans.get(who.id, []), counts.get(who.id, [])
        mean, previous = stat.mean_7d, stat.previous_mean_7d
        change = None if mean is None or previous is None else round(mean - previous, 4)
        row = PatientSummary(
            patient_id=who.id,
            display_name=who.display_name,
            local_date=day,
            last_checkin_on=stat.last_checkin_on,
            rtw_se_mean_7d=mean,
            rtw_se_checkins_7d=stat.checkins_7d,
            rtw_se_band=band_of(mean) if mean is not None else None,
            rtw_se_change_7d=change,
            adherence_7d=_adherence(mine, days, start=day - timedelta(days=6), today=day),
            adherence_28d=_adherence(mine, days, start=day - timedelta(days=27), today=day),
            work_week=_week(work.get(who.id)),
            booster_requests=BoosterCounts(**boosters[who.id]),
            follow_ups_due=len(follow_ups[who.id]),
            flags=[],
        )
        row.flags = _flags(row)
        rows.append(row)
    return rows
