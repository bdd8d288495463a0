"""Clock and local-date helpers: timestamps are UTC, daily things use the patient's local date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    """True when `name` is an IANA zone such as `Europe/Oslo`."""
    return name in _zone_names()


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """A cached ZoneInfo."""
    return ZoneInfo(name)


def local_today(timezone: str, *, now: datetime | None = None) -> date:
    """Today's date on the wall clock of `timezone`."""
    return (now or utcnow()).astimezone(zone(timezone)).date()


def to_local_date(moment: datetime, timezone: str) -> date:
    """The local calendar date of an instant."""
    return moment.astimezone(zone(timezone)).date()


def days_before(day: date, days: int) -> date:
    """`day` minus `days`, stopping at the first date there is (no overflow on odd input)."""
    return day - timedelta(days=min(days, (day - date.min).days))
