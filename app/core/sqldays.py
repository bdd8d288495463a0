"""Date arithmetic in SQL that reads the same on PostgreSQL and SQLite: local dates as day
numbers (days since 1970-01-01), so windows, weeks and offsets are integer arithmetic.

1970-01-01 was a Thursday: the ISO weekday of day number n is (n + 3) % 7 + 1, and the
Monday of its week is n - (n + 3) % 7 (for dates after 1970, the only ones we store).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """The day number of a date (what `epoch_day` gives in SQL)."""
    return (day - EPOCH).days


class epoch_day(FunctionElement[int]):  # noqa: N801  # an SQL function, named like one
    """`epoch_day(some_date_column)`: the day number of a DATE value."""

    type = Integer()
    inherit_cache = True
    name = "epoch_day"


@compiles(epoch_day, "postgresql")
def _epoch_day_pg(element: epoch_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(epoch_day, "sqlite")
def _epoch_day_sqlite(element: epoch_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


class name_key(FunctionElement[str]):  # noqa: N801
    """The sort key of a name: lower case, compared code point by code point."""

    type = String()
    inherit_cache = True
    name = "name_key"


@compiles(name_key, "postgresql")
def _name_key_pg(element: name_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f'lower({compiler.process(element.clauses, **kw)}) COLLATE "C"'


@compiles(name_key, "sqlite")
def _name_key_sqlite(element: name_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def monday_of(day: ColumnElement[int]) -> ColumnElement[int]:
    """The day number of the Monday of a day number's ISO week."""
    return day - (day + 3) % 7


def least(a: ColumnElement[int], b: ColumnElement[int]) -> ColumnElement[int]:
    """min(a, b) of two non-null integers (PostgreSQL's LEAST is SQLite's two-argument min)."""
    return case((a < b, a), else_=b)


def day_literal(day: date) -> ColumnElement[int]:
    """A date as a bound day number."""
    return literal(day_number(day), Integer)


class highest(FunctionElement[int]):  # noqa: N801  # an SQL function, named like one
    """The largest of several non-null integers (GREATEST on PostgreSQL, max() on SQLite)."""

    type = Integer()
    inherit_cache = True
    name = "highest"


class lowest(FunctionElement[int]):  # noqa: N801
    """The smallest of several non-null integers (LEAST on PostgreSQL, min() on SQLite)."""

    type = Integer()
    inherit_cache = True
    name = "lowest"


@compiles(highest)
def _highest_pg(element: highest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(highest, "sqlite")
def _highest_sqlite(element: highest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(lowest)
def _lowest_pg(element: lowest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(lowest, "sqlite")
def _lowest_sqlite(element: lowest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


class days_before(FunctionElement[date]):  # noqa: N801
    """`days_before(a_date, n)`: the DATE n days before a DATE (usable in an index condition)."""

    type = Date()
    inherit_cache = True
    name = "days_before"


@compiles(days_before)
def _days_before_pg(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"({day} - {days})"


@compiles(days_before, "sqlite")
def _days_before_sqlite(element: days_before, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({day}, '-' || ({days}) || ' days')"


class day_date(FunctionElement[date]):  # noqa: N801
    """`day_date(n)`: the DATE of a day number (usable in an index condition on a DATE)."""

    type = Date()
    inherit_cache = True
    name = "day_date"


@compiles(day_date)
def _day_date_pg(element: day_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(DATE '1970-01-01' + ({compiler.process(element.clauses, **kw)}))"


@compiles(day_date, "sqlite")
def _day_date_sqlite(element: day_date, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date(({compiler.process(element.clauses, **kw)}) + 2440587.5)"
