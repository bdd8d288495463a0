"""The worklist's clinical facts per patient, as SQL expressions on the patient's id and local
today (a day number): a stage review due (from the RTW plan's JSON), a scheduled measure
overdue, open risk alerts. Used by `app.dashboard.worklist_sql.facts`.
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
    """True when the patient's plan has a stage review due by `today` (app.work.reviews):
    the last stage (by position) whose review date has come was not recorded as held."""

    type = Boolean()
    inherit_cache = True
    name = "review_due_of"


@compiles(review_due_of, "postgresql")
def _review_pg(element: review_due_of, compiler: SQLCompiler, **kw: Any) -> str:
    patient, today = (compiler.process(c, **kw) for c in element.clauses)
    # json_to_recordset parses each stage once into typed columns (the ->> of every field
    # parsed the stage's text again: about twice the time per patient)
    return (
        "coalesce((SELECT s.reviewed_on IS NULL FROM rtw_plans r, "  # noqa: S608 (clauses)
        "ROWS FROM (json_to_recordset(r.body->'stages') "
        "AS (starts_on date, review_on date, reviewed_on date)) "
        "WITH ORDINALITY s(starts_on, review_on, reviewed_on, i) "
        f"WHERE r.patient_id = {patient} AND coalesce(s.review_on, s.starts_on + 14) "
        f"<= {today} ORDER BY s.i DESC LIMIT 1), false)"
    )


@compiles(review_due_of, "sqlite")
def _review_sqlite(element: review_due_of, compiler: SQLCompiler, **kw: Any) -> str:
    patient, today = (compiler.process(c, **kw) for c in element.clauses)
    return (
        "coalesce((SELECT json_extract(e.value, '$.reviewed_on') IS NULL "  # noqa: S608
        "FROM rtw_plans r, "
        "json_each(r.body, '$.stages') e "
        f"WHERE r.patient_id = {patient} AND coalesce(json_extract(e.value, '$.review_on'), "
        "date(json_extract(e.value, '$.starts_on'), '+14 days')) <= "
        f"{today} ORDER BY e.key DESC LIMIT 1), 0)"
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
