"""The adherence rule of `app.exercises.adherence` as one set-based SQL expression.

`adherence_totals` gives, for every patient of a `patients` selectable (columns `id` and
`today`, the patient's local today as a day number, see app.core.sqldays), the prescribed and
completed occurrences of all their assignments over the `back` days before today and today --
the numbers `compute` sums for the worklist's `adherence_7d` and `adherence_28d` and the
report's adherence over a period. tests/test_adherence_sql.py holds the two to the same
figures on randomized plans and logs (hypothesis), so they cannot drift apart.

It does arithmetic over dose *ranges* instead of walking the calendar. With t = today, ws =
t - back (the window's first day), M0 = the Monday of ws, Mt = the Monday of t, and a *segment*
= one dose row's days clipped to the assignment's dates and to M0..Mt+6 (pauses are no
segment), rules 4-5 of the pure module become:

- daily dose n, prescribed: n x (the segment's days in ws..t-1) -- every day before today --
  plus, for today, what was done (min(logs, n)); completed: min(logs(d), n) summed over the
  segment's days in ws..t.
- weekly dose w: share(W) = half up of (sum over segments of w x days of the segment in W) / 7.
  A week strictly inside one segment has share w; only a segment's first and last week (its
  *pieces*) can be shared with another segment, so the closed weeks' prescribed share is
  w x (the segment's middle weeks) plus share(W) of each closed piece week. Every week but
  the current one is closed (the window ends today). completed: min(done(W), share(W)) of the
  weeks with logs (done = logs on weekly-dose days of W up to today, from its Monday, before
  the window's first day too); the current week's prescribed equals its completed.

Integer arithmetic throughout: half up of S / 7 is (2S + 7) div 14.

The logs are read per segment, on its days only (a daily segment from ws, a weekly one from
its first day), through the (patient_id, local_date) index, which covers the other columns:
a daily segment's done is a correlated subquery counting per day, a weekly segment's logs are
counted per week. So no set of every (assignment, day) with logs is joined to the segments:
the planner cannot estimate its size, and at clinic scale its guess (a sorted merge join of
tens of thousands of rows) cost more than reading the logs (docs/notes/issue-12-wlsql.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from app.core.sqldays import day_date, epoch_day, highest, lowest, monday_of
from app.exercises.models import assignment_table, dose_table, exercise_log_table

_a = assignment_table.c
_d = dose_table.c
_l = exercise_log_table.c
NEVER = 1_000_000  # a day number after every stored date (the year 4707): "no end"
PACK = 1 << 32  # today's done packed above a segment's window done (which is far below it)


def _zero() -> ColumnElement[int]:
    return literal_column("0", Integer)


def _share(days: ColumnElement[int]) -> ColumnElement[int]:
    """Half up of `days` / 7, `days` being a sum of w x days: a week's share."""
    return (2 * days + 7) // 14


def adherence_totals(
    patients: FromClause, *, back: int, first_day: date, last_day: date, name: str
) -> Subquery:
    """(patient_id, prescribed, completed) over the `back` days before today and today.

    `first_day`..`last_day` bound the log dates read (the earliest Monday of any patient's
    window to the latest today), so the log index serves the scan.
    """
    t = patients.c.today
    plans = (
        select(
            _a.id.label("aid"),
            _a.patient_id,
            _a.exercise_kind.label("kind"),
            t.label("t"),
            epoch_day(_a.starts_on).label("s"),
            func.coalesce(epoch_day(_a.ends_on), NEVER).label("e"),
        )
        .select_from(patients)
        .join(assignment_table, _a.patient_id == patients.c.id)
        # one starting after today or ending before the window's Monday counts nothing
        .where(
            epoch_day(_a.starts_on) <= t,
            func.coalesce(epoch_day(_a.ends_on), NEVER) >= monday_of(t - back),
        )
        .cte(f"{name}_plans")
    )
    doses = (
        select(
            _d.assignment_id,
            epoch_day(_d.effective_from).label("since"),
            func.coalesce(
                epoch_day(
                    func.lead(_d.effective_from).over(
                        partition_by=_d.assignment_id, order_by=_d.effective_from
                    )
                )
                - 1,
                NEVER,
            ).label("until"),
            _d.times_per_day,
            _d.times_per_week,
            _d.paused,
        )
        .where(_d.assignment_id.in_(select(plans.c.aid)))
        .subquery(f"{name}_doses")
    )
    p = plans.c
    lo = highest(doses.c.since, p.s, monday_of(p.t - back))
    hi = lowest(doses.c.until, p.e, monday_of(p.t) + 6)

    def logs_of(row: Any, since: ColumnElement[int], until: ColumnElement[int]) -> Select[Any]:
        """The segment's logs on its days since..until: linked to its assignment (whatever
        their kind) or unlinked and of its kind, read through the (patient_id, local_date)
        index, which covers the other columns (one short index range per segment). `row`
        has the segment's patient_id, aid and kind."""
        return select(_l.local_date).where(
            _l.patient_id == row.patient_id,
            _l.local_date >= first_day,
            _l.local_date <= last_day,
            _l.local_date >= day_date(since),
            _l.local_date <= day_date(until),
            or_(
                _l.assignment_id == row.aid,
                and_(_l.assignment_id.is_(None), _l.exercise_kind == row.kind),
            ),
        )

    # A daily segment's done, in one read of its days in the window (ws..t): the window's
    # sum of min(logs(d), n) plus PACK x today's min(logs(t), n) (today is in the window
    # exactly when it is one of the segment's days). Split again in `by_segment`.
    n = doses.c.times_per_day
    per_day = (
        logs_of(p, highest(lo, p.t - back), lowest(hi, p.t))
        .with_only_columns(epoch_day(_l.local_date).label("d"), func.count().label("c"))
        .group_by(_l.local_date)
        .correlate(plans, doses)
        .subquery()
    )
    capped = lowest(per_day.c.c, n)
    packed = (
        select(
            cast(
                func.coalesce(func.sum(capped * case((per_day.c.d == p.t, PACK + 1), else_=1)), 0),
                BigInteger,
            )
        )
        .correlate(plans, doses)
        .scalar_subquery()
    )
    segments = (
        select(
            p.aid,
            p.patient_id,
            p.t,
            lo.label("lo"),
            hi.label("hi"),
            monday_of(lo).label("ml"),
            monday_of(hi).label("mh"),
            n.label("n"),
            doses.c.times_per_week.label("w"),
            p.kind,
            case((n.isnot(None), packed), else_=0).label("done"),
        )
        .select_from(plans)
        .join(doses, and_(doses.c.assignment_id == p.aid, ~doses.c.paused))
        .where(lo <= hi)
        .cte(f"{name}_segments")
    )
    g = segments.c

    # per segment: the daily days before today in the window (and today's done), the weekly
    # middle weeks; completed: a daily segment's done in the window (a weekly one's done is 0)
    daily_days = highest(lowest(g.hi, g.t - 1) - highest(g.lo, g.t - back) + 1, 0)
    today_done = g.done // PACK
    middle_weeks = highest((g.mh - g.ml) // 7 - 1, 0)
    by_segment = select(
        g.patient_id,
        (
            func.coalesce(g.n * daily_days, 0) + today_done + func.coalesce(g.w * middle_weeks, 0)
        ).label("prescribed"),
        (g.done % PACK).label("completed"),
    )
    # the first and last week of each weekly segment, with its w x days there
    weekly = g.w.isnot(None)
    head = select(
        g.patient_id,
        g.aid,
        g.t,
        g.ml.label("m"),
        (g.w * (lowest(g.hi, g.ml + 6) - g.lo + 1)).label("wd"),
    ).where(weekly)
    tail = select(
        g.patient_id, g.aid, g.t, g.mh.label("m"), (g.w * (g.hi - g.mh + 1)).label("wd")
    ).where(weekly, g.mh > g.ml)
    pieces = union_all(head, tail).subquery(f"{name}_pieces")
    piece_weeks = (
        select(
            pieces.c.patient_id,
            pieces.c.aid,
            pieces.c.t,
            pieces.c.m,
            func.sum(pieces.c.wd).label("wd"),
        )
        .group_by(pieces.c.patient_id, pieces.c.aid, pieces.c.t, pieces.c.m)
        .cte(f"{name}_piece_weeks")
    )
    pw = piece_weeks.c
    closed_pieces = select(
        pw.patient_id, _share(pw.wd).label("prescribed"), _zero().label("completed")
    ).where(pw.m + 6 < pw.t)
    # the weekly segments' logs per week (done(W) sums a week's weekly-dose days up to today,
    # across the assignment's segments): read per weekly segment, nothing when there is none
    m = monday_of(epoch_day(_l.local_date))
    log_weeks = (
        select(
            g.patient_id,
            g.aid,
            g.t,
            m.label("m"),
            func.count().label("done"),
            func.max(g.w).label("w"),
        )
        .select_from(segments)
        .join(exercise_log_table, logs_of(g, g.lo, lowest(g.hi, g.t)).whereclause)
        .where(weekly)
        .group_by(g.patient_id, g.aid, g.t, m)
        .subquery(f"{name}_log_weeks")
    )
    lw = log_weeks.c
    got = lowest(lw.done, _share(func.coalesce(pw.wd, 7 * lw.w)))
    weekly_logs = (
        select(
            lw.patient_id,
            case((lw.m + 6 >= lw.t, got), else_=0).label("prescribed"),
            got.label("completed"),
        )
        .select_from(log_weeks)
        .outerjoin(piece_weeks, and_(pw.aid == lw.aid, pw.m == lw.m))
    )
    parts = union_all(by_segment, closed_pieces, weekly_logs).subquery(f"{name}_parts")
    return (
        select(
            parts.c.patient_id,
            func.sum(parts.c.prescribed).label("prescribed"),
            func.sum(parts.c.completed).label("completed"),
        )
        .group_by(parts.c.patient_id)
        .subquery(name)
    )
