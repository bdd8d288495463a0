"""The worklist's check-in facts per patient in one read of their recent check-ins.

`recent_checkins` reads a patient's check-ins after the booster rule's window opens (through
the covering (patient_id, local_date) INCLUDE (score) key: index-only) and packs two answers
into one value: the latest of their days (a day number) times two, plus 1 when the rule's low
test holds (app.boosters.rule.is_low: enough check-ins in the window up to today and their
mean below the threshold; no check-in, no mean: 0). `last_checkin` and `low_rtw_se` split it
again; the latest check-in of a patient with none in that window is read on its own (a patient
who checked in lately needs no second read).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric, and_, case, cast, func, select

from app.checkins.models import checkin_table
from app.core.sqldays import epoch_day

_c = checkin_table.c


def recent_checkins(
    patient: Any,
    *,
    today_date: Any,
    after: Any,
    not_before: Any,
    min_checkins: Any,
    low_threshold: Any,
) -> Any:
    """Latest check-in day after `after` (a date; any later day counts, also past today) x 2
    + the low test over (after, today_date]; null when there is no check-in after `after`.
    `not_before` is a bound date at or before every patient's `after` (narrows the index)."""
    in_window = _c.local_date <= today_date
    score = func.round(cast(_c.score, Numeric), 6)
    low = and_(
        func.count(case((in_window, 1))) >= min_checkins,
        func.round(func.avg(case((in_window, score))), 6) < low_threshold,
    )
    return (
        select(epoch_day(func.max(_c.local_date)) * 2 + case((low, 1), else_=0))
        .where(_c.patient_id == patient, _c.local_date > not_before, _c.local_date > after)
        .scalar_subquery()
    )


def last_checkin(recent: Any, patient: Any) -> Any:
    """The latest check-in's day number (null: never): from the recent read, else its own."""
    ever = select(epoch_day(func.max(_c.local_date))).where(_c.patient_id == patient)
    return func.coalesce(recent // 2, ever.scalar_subquery())


def low_rtw_se(recent: Any) -> Any:
    """1 when the booster rule's low test holds, else 0."""
    return func.coalesce(recent % 2, 0)
