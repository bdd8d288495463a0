"""The outcome report's figures from the per-patient rows of app.reports.queries, pure.

Definitions (also in docs/notes/issue-16.md, "Outcome report"); "in the period" means on a
local date first..last, or at a UTC instant from the first day's 00:00 to the next day after
the last at 00:00; "by the end" means up to `as_of` (the last day, or today while the period
runs):

- active: a care link (any therapist, or the one asked for) overlaps the period; every other
  figure is about these patients.
- started: the patient's first care link ever began in the period; ended: no care link of
  the patient runs past the period and the last one ended in it.
- RTW status at the end (`app.reports.stats.rtw_status` on `as_of`) and its change since
  treatment started: the status on the later of the first care link's day and the plan's
  first stage (the sick leave the patient came with, when the plan was written afterwards).
- actual work grade: the welfare office's grade (`app.work.grades.week_grade`) of the last
  complete ISO week on or before `as_of`, by band (`app.reports.stats.actual_status`).
- RTW-SE: patients with at least 7 check-ins by the end; baseline = the mean of their first
  7 (the check-in summary's baseline, `BASELINE_CHECKINS`), latest = the mean of their last
  7; "moved up a band" compares `band_of` of the two.
- homework adherence: the adherence rule (`app.exercises.adherence`) of all of a patient's
  assignments over the window first..as_of, as of `as_of`, computed in SQL by
  `app.exercises.adherence_sql` (held to the pure rule by tests); median and quartiles of the
  rate over the patients with something prescribed.
- booster requests made in the period by source and by their status now; sessions-equivalent:
  booster requests completed by the end, per active patient (median, quartiles).
- follow-ups at 3 and 6 months due in the period (not cancelled): answered, still working.
- PHQ-9 and GAD-7 (`app.measures.recovery`): first and last score by the end; caseness at
  the first; among patients with two or more: reliable improvement / deterioration / no
  reliable change; among those who were a case at the first: recovered.
- job support: patients who accepted a job-support link in the period; patients who started
  a job with a new employer in the period (by the end).
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from app.checkins.definition import band_of
from app.exercises.adherence import rate
from app.reports.figures_followup import follow_up_figures, measure_figures
from app.reports.queries import Bounds, Rows
from app.reports.queries_work import WEEKDAYS, WORK_MINUTES, WORK_TYPES
from app.reports.sheet import ACTIVE, Figure, Sheet
from app.reports.stats import (
    ACTUAL_STATUSES,
    RTW_STATUSES,
    actual_status,
    quartiles,
    rtw_change,
    rtw_status,
)
from app.work.grades import Day, Plan, week_grade

BANDS = ("low", "moderate", "high")
SOURCES = ("patient", "checkin_rule", "follow_up")
OUTCOMES = ("open", "scheduled", "completed", "declined", "cancelled")


def _quartile_figures(sheet: Sheet, key: str, label: str, values: list[float], base: str) -> None:
    found = quartiles(values)
    names = ("q1", "median", "q3")
    for index, name in enumerate(names):
        value = None if found is None else round(found[index], 3)
        sheet.statistic(f"{key}.{name}", f"{label}: {name}", value, base=base)


def _care(sheet: Sheet, rows: list[Any], bounds: Bounds) -> None:
    sheet.count(ACTIVE, "patients with a care link in the period", len(rows))
    started = sum(bounds.start_at <= row.first_start < bounds.end_at for row in rows)
    ended = sum(
        row.running_at_end == 0
        and row.last_end is not None
        and bounds.start_at <= row.last_end < bounds.end_at
        for row in rows
    )
    sheet.split(
        ACTIVE,
        ("patients.started", "first care link began in the period"),
        ("patients.continuing", "in treatment before the period"),
        started,
    )
    sheet.split(
        ACTIVE,
        ("patients.ended", "last care link ended in the period"),
        ("patients.in_treatment", "still in treatment at the end of the period"),
        ended,
    )


def _week_days(row: Any, dates: list[date], known: dict[tuple[int, str], Day]) -> dict[date, Day]:
    """The diary of the week as `week_grade` reads it, from a work row's pivoted days
    (`queries_work.WORK_MINUTES`, `WORK_TYPES`); equal `Day`s are one object (`known`)."""
    days: dict[date, Day] = {}
    for day, minutes, day_type in zip(dates, row[WORK_MINUTES], row[WORK_TYPES], strict=True):
        if minutes is not None:
            key = (minutes, day_type)
            entry = known.get(key)
            if entry is None:
                entry = known[key] = Day(minutes, day_type)
            days[day] = entry
    return days


def _rtw(
    sheet: Sheet,
    rows: list[Any],
    starts: dict[uuid.UUID, Any],
    bounds: Bounds,
    plan_of: Callable[[dict[str, Any]], Plan],
) -> None:
    """RTW status at the end, its change since the start, and the last complete week's actual
    work grade: one pass over the patients, each plan read once."""
    at_end: dict[str, int] = dict.fromkeys(RTW_STATUSES, 0)
    change: dict[str, int] = {"up": 0, "same": 0, "down": 0, "unknown": 0}
    actual: dict[str, int] = dict.fromkeys(ACTUAL_STATUSES, 0)
    monday = bounds.last_week
    dates = [monday + timedelta(days=d) for d in WEEKDAYS]
    known: dict[tuple[int, str], Day] = {}
    for row in rows:
        plan = plan_of(row.body) if row.body is not None else None
        kwargs = {"recorded_on": row.rtw_completed_on, "plan_return_on": row.full_return_on}
        end = rtw_status(plan, day=bounds.as_of, **kwargs)
        at_end[end] += 1
        start_day = starts[row.patient_id].first_start.date()
        if plan is not None and plan.starts_on is not None:
            start_day = max(start_day, plan.starts_on)
        moved = rtw_change(rtw_status(plan, day=start_day, **kwargs), end)
        change[moved or "unknown"] += 1
        if plan is None:
            actual[actual_status(None)] += 1
            continue
        # The week is over: every day of it is counted (today = the Monday after).
        week = week_grade(
            plan,
            _week_days(row, dates, known),
            week_start=monday,
            today=monday + timedelta(days=7),
        )
        actual[actual_status(week)] += 1
    sheet.parts(
        ACTIVE,
        [(f"rtw.end.{k}", f"RTW status at the end: {k}", v, None) for k, v in at_end.items()],
    )
    sheet.parts(
        ACTIVE,
        [(f"rtw.change.{k}", f"RTW status since start: {k}", v, None) for k, v in change.items()],
    )
    sheet.parts(
        ACTIVE,
        [
            (f"rtw.actual.{k}", f"actual work grade, week from {monday}: {k}", v, None)
            for k, v in actual.items()
        ],
    )


def _rtwse(sheet: Sheet, rows: list[Any], minimum: int) -> None:
    pairs = [(float(r.baseline), float(r.latest)) for r in rows if r.n >= minimum]
    base = sheet.split(
        ACTIVE,
        ("rtwse.patients", f"patients with at least {minimum} check-ins"),
        ("rtwse.too_few", f"patients with fewer than {minimum} check-ins"),
        len(pairs),
    )
    for name, index in (("baseline", 0), ("latest", 1)):
        value = round(statistics.fmean(p[index] for p in pairs), 2) if pairs else None
        sheet.statistic(f"rtwse.{name}_mean", f"RTW-SE {name} mean", value, base=base)
    up = sum(BANDS.index(band_of(b)) < BANDS.index(band_of(a)) for b, a in pairs)
    sheet.split(
        base,
        ("rtwse.band_up", "moved up an RTW-SE band"),
        ("rtwse.band_not_up", "stayed in or fell from their band"),
        up,
    )


def _adherence(sheet: Sheet, rows: list[Any]) -> None:
    rates = [rate(int(r.completed), int(r.prescribed)) for r in rows if r.prescribed]
    values = [value for value in rates if value is not None]
    base = sheet.split(
        ACTIVE,
        ("adherence.patients", "patients with homework prescribed in the period"),
        ("adherence.none_prescribed", "patients without homework prescribed"),
        len(values),
    )
    _quartile_figures(sheet, "adherence.rate", "homework adherence", values, base)


def _boosters(sheet: Sheet, rows: list[Any], active: int) -> None:
    made = [r for r in rows if r.in_period]
    patients: dict[str, set[uuid.UUID]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for r in made:
        for key in (f"source.{r.source}", f"outcome.{r.status}", "all"):
            patients[key].add(r.patient_id)
            counts[key] += int(r.in_period)
    total = sheet.count(
        "boosters.requests",
        "booster requests made in the period",
        counts["all"],
        len(patients["all"]),
    )
    without = sheet.count(
        "boosters.patients_without",
        "patients without a request in the period",
        active - len(patients["all"]),
    )
    sheet.group(ACTIVE, (total, without))
    for prefix, names in (("source", SOURCES), ("outcome", OUTCOMES)):
        sheet.parts(
            total,
            [
                (
                    f"boosters.{prefix}.{name}",
                    f"booster requests: {prefix} {name}",
                    counts[f"{prefix}.{name}"],
                    len(patients[f"{prefix}.{name}"]),
                )
                for name in names
            ],
        )
    sessions: dict[uuid.UUID, int] = defaultdict(int)
    for r in rows:
        sessions[r.patient_id] += int(r.completed_by_end)
    values = [float(v) for v in sessions.values()] + [0.0] * (active - len(sessions))
    _quartile_figures(
        sheet, "sessions.completed", "booster sessions completed per patient", values, ACTIVE
    )


def _patients(rows: Iterable[Any]) -> int:
    return len({row.patient_id for row in rows})


def build(
    rows: Rows, *, bounds: Bounds, minimum_checkins: int, plan_of: Callable[[dict[str, Any]], Plan]
) -> list[Figure]:
    """Every figure of the report, suppressed."""
    sheet = Sheet()
    _care(sheet, rows.care, bounds)
    starts = {row.patient_id: row for row in rows.care}
    _rtw(sheet, rows.work, starts, bounds, plan_of)
    _rtwse(sheet, rows.checkins, minimum_checkins)
    _adherence(sheet, rows.adherence)
    _boosters(sheet, rows.boosters, len(rows.care))
    follow_up_figures(sheet, rows.follow_ups, len(rows.care))
    measure_figures(sheet, rows.measures)
    sheet.split(
        ACTIVE,
        ("jobsupport.accepted", "accepted a job-support link in the period"),
        ("jobsupport.not_accepted", "did not accept a job-support link in the period"),
        _patients(rows.job_links),
    )
    sheet.split(
        ACTIVE,
        ("jobsupport.new_jobs", "started a job with a new employer in the period"),
        ("jobsupport.no_new_job", "did not start a new job in the period"),
        _patients(rows.new_jobs),
    )
    return sheet.figures()
