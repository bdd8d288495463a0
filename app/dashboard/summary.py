"""Worklist rows for many patients at once, from a fixed number of set-based queries.

Every number comes from another domain's set-based service function and that domain's own
pure rule, so a row agrees with the detail endpoints: the one-value-per-patient facts 1
(app.dashboard.summary_head: the current questionnaire, booster counts, risk alerts, the
latest barriers and status check, the first and latest measures, the RTW plan), booster-rule
parameters 1, check-ins 2, adherence 2 (one load covers both the 7- and the 28-day window),
the work diary 1, due follow-ups 1, due measures 1, work-focused therapy 2, joint meetings
due 2 -- 13 in all, whatever the number of patients or the length of their history (plus one
per questionnaire or measure version never read before by this worker, to know whether its
wording is illustrative). When the worklist's page statement already gave the adherence, the
flags, the last check-in and the rule's window: 7.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.followup_answers import due_follow_ups
from app.boosters.rule import RuleParams, is_low, window_mean
from app.boosters.rule_service import params_for_patients
from app.checkins.definition import band_of
from app.checkins.questionnaire import current_version
from app.checkins.summary import checkin_stats_for_patients
from app.core.time import local_today, to_local_date, utcnow
from app.dashboard.schemas import (
    FLAGS,
    BoosterCounts,
    Flag,
    PatientSummary,
)
from app.dashboard.summary_head import read_heads
from app.dashboard.summary_parts import (
    alert_counts,
    illustrative_versions,
    measure_brief,
    week_brief,
    work_focus_brief,
)
from app.exercises.adherence import DayCount, Plan, compute, rate
from app.exercises.adherence_service import load_day_counts, load_plans, loading_window
from app.instruments.store import version_by_id
from app.jobsupport.meetings import joint_meetings_due
from app.measures.queries import measures_for_patients
from app.work.summary import work_at_a_glance
from app.workfocus.queries import PatientWorkFocus, workfocus_for_patients

NO_CHECKIN_DAYS = 3  # none of the last 3 local days (today included) has a check-in
NO_CHECKIN_LONG_DAYS = 7  # none of the last 7
LOW_ADHERENCE = 0.5  # flag when under half of the last 7 days' prescribed exercises were done
ADHERENCE_DAYS = (7, 28)  # the days before today in each window (today's sessions are a bonus)


@dataclass(frozen=True, slots=True)
class Known:
    """What the worklist's SQL already computed for a row: its adherence and its flags, the
    last check-in date and the booster rule's window in force (not read again)."""

    adherence_7d: float | None
    adherence_28d: float | None
    flags: list[Flag]
    last_checkin_on: date | None
    window_days: int


@dataclass(frozen=True, slots=True)
class Who:
    """Whom a summary is about, and since when they are in the therapist's care."""

    id: uuid.UUID
    display_name: str
    timezone: str
    linked_since: datetime | None = None


def _adherence(
    plans: Sequence[Plan], days: Sequence[DayCount], *, before: int, today: date
) -> float | None:
    """The adherence rule over the `before` days before today and today."""
    prescribed = completed = 0
    for plan in plans:
        result = compute(
            plan, days, window_start=today - timedelta(days=before), window_end=today, today=today
        )
        prescribed += result.prescribed
        completed += result.completed
    return rate(completed, prescribed)


def _silent_for(row: PatientSummary, linked_on: date | None) -> int | None:
    """Days since the last check-in (or since the link began, if never); None if unknown."""
    since = row.last_checkin_on or linked_on
    return None if since is None else (row.local_date - since).days


def flags_of(
    row: PatientSummary,
    *,
    linked_on: date | None,
    low_rtw_se: bool,
    review_due: bool,
    measure_overdue: bool,
    work: PatientWorkFocus,
    joint_meeting_due: bool,
) -> list[Flag]:
    """The row's flags, most urgent first (see PatientSummary)."""
    raised: set[Flag] = set()
    if row.risk_alerts.unacknowledged > 0:
        raised.add("risk")
    if work.workplace_conflict:
        raised.add("workplace_conflict")
    silent = _silent_for(row, linked_on)
    if silent is not None and silent >= NO_CHECKIN_LONG_DAYS:
        raised.add("no_checkin_7d")
    elif silent is not None and silent >= NO_CHECKIN_DAYS:
        raised.add("no_checkin_3d")
    if low_rtw_se:
        raised.add("low_rtw_se")
    if measure_overdue:
        raised.add("measure_overdue")
    if row.adherence_7d is not None and row.adherence_7d < LOW_ADHERENCE:
        raised.add("low_adherence")
    if row.booster_requests.open > 0:
        raised.add("booster_open")
    if row.follow_ups_due > 0:
        raised.add("follow_up_due")
    if joint_meeting_due:
        raised.add("joint_meeting_due")
    if work.dialogue_meeting_soon:
        raised.add("dialogue_meeting_soon")
    if review_due:
        raised.add("review_due")
    if work.status_check_due:
        raised.add("status_check_due")
    return [flag for flag in FLAGS if flag in raised]


async def summaries_for_patients(
    session: AsyncSession,
    *,
    patients: Sequence[Who],
    rule_defaults: RuleParams,
    risk_ack: timedelta,
    known: Mapping[uuid.UUID, Known] | None = None,
    now: datetime | None = None,
) -> list[PatientSummary]:
    """One summary per patient, in the order given, from 13 statements in all (7 when the
    worklist's SQL already gave each patient's adherence, flags, last check-in and rule
    window in `known`).

    A risk alert unacknowledged for longer than `risk_ack` (at `now`) counts as overdue."""
    if not patients:
        return []
    today = {p.id: local_today(p.timezone) for p in patients}
    ids = list(today)
    earliest, latest = min(today.values()), max(today.values())
    if known is None:
        params = await params_for_patients(session, patient_ids=ids, defaults=rule_defaults)
    else:
        # Only the window is read (`window_mean`): the low test's answer is in the flags.
        windows = {
            days: replace(rule_defaults, window_days=days)
            for days in {given.window_days for given in known.values()}
        }
        params = {pid: windows[given.window_days] for pid, given in known.items()}
    lookback = max(p.window_days for p in params.values())
    stats = await checkin_stats_for_patients(
        session,
        today_by_patient=today,
        lookback_days=lookback,
        last_on=None
        if known is None
        else {pid: given.last_checkin_on for pid, given in known.items()},
    )
    overdue_before = (now or utcnow()) - risk_ack
    heads = await read_heads(session, patient_ids=ids, overdue_before=overdue_before)
    current = next((head.questionnaire_id for head in heads.values()), None)
    questionnaire = (
        await current_version(session)  # none loaded: its 503
        if current is None
        else await version_by_id(session, version_id=current)
    )
    illustrative = questionnaire.definition.metadata.illustrative
    plans: dict[uuid.UUID, list[Plan]] = {}
    counts: dict[uuid.UUID, list[DayCount]] = {}
    if known is None:
        load_from, load_to = loading_window(earliest - timedelta(days=max(ADHERENCE_DAYS)), latest)
        _, plans = await load_plans(
            session, patient_ids=ids, window_start=load_from, window_end=load_to
        )
        counts = await load_day_counts(
            session, patient_ids=ids, window_start=load_from, window_end=load_to
        )
    work = await work_at_a_glance(
        session,
        today_by_patient=today,
        plans={p: h.plan for p, h in heads.items() if h.plan is not None},
    )
    follow_ups = await due_follow_ups(session, today_by_patient=today)
    measures = await measures_for_patients(
        session,
        today_by_patient=today,
        overdue_before=overdue_before,
        alerts={p: h.alerts for p, h in heads.items()},
        latest={p: h.measures for p, h in heads.items()},
    )
    work_focus = await workfocus_for_patients(
        session, today_by_patient=today, latest={p: h.latest for p, h in heads.items()}
    )
    joint_due = (
        set() if known is not None else await joint_meetings_due(session, today_by_patient=today)
    )
    wording = await illustrative_versions(session, measures.values())
    rows = []
    for who in patients:
        day, stat, mine = today[who.id], stats[who.id], params[who.id]
        plans_of, days = plans.get(who.id, []), counts.get(who.id, [])
        mean, previous = stat.mean_7d, stat.previous_mean_7d
        rule_mean, rule_count = window_mean(stat.scores, today=day, params=mine)
        glance = work.get(who.id)
        given = None if known is None else known[who.id]
        found, head = measures[who.id], heads[who.id]
        row = PatientSummary(
            patient_id=who.id,
            display_name=who.display_name,
            local_date=day,
            last_checkin_on=stat.last_checkin_on,
            rtw_se_mean_7d=mean,
            rtw_se_checkins_7d=stat.checkins_7d,
            rtw_se_band=band_of(mean) if mean is not None else None,
            rtw_se_change_7d=None
            if mean is None or previous is None
            else round(mean - previous, 4),
            rtw_se_rule_mean=None if rule_mean is None else float(rule_mean),
            illustrative=illustrative,
            adherence_7d=_adherence(plans_of, days, before=ADHERENCE_DAYS[0], today=day)
            if given is None
            else given.adherence_7d,
            adherence_28d=_adherence(plans_of, days, before=ADHERENCE_DAYS[1], today=day)
            if given is None
            else given.adherence_28d,
            work_week=week_brief(glance),
            booster_requests=BoosterCounts(
                open=head.booster_open, scheduled=head.booster_scheduled
            ),
            follow_ups_due=len(follow_ups[who.id]),
            phq9=measure_brief(found.latest.get("phq9"), wording),
            gad7=measure_brief(found.latest.get("gad7"), wording),
            risk_alerts=alert_counts(found),
            work_focus=work_focus_brief(work_focus[who.id]),
            flags=[],
        )
        if given is not None:
            row.flags = given.flags
            rows.append(row)
            continue
        row.flags = flags_of(
            row,
            linked_on=None
            if who.linked_since is None
            else to_local_date(who.linked_since, who.timezone),
            low_rtw_se=is_low(rule_mean, rule_count, mine),
            review_due=glance is not None and glance.review_due,
            measure_overdue=found.measure_overdue,
            work=work_focus[who.id],
            joint_meeting_due=who.id in joint_due,
        )
        rows.append(row)
    return rows
