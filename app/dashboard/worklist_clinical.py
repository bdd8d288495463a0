"""The worklist's clinical facts per patient, as SQL expressions on the patient's id and local
today (a day number): a stage review due (from the RTW plan's stored review switches), a
scheduled measure overdue, open risk alerts. Used by `app.dashboard.worklist_sql.facts`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean

from app.core.sqldays import epoch_day
from app.measures.models import measure_response_table, measure_schedule_table, risk_alert_table
from app.measures.windows import ANSWER_WINDOW_DAYS

_ra = risk_alert_table.c
_ms = measure_schedule_table.c
_mr = measure_response_table.c
NO_ALERT = datetime(1970, 1, 1, tzinfo=UTC)  # the risk sort key of rows without an alert


class review_due_of(FunctionElement[bool]):  # noqa: N801  # an SQL expression, named like one
    """True when the plan's review is due on `today` (a day number), read from the plan's
    stored `review_switches` (app.work.reviews.review_switches, written with the plan): an
    odd number of switch days on or before today. No plan (NULL): false."""

    type = Boolean()
    inherit_cache = True
    name = "review_due_of"


@compiles(review_due_of, "postgresql")
def _review_pg(element: review_due_of, compiler: SQLCompiler, **kw: Any) -> str:
    switches, today = (compiler.process(c, **kw) for c in element.clauses)
    # width_bucket over a sorted array: how many of its elements are <= today (a binary search)
    return f"coalesce(width_bucket({today}, {switches}) % 2 = 1, false)"


@compiles(review_due_of, "sqlite")
def _review_sqlite(element: review_due_of, compiler: SQLCompiler, **kw: Any) -> str:
    switches, today = (compiler.process(c, **kw) for c in element.clauses)
    return (
        "(SELECT count(*) % 2 = 1 FROM json_each("  # noqa: S608 (compiled clauses)
        f"{switches}) WHERE json_each.value <= {today})"
    )


def measures_overdue(patient: Any, today: Any) -> Any:
    """1 when a scheduled measure's current occurrence is past its answer window unanswered
    (app.measures.windows.due_status), else 0."""
    start = epoch_day(_ms.starts_on)
    due = start + (today - start) // _ms.every_days * _ms.every_days
    window = case((_ms.every_days < ANSWER_WINDOW_DAYS, _ms.every_days), else_=ANSWER_WINDOW_DAYS)
    answered = (
        select(epoch_day(func.max(_mr.local_date)))
        .where(_mr.patient_id == _ms.patient_id, _mr.measure == _ms.measure)
        .scalar_subquery()
    )
    overdue = exists().where(
        _ms.patient_id == patient,
        today >= start,
        today > due + window - 1,
        (answered.is_(None)) | (answered < due),
    )
    return case((overdue, 1), else_=0)


def risk_facts(patient: Any) -> list[Any]:
    """When the oldest unacknowledged alert opened (null: none). The flag and its order
    follow from it (`app.dashboard.flags`): an alert is open when there is an oldest one, and
    one is overdue exactly when the oldest is."""
    open_alert = and_(_ra.patient_id == patient, _ra.acknowledged_at.is_(None))
    return [
        select(func.min(_ra.created_at)).where(open_alert).scalar_subquery().label("risk_oldest")
    ]
