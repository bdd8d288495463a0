"""The worklist in the database: every linked patient's facts and flags, sorted and cut to one
page by keyset, in one statement whatever the caseload (so a page never loads the caseload).

Local dates are day numbers (app.core.sqldays); each patient's local today, and the instants
their "3 and 7 local days ago" began, come from their time zone, computed in Python for the
few zones of the caseload and passed in as CASE expressions (so the clock is the app's clock,
and the SQL is the same on PostgreSQL and SQLite).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Numeric,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, Date, Integer

from app.accounts.models import user_table
from app.boosters.models import booster_request_table, booster_rule_table, follow_up_table
from app.boosters.rule import RuleParams
from app.care.models import care_link_table
from app.checkins.models import checkin_table
from app.core.sqldays import day_number, epoch_day, name_key
from app.core.time import local_today, zone
from app.dashboard.flags import FLAG_RULES
from app.dashboard.worklist_work import work_facts
from app.exercises.adherence_sql import adherence_totals
from app.jobsupport.rules import JOINT_MEETING_DAYS
from app.measures.models import measure_response_table, measure_schedule_table, risk_alert_table
from app.measures.windows import ANSWER_WINDOW_DAYS
from app.work.models import rtw_plan_table

_u = user_table.c
_cl = care_link_table.c
_o = booster_rule_table.c
_c = checkin_table.c
_b = booster_request_table.c
_f = follow_up_table.c
_p = rtw_plan_table.c
_ra = risk_alert_table.c
_ms = measure_schedule_table.c
_mr = measure_response_table.c
NO_ALERT = datetime(1970, 1, 1, tzinfo=UTC)  # the risk sort key of rows without an alert
MAX_RULE_WINDOW = 90  # the booster rule's window_days is at most 90 (app.core.config)
ADHERENCE_DAYS = 7


@dataclass(frozen=True, slots=True)
class ZoneDays:
    """One time zone's local today and the instants its days `today - 2`, `today - 6` and
    `today - 31` began (a counsellor accepted before the last, more than 31 local days back,
    with no joint meeting yet: `joint_meeting_due`)."""

    today: date
    cut_3d: datetime
    cut_7d: datetime
    cut_joint: datetime


def zone_days(zones: Sequence[str], now: datetime) -> dict[str, ZoneDays]:
    """Each zone's today and the starts of its 3- and 7-day silence windows, as instants."""
    found = {}
    for name in zones:
        today = local_today(name, now=now)
        tz = zone(name)

        def start(day: date, tz: Any = tz) -> datetime:
            return datetime.combine(day, time(0), tz).astimezone(UTC)

        found[name] = ZoneDays(
            today,
            start(today - timedelta(days=2)),
            start(today - timedelta(days=6)),
            start(today - timedelta(days=JOINT_MEETING_DAYS)),
        )
    return found


class review_due_of(FunctionElement[bool]):  # noqa: N801  # an SQL expression, named like one
    """True when the patient's plan has a stage review due by `today` (app.work.reviews):
    the last stage (by position) whose review date has come was not recorded as held."""

    type = Boolean()
    inherit_cache = True
    name = "review_due_of"


@compiles(review_due_of, "postgresql")
def _review_pg(element: review_due_of, compiler: SQLCompiler, **kw: Any) -> str:
    patient, today = (compiler.process(c, **kw) for c in element.clauses)
    return (
        "coalesce((SELECT s->>'reviewed_on' IS NULL FROM rtw_plans r, "  # noqa: S608 (clauses)
        "json_array_elements(r.body->'stages') WITH ORDINALITY e(s, i) "
        f"WHERE r.patient_id = {patient} AND coalesce((s->>'review_on')::date, "
        f"(s->>'starts_on')::date + 14) <= {today} ORDER BY i DESC LIMIT 1), false)"
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


def _by_zone(zones: Mapping[str, ZoneDays], pick: Any, type_: Any, fallback: Any) -> Any:
    if not zones:  # no linked patient: a CASE without a WHEN is not SQL
        return literal(fallback, type_)
    return case(
        *[(_u.timezone == name, literal(pick(days), type_)) for name, days in zones.items()],
        else_=literal(fallback, type_),
    )


def _measures_overdue(patient: Any, today: Any) -> Any:
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


def _risk(patient: Any, overdue_before: datetime) -> list[Any]:
    """Unacknowledged alerts, whether one is overdue (0/1), and when the oldest opened."""
    open_alert = and_(_ra.patient_id == patient, _ra.acknowledged_at.is_(None))
    return [
        select(func.count()).where(open_alert).scalar_subquery().label("risk_alerts"),
        case((exists().where(open_alert, _ra.created_at < overdue_before), 1), else_=0).label(
            "risk_overdue"
        ),
        func.coalesce(
            select(func.min(_ra.created_at)).where(open_alert).scalar_subquery(),
            literal(NO_ALERT, _ra.created_at.type),
        ).label("risk_oldest_at"),
    ]


def facts(
    *,
    therapist_id: uuid.UUID,
    zones: Mapping[str, ZoneDays],
    defaults: RuleParams,
    now: datetime,
    overdue_before: datetime,
) -> Any:
    """One row per linked patient: who, their local today and every fact a flag tests."""
    utc = zone_days(["UTC"], now)["UTC"]
    today = _by_zone(zones, lambda z: day_number(z.today), Integer(), day_number(utc.today))
    today_date = _by_zone(zones, lambda z: z.today, Date(), utc.today)
    stamp = _cl.created_at.type
    latest = max([z.today for z in zones.values()] + [utc.today])
    earliest = min([z.today for z in zones.values()] + [utc.today])
    base = (
        select(
            _u.id,
            _u.display_name,
            _u.timezone,
            name_key(_u.display_name).label("name_key"),
            today.label("today"),
            today_date.label("today_date"),
            _cl.created_at.label("linked_at"),
            _by_zone(zones, lambda z: z.cut_3d, stamp, utc.cut_3d).label("cut_3d"),
            _by_zone(zones, lambda z: z.cut_7d, stamp, utc.cut_7d).label("cut_7d"),
            _by_zone(zones, lambda z: z.cut_joint, stamp, utc.cut_joint).label("cut_joint"),
            func.coalesce(_o.window_days, defaults.window_days).label("window_days"),
            func.coalesce(_o.min_checkins, defaults.min_checkins).label("min_checkins"),
            func.round(
                cast(func.coalesce(_o.low_threshold, defaults.low_threshold), Numeric), 6
            ).label("low_threshold"),
        )
        .select_from(care_link_table)
        .join(user_table, _u.id == _cl.patient_id)
        .outerjoin(booster_rule_table, _o.patient_id == _u.id)
        .where(_cl.therapist_id == therapist_id, _cl.ended_at.is_(None))
        .cte("linked")
    )
    p = base.c
    in_rule_window = and_(
        _c.patient_id == p.id,
        _c.local_date <= latest,
        _c.local_date > earliest - timedelta(days=MAX_RULE_WINDOW),
        epoch_day(_c.local_date) <= p.today,
        epoch_day(_c.local_date) > p.today - p.window_days,
    )
    adherence = adherence_totals(
        base,
        back=ADHERENCE_DAYS,
        first_day=earliest - timedelta(days=ADHERENCE_DAYS + 6),
        last_day=latest,
        name="adh7",
    )
    return (
        select(
            base,
            select(epoch_day(func.max(_c.local_date)))
            .where(_c.patient_id == p.id)
            .scalar_subquery()
            .label("last_checkin"),
            select(func.round(func.avg(func.round(cast(_c.score, Numeric), 6)), 6))
            .where(in_rule_window)
            .scalar_subquery()
            .label("rule_mean"),
            select(func.count()).where(in_rule_window).scalar_subquery().label("rule_checkins"),
            func.coalesce(adherence.c.prescribed, 0).label("prescribed_7d"),
            func.coalesce(adherence.c.completed, 0).label("completed_7d"),
            case((exists().where(_b.patient_id == p.id, _b.status == "open"), 1), else_=0).label(
                "open_boosters"
            ),
            case(
                (
                    exists().where(
                        _f.patient_id == p.id,
                        _f.status == "pending",
                        _f.due_on <= latest,
                        epoch_day(_f.due_on) <= p.today,
                    ),
                    1,
                ),
                else_=0,
            ).label("follow_ups_due"),
            review_due_of(p.id, p.today_date).label("review_due"),
            _measures_overdue(p.id, p.today).label("measures_overdue"),
            *_risk(p.id, overdue_before),
            *work_facts(p, earliest=earliest, latest=latest),
        )
        .select_from(base)
        .outerjoin(adherence, adherence.c.patient_id == p.id)
        .subquery("facts")
    )


def flagged(facts_query: Any) -> Any:
    """The facts with one 0/1 column per flag (`f_<name>`)."""
    f = facts_query.c
    return select(
        facts_query,
        *[case((rule.raised(f), 1), else_=0).label(f"f_{rule.name}") for rule in FLAG_RULES],
    ).subquery("flagged")


def sort_keys(rows: Any, sort: str) -> list[ColumnElement[Any]]:
    """The page order, ascending, unique (the id breaks ties)."""
    r = rows.c
    if sort == "flags":  # raised (0) first, each flag's own tie-break right after it
        urgency = [
            key for rule in FLAG_RULES for key in [1 - r[f"f_{rule.name}"], *rule.then_by(r)]
        ]
        return [*urgency, r.name_key, r.id]
    if sort == "last_checkin":  # longest without a check-in first; never (-1) before all
        return [func.coalesce(r.last_checkin, -1), r.name_key, r.id]
    return [r.name_key, r.id]


def adherence_of(
    patient_ids: Sequence[uuid.UUID], zones: Mapping[str, ZoneDays], *, back: int, now: datetime
) -> Select[Any]:
    """(patient_id, prescribed, completed) over `back` days for a few patients (one page)."""
    utc = zone_days(["UTC"], now)["UTC"]
    today = _by_zone(zones, lambda z: day_number(z.today), Integer(), day_number(utc.today))
    days = [z.today for z in zones.values()] + [utc.today]
    patients = (
        select(_u.id, today.label("today"))
        .where(_u.id.in_(list(patient_ids)))
        .subquery("page_patients")
    )
    totals = adherence_totals(
        patients,
        back=back,
        first_day=min(days) - timedelta(days=back + 6),
        last_day=max(days),
        name=f"adh{back}",
    )
    return select(totals)


def page_query(
    rows: Any, *, sort: str, flag: str | None, after: Sequence[Any] | None, limit: int
) -> Select[Any]:
    """One page (and one row more, to know whether another page follows)."""
    keys = sort_keys(rows, sort)
    query = select(rows, *[key.label(f"k{i}") for i, key in enumerate(keys)])
    if flag is not None:
        query = query.where(rows.c[f"f_{flag}"] == 1)
    if after is not None:
        values = [literal(value, key.type) for key, value in zip(keys, after, strict=True)]
        query = query.where(tuple_(*keys) > tuple_(*values))
    return query.order_by(*keys).limit(limit + 1)
