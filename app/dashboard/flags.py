"""The worklist's flags, as one registry: a flag is one entry, its SQL test over a patient's facts.

`FLAG_RULES` lists the flags most urgent first (the worklist's default order and the order of
every row's `flags`). Each entry names the flag and says when it is raised, as a SQL boolean over
the columns of `app.dashboard.worklist_sql`'s facts (one row per linked patient). Adding a flag
is one entry here (plus a facts column when it needs a new fact); sorting, filtering and keyset
paging follow from the registry. `app.dashboard.summary.flags_of` states the same rules in
Python for one patient's detail; tests hold the two to the same flags on hand-built caseloads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_

from app.dashboard.schemas import FLAGS, Flag
from app.dashboard.summary import NO_CHECKIN_DAYS, NO_CHECKIN_LONG_DAYS
from app.dashboard.worklist_clinical import NO_ALERT
from app.instruments.profiles import WORKPLACE_AT_LEAST
from app.jobsupport.rules import JOINT_MEETING_DAYS

# adherence_7d = completed/prescribed to 3 decimals is below LOW_ADHERENCE (0.5) exactly when
# 2000 completed < 999 prescribed (0.4995 rounds up to 0.5): integers, no rounding in SQL.
LOW_ADHERENCE = (999, 2000)

Facts = Any  # the `.c` collection of the facts subquery


def _silent_at_least(f: Facts, days: int, since_cut: str) -> ColumnElement[bool]:
    """No check-in in the last `days` local days (or never, linked before that)."""
    return or_(
        and_(f.last_checkin.isnot(None), f.last_checkin <= f.today - days),
        and_(f.last_checkin.is_(None), f.linked_at < f[since_cut]),
    )


def _joint_meeting_due(f: Facts) -> ColumnElement[bool]:
    """app.jobsupport.rules.joint_meeting_due, for a patient with an accepted counsellor."""
    return and_(
        f.job_support > 0,
        or_(
            and_(f.joint_held.is_(None), f.accepted_at < f.cut_joint),
            and_(
                f.joint_held.isnot(None),
                or_(
                    f.joint_next.is_(None),
                    f.joint_next > f.joint_held + JOINT_MEETING_DAYS,
                    f.joint_next < f.today,
                ),
            ),
        ),
    )


@dataclass(frozen=True, slots=True)
class FlagRule:
    """A flag: when it is raised, and (optionally) how rows raising it sort among themselves,
    right after the flag itself (ascending, never null)."""

    name: Flag
    raised: Callable[[Facts], ColumnElement[bool]]
    then_by: Callable[[Facts], list[ColumnElement[Any]]] = lambda f: []


FLAG_RULES: tuple[FlagRule, ...] = (
    # above everything; among these rows an overdue alert first, then the oldest alert first
    FlagRule(
        "risk",
        lambda f: f.risk_oldest.isnot(None),
        then_by=lambda f: [
            case((f.risk_oldest < f.overdue_before, 0), else_=1),
            func.coalesce(f.risk_oldest, literal(NO_ALERT, f.risk_oldest.type)),
        ],
    ),
    # it changes the plan ("is it the workplace or the person?"): above the slipping signals
    FlagRule(
        "workplace_conflict",
        lambda f: and_(f.workplace_rating.isnot(None), f.workplace_rating >= WORKPLACE_AT_LEAST),
    ),
    FlagRule("no_checkin_7d", lambda f: _silent_at_least(f, NO_CHECKIN_LONG_DAYS, "cut_7d")),
    FlagRule(
        "no_checkin_3d",
        lambda f: and_(
            _silent_at_least(f, NO_CHECKIN_DAYS, "cut_3d"),
            ~_silent_at_least(f, NO_CHECKIN_LONG_DAYS, "cut_7d"),
        ),
    ),
    FlagRule("low_rtw_se", lambda f: f.low_rtw_se > 0),
    FlagRule("measure_overdue", lambda f: f.measures_overdue > 0),
    FlagRule(
        "low_adherence",
        lambda f: and_(
            f.prescribed_7d > 0,
            LOW_ADHERENCE[1] * f.completed_7d < LOW_ADHERENCE[0] * f.prescribed_7d,
        ),
    ),
    FlagRule("booster_open", lambda f: f.open_boosters > 0),
    FlagRule("follow_up_due", lambda f: f.follow_ups_due > 0),
    FlagRule("joint_meeting_due", _joint_meeting_due),
    FlagRule("dialogue_meeting_soon", lambda f: f.meeting_soon > 0),
    FlagRule("review_due", lambda f: f.review_due),
    FlagRule(
        "status_check_due",
        lambda f: and_(f.status_check_day.isnot(None), f.status_check_day <= f.today),
    ),
)
if tuple(rule.name for rule in FLAG_RULES) != FLAGS:  # pragma: no cover
    raise RuntimeError("FLAG_RULES must list every flag of FLAGS, in that order")
