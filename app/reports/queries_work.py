"""The outcome report's work statement: per caseload patient the return-to-work plan, the
return to work recorded, and the last complete week's diary pivoted to one row (the rows
app.reports.figures grades with `week_grade`). One of the statements of app.reports.queries.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.sql.selectable import Subquery

from app.boosters.models import rtw_completion_table
from app.work.models import rtw_plan_table, work_diary_table

_w = work_diary_table.c
WEEKDAYS = range(7)  # the last complete week's days, Monday (0) to Sunday (6)


def _last_week(cases: Subquery, monday: date) -> Subquery:
    """The diary of the week from `monday` (`Bounds.last_week`), one row per patient with an
    entry that week: `minutes_<d>` and `type_<d>` of day d (Monday 0 .. Sunday 6), NULL on a
    day without an entry (both columns are NOT NULL, one entry per patient and day). One row
    per patient instead of one per entry: ~5 times fewer rows to read and keep."""
    on = [_w.local_date == monday + timedelta(days=d) for d in WEEKDAYS]
    return (
        select(
            _w.patient_id,
            *(func.max(case((on[d], _w.worked_minutes))).label(f"minutes_{d}") for d in WEEKDAYS),
            *(func.max(case((on[d], _w.day_type))).label(f"type_{d}") for d in WEEKDAYS),
        )
        .where(
            _w.patient_id.in_(select(cases.c.id)),
            _w.local_date >= monday,
            _w.local_date <= monday + timedelta(days=6),
        )
        .group_by(_w.patient_id)
        .subquery("last_week")
    )


def work_rows(cases: Subquery, monday: date) -> Select[Any]:
    """Per caseload patient: the plan, the return to work recorded, and the diary of the week
    from `monday` (`WORK_MINUTES` and `WORK_TYPES` are those columns' positions in a row)."""
    _p, _r = rtw_plan_table.c, rtw_completion_table.c
    week = _last_week(cases, monday)
    return (
        select(
            cases.c.id.label("patient_id"),
            _p.body,
            _p.full_return_on,
            _r.rtw_completed_on,
            *(week.c[f"minutes_{d}"] for d in WEEKDAYS),
            *(week.c[f"type_{d}"] for d in WEEKDAYS),
        )
        .select_from(cases)
        .outerjoin(rtw_plan_table, _p.patient_id == cases.c.id)
        .outerjoin(rtw_completion_table, _r.patient_id == cases.c.id)
        .outerjoin(week, week.c.patient_id == cases.c.id)
    )


WORK_MINUTES = slice(4, 4 + len(WEEKDAYS))
WORK_TYPES = slice(4 + len(WEEKDAYS), 4 + 2 * len(WEEKDAYS))
