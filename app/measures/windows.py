"""When a scheduled measure is due, and whether an answer came on time: pure date arithmetic.

A schedule (every N days from a start date) makes occurrences due on start, start + N,
start + 2N, …, in the patient's local dates. Each occurrence is answered on time from its due
date through `ANSWER_WINDOW_DAYS` days (the due day counts as the first). An answer on a later
date, before the next occurrence falls due, still counts for that occurrence but is `late`;
after the window an unanswered occurrence is `overdue` until it is answered or the next one is
due (a missed one is simply missed: the next occurrence replaces it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

ANSWER_WINDOW_DAYS = 3
DueStatus = Literal["due", "overdue"]


@dataclass(frozen=True, slots=True)
class Occurrence:
    due_on: date
    answer_by: date  # the last local date an answer is on time
    next_due_on: date


def occurrence(*, starts_on: date, every_days: int, day: date) -> Occurrence | None:
    """The occurrence `day` falls in (None before the schedule starts)."""
    if day < starts_on:
        return None
    periods = (day - starts_on).days // every_days
    due_on = starts_on + timedelta(days=periods * every_days)
    window = min(ANSWER_WINDOW_DAYS, every_days)
    return Occurrence(
        due_on=due_on,
        answer_by=due_on + timedelta(days=window - 1),
        next_due_on=due_on + timedelta(days=every_days),
    )


def is_late(found: Occurrence, answered_on: date) -> bool:
    """Answered after the occurrence's window."""
    return answered_on > found.answer_by


def due_status(
    *, starts_on: date, every_days: int, today: date, last_answered_on: date | None
) -> tuple[Occurrence, DueStatus] | None:
    """The open occurrence and whether it is `due` or `overdue`; None when nothing is open
    (the schedule has not started, or the current occurrence is answered)."""
    found = occurrence(starts_on=starts_on, every_days=every_days, day=today)
    if found is None:
        return None
    if last_answered_on is not None and last_answered_on >= found.due_on:
        return None
    return found, "overdue" if today > found.answer_by else "due"
