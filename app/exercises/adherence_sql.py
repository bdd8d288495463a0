"""The adherence rule of `app.exercises.adherence` as one set-based SQL expression.

`adherence_totals` gives, for every patient of a `patients` selectable (columns `id` and
`today`, the patient's local today as a day number, see app.core.sqldays), the prescribed and
completed occurrences of all their assignments over the `back` days before today and today --
the numbers `compute` sums for the worklist's `adherence_7d` and `adherence_28d`. It restates
rules 1-7 of that module day by day (one row per assignment and day, from the Monday of the
window's first day to the Sunday of this week); tests/test_adherence_sql.py holds the two to
the same figures on randomized plans and logs (hypothesis), so they cannot drift apart.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

from app.core.sqldays import epoch_day, least, monday_of
from app.exercises.models import assignment_table, dose_table, exercise_log_table

_a = assignment_table.c
_d = dose_table.c
_l = exercise_log_table.c


def _zero(value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(value, 0)


def adherence_totals(
    patients: FromClause, *, back: int, first_day: date, last_day: date, name: str
) -> Subquery:
    """(patient_id, prescribed, completed) over the `back` days before today and today.

    `first_day`..`last_day` bound the log dates read (the earliest Monday of any patient's
    window to the latest today), so the log index serves the scan.
    """
    span = back + 13  # the window's Monday to this week's Sunday, at most
    cal = select(literal(0, Integer).label("k")).cte(f"{name}_cal", recursive=True)
    cal = cal.union_all(select((cal.c.k + 1).label("k")).where(cal.c.k < span - 1))
    today = patients.c.today
    first = monday_of(today - back)
    plans = (
        select(
            _a.id.label("aid"),
            _a.patient_id,
            _a.exercise_kind,
            epoch_day(_a.starts_on).label("s"),
            epoch_day(_a.ends_on).label("e"),
            today.label("today"),
            (first + cal.c.k).label("d"),
        )
        .select_from(patients)
        .join(assignment_table, _a.patient_id == patients.c.id)
        .join(cal, first + cal.c.k <= monday_of(today) + 6)
        .cte(f"{name}_days")
    )
    doses = (
        select(
            _d.assignment_id,
            epoch_day(_d.effective_from).label("since"),
            epoch_day(
                func.lead(_d.effective_from).over(
                    partition_by=_d.assignment_id, order_by=_d.effective_from
                )
            ).label("until"),
            _d.times_per_day,
            _d.times_per_week,
            _d.paused,
        )
        .where(_d.assignment_id.in_(select(plans.c.aid)))
        .subquery(f"{name}_doses")
    )
    read = and_(
        _l.patient_id == patients.c.id,
        _l.local_date >= first_day,
        _l.local_date <= last_day,
    )
    day = epoch_day(_l.local_date).label("day")
    # logs linked to an assignment count for it whatever their kind (one row per day) ...
    linked = (
        select(_l.assignment_id, day, func.count().label("n"))
        .select_from(patients)
        .join(exercise_log_table, and_(read, _l.assignment_id.isnot(None)))
        .group_by(_l.assignment_id, _l.local_date)
        .subquery(f"{name}_linked")
    )
    # ... unlinked ones for every assignment of their kind whose dates hold them
    loose = (
        select(_l.patient_id, _l.exercise_kind, day, func.count().label("n"))
        .select_from(patients)
        .join(exercise_log_table, and_(read, _l.assignment_id.is_(None)))
        .group_by(_l.patient_id, _l.exercise_kind, _l.local_date)
        .subquery(f"{name}_loose")
    )
    d, n, w = plans.c.d, doses.c.times_per_day, doses.c.times_per_week
    count = _zero(linked.c.n) + _zero(loose.c.n)
    days = (
        select(
            plans.c.aid,
            plans.c.patient_id,
            plans.c.today,
            d.label("d"),
            monday_of(d).label("m"),
            n.label("n"),
            w.label("w"),
            count.label("c"),
        )
        .select_from(plans)
        .join(
            doses,
            and_(
                doses.c.assignment_id == plans.c.aid,
                doses.c.since <= d,
                or_(doses.c.until.is_(None), d < doses.c.until),
                ~doses.c.paused,
            ),
        )
        .outerjoin(linked, and_(linked.c.assignment_id == plans.c.aid, linked.c.day == d))
        .outerjoin(
            loose,
            and_(
                loose.c.patient_id == plans.c.patient_id,
                loose.c.exercise_kind == plans.c.exercise_kind,
                loose.c.day == d,
            ),
        )
        .where(d >= plans.c.s, or_(plans.c.e.is_(None), d <= plans.c.e))
        .subquery(f"{name}_active")
    )
    c, t = days.c.c, days.c.today
    weekly_so_far = and_(days.c.w.isnot(None), days.c.d <= t)
    daily_in_window = and_(days.c.n.isnot(None), days.c.d >= t - back, days.c.d <= t)
    weeks = (
        select(
            days.c.patient_id,
            t.label("today"),
            days.c.m,
            func.sum(case((weekly_so_far, 1), else_=0)).label("wdays"),
            ((2 * _zero(func.sum(days.c.w)) + 7) // 14).label("share"),
            func.sum(case((weekly_so_far, c), else_=0)).label("done"),
            func.sum(
                case(
                    (daily_in_window, case((days.c.d < t, days.c.n), else_=least(c, days.c.n))),
                    else_=0,
                )
            ).label("dp"),
            func.sum(case((daily_in_window, least(c, days.c.n)), else_=0)).label("dc"),
        )
        .group_by(days.c.aid, days.c.patient_id, t, days.c.m)
        .subquery(f"{name}_weeks")
    )
    got = least(weeks.c.done, weeks.c.share)
    return (
        select(
            weeks.c.patient_id,
            func.sum(
                weeks.c.dp
                + case(
                    (weeks.c.wdays == 0, 0),
                    (weeks.c.m + 6 < weeks.c.today, weeks.c.share),
                    else_=got,
                )
            ).label("prescribed"),
            func.sum(weeks.c.dc + case((weeks.c.wdays == 0, 0), else_=got)).label("completed"),
        )
        .group_by(weeks.c.patient_id)
        .subquery(name)
    )
