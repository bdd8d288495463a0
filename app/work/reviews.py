"""Plan-stage reviews, pure: when each stage is reviewed and which review is due next.

DESIGN.md: a graded plan is reviewed about two weeks into each stage. Every stage has its own
review date (`review_on`, default: its start + 14 days, which for a two-week stage is the
day the next one starts) and may record when the review took place (`reviewed_on`).

A stage's review is *open* while it has not taken place and no later stage's review date has
come (a later review that is due supersedes an older one that was never held). The plan's
`next_review_on` is the earliest open review date: in the past while that review is overdue,
else the next one ahead. The review is *due* from that day on, until it is recorded as held
or a later stage's review date supersedes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from app.core.sqldays import day_number
from app.work.grades import Plan, Stage

REVIEW_AFTER = timedelta(days=14)


def default_review_on(stage: Stage) -> date:
    """The stage's own review date, or its start + 14 days."""
    return stage.review_on or stage.starts_on + REVIEW_AFTER


def stage_in_force(stages: Sequence[Stage], day: date) -> int | None:
    """The index of the stage in force on `day`, or None before the first stage."""
    found = None
    for index, stage in enumerate(stages):
        if stage.starts_on > day:
            break
        found = index
    return found


def next_review_on(plan: Plan, *, today: date) -> date | None:
    """The earliest open review date (rules in the module docstring)."""
    dates = [default_review_on(stage) for stage in plan.stages]
    open_dates = [
        review_on
        for index, (stage, review_on) in enumerate(zip(plan.stages, dates, strict=True))
        if stage.reviewed_on is None and not any(later <= today for later in dates[index + 1 :])
    ]
    return min(open_dates, default=None)


def review_due(plan: Plan | None, *, today: date) -> bool:
    """True from the next open review's date on (until it is held or superseded)."""
    if plan is None:
        return False
    upcoming = next_review_on(plan, today=today)
    return upcoming is not None and upcoming <= today


def review_switches(plan: Plan) -> list[int]:
    """The days (day numbers, days since 1970-01-01) on which `review_due` changes value,
    ascending: the review is due on a day exactly when an odd number of them fall on or
    before it. Stored with the plan (`rtw_plans.review_switches`) so the worklist reads a
    column instead of the plan's stages (issue 12).

    `review_due` is false before the earliest review date and can change only on a review
    date (the open reviews and the comparison with today both change only there), so its
    value on each distinct review date, in order, gives every switch."""
    switches: list[int] = []
    due = False
    for day in sorted({default_review_on(stage) for stage in plan.stages}):
        if review_due(plan, today=day) != due:
            due = not due
            switches.append(day_number(day))
    return switches
