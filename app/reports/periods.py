"""The reporting period: a calendar month (`2026-11`) or a quarter (`2026-Q4`), pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2]|Q[1-4])$"
_MONTH = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(20\d{2})-Q([1-4])$")


@dataclass(frozen=True, slots=True)
class Period:
    """A period of local dates `first..last` (inclusive), labelled as it was asked for."""

    label: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def parse_period(text: str) -> Period:
    """`YYYY-MM` -> that month; `YYYY-Qn` -> months 3n-2..3n. ValueError for anything else."""
    month = _MONTH.match(text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        return Period(text, date(year, number, 1), _month_end(year, number))
    quarter = _QUARTER.match(text)
    if quarter:
        year, number = int(quarter.group(1)), int(quarter.group(2))
        return Period(text, date(year, 3 * number - 2, 1), _month_end(year, 3 * number))
    raise ValueError(f"not a month (YYYY-MM) or a quarter (YYYY-Qn): {text!r}")
