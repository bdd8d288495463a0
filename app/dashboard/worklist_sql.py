"""The worklist in the database: every linked patient's facts and flags, sorted and cut to one
page by keyset, in one statement whatever the caseload (so a page never loads the caseload).

Local dates are day numbers (app.core.sqldays); each patient's local today comes from their
time zone (app.dashboard.worklist_zones); the clinical facts (review due, measures overdue,
risk alerts) are app.dashboard.worklist_clinical's, the work facts app.dashboard.worklist_work's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Numeric,
    Select,
    case,
    cast,
    exists,
    func,
    select,
    tuple_,
)
from sqlalchemy.types import Date, Integer

from app.accounts.models import user_table
from app.boosters.models import booster_request_table, booster_rule_table, follow_up_table
from app.boosters.rule import RuleParams
from app.care.models import care_link_table
from app.checkins.models import checkin_table
from app.core.among import among_bound
from app.core.sqldays import day_number, days_before, epoch_day, name_key
from app.dashboard.flags import FLAG_RULES
from app.dashboard.worklist_checkins import last_checkin, low_rtw_se, recent_checkins
from app.dashboard.worklist_clinical import measures_overdue, review_due_of, risk_facts
from app.dashboard.worklist_work import job_support_columns, job_support_join, work_facts
from app.dashboard.worklist_zones import PREFIX, ZoneDays, zone_days
from app.dashboard.worklist_zones import bound as _bound
from app.dashboard.worklist_zones import by_zone as _by_zone
from app.exercises.adherence_sql import adherence_totals
from app.jobsupport.models import job_support_link_table
from app.work.models import rtw_plan_table
from app.workfocus.queries import SOON_DAYS

__all__ = ["PREFIX", "ZoneDays", "adherence_statement", "page_statement", "zone_days"]

_u = user_table.c
_cl = care_link_table.c
_o = booster_rule_table.c
_c = checkin_table.c
_b = booster_request_table.c
_f = follow_up_table.c
_p = rtw_plan_table.c
MAX_RULE_WINDOW = 90  # the booster rule's window_days is at most 90 (app.core.config)
ADHERENCE_DAYS = 7
PAGE_ADHERENCE_DAYS = 28


def facts(*, zones: int) -> Any:
    """One row per linked patient: who, their local today and every fact a flag tests.

    Everything that changes between requests is a bound parameter (`statement_params`), so
    the statement is built once per shape and reused (building it cost more CPU than running
    the rest of the request)."""
    today = _by_zone(zones, "today", Integer())
    today_date = _by_zone(zones, "today_date", Date())
    stamp = _cl.created_at.type
    latest = _bound("latest", Date())
    window = func.coalesce(_o.window_days, _bound("window_days", Integer()))
    rule_after = days_before(today_date, window)
    min_checkins = func.coalesce(_o.min_checkins, _bound("min_checkins", Integer()))
    low_threshold = func.round(
        cast(func.coalesce(_o.low_threshold, _bound("low_threshold", Float())), Numeric), 6
    )
    base = (
        select(
            _u.id,
            _u.display_name,
            _u.timezone,
            name_key(_u.display_name).label("name_key"),
            today.label("today"),
            today_date.label("today_date"),
            _cl.created_at.label("linked_at"),
            # the plan's review, from its stored switch days (no plan: not due)
            review_due_of(_p.review_switches, today).label("review_due"),
            _bound("overdue_before", stamp).label("overdue_before"),
            _by_zone(zones, "cut_3d", stamp).label("cut_3d"),
            _by_zone(zones, "cut_7d", stamp).label("cut_7d"),
            _by_zone(zones, "cut_joint", stamp).label("cut_joint"),
            window.label("window_days"),
            # the latest check-in and the booster rule's low test in one read of the window
            recent_checkins(
                _u.id,
                today_date=today_date,
                after=rule_after,
                not_before=_bound("rule_from", Date()),
                min_checkins=min_checkins,
                low_threshold=low_threshold,
            ).label("recent_checkins"),
            *job_support_columns(),
        )
        .select_from(care_link_table)
        .join(user_table, _u.id == _cl.patient_id)
        .outerjoin(booster_rule_table, _o.patient_id == _u.id)
        .outerjoin(rtw_plan_table, _p.patient_id == _u.id)
        .outerjoin(job_support_link_table, job_support_join(_u.id))
        .where(
            _cl.therapist_id == _bound("therapist_id", _cl.therapist_id.type),
            _cl.ended_at.is_(None),
        )
        .cte("linked")
    )
    p = base.c
    adherence = adherence_totals(
        base,
        back=ADHERENCE_DAYS,
        first_day=_bound("adherence_from", Date()),
        last_day=latest,
        name="adh7",
    )
    # pending follow-ups (one is due by today exactly when the first is), found once for the
    # caseload and joined
    pending = (
        select(_f.patient_id, func.min(_f.due_on).label("first_due"))
        .where(_f.status == "pending", _f.due_on <= latest, _f.patient_id.in_(select(p.id)))
        .group_by(_f.patient_id)
        .subquery("pending_follow_ups")
    )
    work, latest_rows = work_facts(
        p, earliest=_bound("earliest", Date()), latest_soon=_bound("latest_soon", Date())
    )
    query = (
        select(
            base,
            last_checkin(p.recent_checkins, p.id).label("last_checkin"),
            low_rtw_se(p.recent_checkins).label("low_rtw_se"),
            func.coalesce(adherence.c.prescribed, 0).label("prescribed_7d"),
            func.coalesce(adherence.c.completed, 0).label("completed_7d"),
            case((exists().where(_b.patient_id == p.id, _b.status == "open"), 1), else_=0).label(
                "open_boosters"
            ),
            case((epoch_day(pending.c.first_due) <= p.today, 1), else_=0).label("follow_ups_due"),
            measures_overdue(p.id, p.today).label("measures_overdue"),
            *risk_facts(p.id),
            *work,
        )
        .select_from(base)
        .outerjoin(adherence, adherence.c.patient_id == p.id)
    )
    for rows in [pending, *latest_rows]:
        query = query.outerjoin(rows, rows.c.patient_id == p.id)
    return query.cte("facts").prefix_with("MATERIALIZED", dialect="postgresql")


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


@lru_cache(maxsize=32)
def adherence_statement(zones: int, back: int, dialect: str) -> Select[Any]:
    """(patient_id, prescribed, completed) over `back` days for the bound `ids` (one page)."""
    patients = (
        select(_u.id, _by_zone(zones, "today", Integer()).label("today"))
        .where(among_bound(_u.id, PREFIX + "ids", dialect))
        .subquery("page_patients")
    )
    totals = adherence_totals(
        patients,
        back=back,
        first_day=_bound("page_adherence_from", Date()),
        last_day=_bound("latest", Date()),
        name=f"adh{back}",
    )
    return select(totals)


@lru_cache(maxsize=64)
def page_statement(zones: int, sort: str, flag: str | None, keyset: bool) -> Select[Any]:
    """The worklist statement of one shape (cached): one page and one row more, to know
    whether another page follows; `after_i` bind the cursor's key, `limit` the page size."""
    rows = flagged(facts(zones=zones))
    keys = sort_keys(rows, sort)
    query = select(rows, *[key.label(f"k{i}") for i, key in enumerate(keys)])
    if flag is not None:
        query = query.where(rows.c[f"f_{flag}"] == 1)
    if keyset:
        after = [_bound(f"after_{i}", key.type) for i, key in enumerate(keys)]
        query = query.where(tuple_(*keys) > tuple_(*after))
    return query.order_by(*keys).limit(_bound("limit", Integer()))


def statement_params(
    *,
    therapist_id: uuid.UUID,
    zones: Mapping[str, ZoneDays],
    defaults: RuleParams,
    now: datetime,
    overdue_before: datetime,
) -> dict[str, Any]:
    """The bound values of `page_statement` and `adherence_statement` for one request."""
    utc = zone_days(["UTC"], now)["UTC"]
    days = [z.today for z in zones.values()] + [utc.today]
    values: dict[str, Any] = {
        "therapist_id": therapist_id,
        "window_days": defaults.window_days,
        "min_checkins": defaults.min_checkins,
        "low_threshold": defaults.low_threshold,
        "overdue_before": overdue_before,
        "latest": max(days),
        "earliest": min(days),
        "latest_soon": max(days) + timedelta(days=SOON_DAYS),
        "rule_from": min(days) - timedelta(days=MAX_RULE_WINDOW),
        "adherence_from": min(days) - timedelta(days=ADHERENCE_DAYS + 6),
        "page_adherence_from": min(days) - timedelta(days=PAGE_ADHERENCE_DAYS + 6),
    }
    named = [(f"{i}", name, z) for i, (name, z) in enumerate(zones.items())]
    for suffix, name, z in [*named, ("utc", None, utc)]:
        if name is not None:
            values[f"zone_{suffix}"] = name
        values[f"today_{suffix}"] = day_number(z.today)
        values[f"today_date_{suffix}"] = z.today
        values[f"cut_3d_{suffix}"] = z.cut_3d
        values[f"cut_7d_{suffix}"] = z.cut_7d
        values[f"cut_joint_{suffix}"] = z.cut_joint
    return {PREFIX + name: value for name, value in values.items()}
