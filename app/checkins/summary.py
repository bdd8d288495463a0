"""Check-in summaries: one patient's means, baseline and streak; set-based stats for many."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.care.access import PatientScope
from app.checkins.definition import band_of
from app.checkins.models import checkin_table
from app.checkins.questionnaire import current_version
from app.checkins.schemas import CheckinSummary
from app.checkins.service import patient_timezone
from app.core.among import DIALECTS, among_bound, dialect_of
from app.core.time import local_today
from app.instruments.models import questionnaire_version_table

_c = checkin_table.c
_q = questionnaire_version_table.c
_u = user_table.c
BASELINE_CHECKINS = 7
STREAK_LOOKBACK_DAYS = 366


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def streak(dates: set[date], *, today: date) -> int:
    """Consecutive days with a check-in ending today (or yesterday, while today is open)."""
    day = today if today in dates else today - timedelta(days=1)
    count = 0
    while day in dates:
        count += 1
        day -= timedelta(days=1)
    return count


async def summary(session: AsyncSession, *, patient_id: uuid.UUID, timezone: str) -> CheckinSummary:
    """7- and 28-day means, baseline, change, band, streak and the last check-in (3 queries)."""
    today = local_today(timezone)
    rows = (
        await session.execute(
            select(_c.local_date, _c.score).where(
                _c.patient_id == patient_id,
                _c.local_date > today - timedelta(days=STREAK_LOOKBACK_DAYS),
                _c.local_date <= today,
            )
        )
    ).all()
    last = (
        select(_c.local_date, _c.score, _c.questionnaire_id)
        .where(_c.patient_id == patient_id)
        .order_by(_c.local_date.desc())
        .limit(1)
        .subquery()
    )
    # The baseline belongs to the questionnaire version of the latest check-in.
    first = (
        select(_c.score)
        .where(
            _c.patient_id == patient_id,
            _c.questionnaire_id == select(last.c.questionnaire_id).scalar_subquery(),
        )
        .order_by(_c.local_date)
        .limit(BASELINE_CHECKINS)
        .subquery()
    )
    head = (
        await session.execute(
            select(
                select(func.avg(first.c.score)).scalar_subquery().label("baseline"),
                select(func.count()).select_from(first).scalar_subquery().label("baseline_n"),
                select(last.c.local_date).scalar_subquery().label("last_on"),
                select(last.c.score).scalar_subquery().label("last_score"),
                select(_q.version)
                .where(_q.id == select(last.c.questionnaire_id).scalar_subquery())
                .scalar_subquery()
                .label("last_version"),
            )
        )
    ).one()
    current = await current_version(session)
    week = [r.score for r in rows if r.local_date > today - timedelta(days=7)]
    month = [r.score for r in rows if r.local_date > today - timedelta(days=28)]
    mean_7d, mean_28d = _mean(week), _mean(month)
    baseline = round(float(head.baseline), 4) if head.baseline_n >= BASELINE_CHECKINS else None
    change = round(mean_7d - baseline, 4) if mean_7d is not None and baseline is not None else None
    return CheckinSummary(
        as_of=today,
        mean_7d=mean_7d,
        checkins_7d=len(week),
        mean_28d=mean_28d,
        checkins_28d=len(month),
        baseline=baseline,
        baseline_version=head.last_version if baseline is not None else None,
        change_from_baseline=change,
        band=band_of(mean_7d) if mean_7d is not None else None,
        streak_days=streak({r.local_date for r in rows}, today=today),
        last_checkin_on=head.last_on,
        last_score=head.last_score,
        illustrative=current.definition.metadata.illustrative,
    )


async def summary_for_therapist(session: AsyncSession, *, scope: PatientScope) -> CheckinSummary:
    """The same summary of a linked patient, in the patient's time zone."""
    timezone = await patient_timezone(session, patient_id=scope.patient_id)
    return await summary(session, patient_id=scope.patient_id, timezone=timezone)


@dataclass(frozen=True, slots=True)
class CheckinStats:
    last_checkin_on: date | None
    mean_7d: float | None
    checkins_7d: int
    previous_mean_7d: float | None
    previous_checkins_7d: int
    scores: dict[date, float]  # every score of the `lookback_days` ending today


# Built once per dialect. A correlated max per patient is one index probe each, whatever the
# length of history.
_LAST_MANY = {
    d: select(
        _u.id,
        select(func.max(_c.local_date)).where(_c.patient_id == _u.id).scalar_subquery(),
    ).where(among_bound(_u.id, "patient_ids", d))
    for d in DIALECTS
}
_RECENT_MANY = {
    d: select(_c.patient_id, _c.local_date, _c.score).where(
        among_bound(_c.patient_id, "patient_ids", d),
        _c.local_date >= bindparam("earliest", type_=Date()),
        _c.local_date <= bindparam("latest", type_=Date()),
    )
    for d in DIALECTS
}


def split_recent(
    recent: list[tuple[date, float]], *, today: date, lookback_days: int
) -> tuple[list[float], list[float], dict[date, float]]:
    """The scores of the 7 days ending `today`, of the 7 before, and every score of the
    `lookback_days` ending today: one pass, each in the rows' order (so a mean adds up its
    scores in the same order whatever the form)."""
    this: list[float] = []
    prev: list[float] = []
    scores: dict[date, float] = {}
    week_ago = today - timedelta(days=7)
    two_weeks_ago = today - timedelta(days=14)
    first = today - timedelta(days=lookback_days - 1)
    for d, s in recent:
        if d > today:
            continue
        if d > week_ago:
            this.append(s)
        elif d > two_weeks_ago:
            prev.append(s)
        if d >= first:
            scores[d] = s
    return this, prev, scores


async def checkin_stats_for_patients(
    session: AsyncSession,
    *,
    today_by_patient: Mapping[uuid.UUID, date],
    lookback_days: int = 14,
    last_on: Mapping[uuid.UUID, date | None] | None = None,
) -> dict[uuid.UUID, CheckinStats]:
    """For many patients in two queries: last check-in, this and the previous 7-day mean, and
    the scores of the last `lookback_days` (at least 14) local days. In one query when the
    caller already knows each patient's last check-in date (`last_on`: the worklist's page
    statement read it).

    `today_by_patient` maps each patient to their local today (their dates differ by zone).
    """
    ids = list(today_by_patient)
    if not ids:
        return {}
    lookback_days = max(lookback_days, 14)
    dialect = dialect_of(session)
    if last_on is None:
        last_rows = await session.execute(_LAST_MANY[dialect], {"patient_ids": ids})
        last_on = {patient_id: day for patient_id, day in last_rows.all()}
    earliest = min(today_by_patient.values()) - timedelta(days=lookback_days - 1)
    latest = max(today_by_patient.values())
    rows = await session.execute(
        _RECENT_MANY[dialect], {"patient_ids": ids, "earliest": earliest, "latest": latest}
    )
    recent: dict[uuid.UUID, list[tuple[date, float]]] = {pid: [] for pid in ids}
    for patient_id, day, score in rows.all():
        recent[patient_id].append((day, score))
    stats = {}
    for pid, today in today_by_patient.items():
        this, prev, scores = split_recent(recent[pid], today=today, lookback_days=lookback_days)
        stats[pid] = CheckinStats(
            last_checkin_on=last_on.get(pid),
            mean_7d=_mean(this),
            checkins_7d=len(this),
            previous_mean_7d=_mean(prev),
            previous_checkins_7d=len(prev),
            scores=scores,
        )
    return stats
