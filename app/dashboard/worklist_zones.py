"""The worklist's time zones: each patient's local today, and the instants their "3 and 7
local days ago" began, computed in Python for the few zones of a caseload and bound into the
statement as CASE expressions (so the clock is the app's clock, and the SQL is the same on
PostgreSQL and SQLite). Every value a statement binds is named `wl_<name>` (`bound`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, case

from app.accounts.models import user_table
from app.core.time import local_today, zone
from app.jobsupport.rules import JOINT_MEETING_DAYS

_u = user_table.c


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


def by_zone(zones: int, field: str, type_: Any) -> Any:
    """The caller's value of `field` for the patient's time zone (bound `zone_i`/`field_i`,
    `field_utc` for a zone not in the list)."""
    if not zones:  # no linked patient: a CASE needs at least one WHEN
        return bound(f"{field}_utc", type_)
    return case(
        *[
            (
                _u.timezone == bound(f"zone_{i}", _u.timezone.type),
                bound(f"{field}_{i}", type_),
            )
            for i in range(zones)
        ],
        else_=bound(f"{field}_utc", type_),
    )


PREFIX = "wl_"  # bound names of their own (SQLAlchemy names anonymous ones after columns)


def bound(name: str, type_: Any) -> Any:
    return bindparam(PREFIX + name, type_=type_)
