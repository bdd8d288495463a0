"""`column IN (values)` in the form each dialect compiles once (issue 12).

SQLAlchemy renders an IN list as an *expanding* parameter: one placeholder per value, rendered
again on every execution (with a type cast each on PostgreSQL), which cost the worklist ~9 ms of
CPU per request for its 50-patient page. On PostgreSQL the list travels as ONE array parameter
instead (`column = ANY($1::UUID[])`), so the compiled statement is reused as it is. SQLite has
no arrays and keeps the expanding IN. Both forms mean the same: true for a value in the list,
false for an empty list.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

DIALECTS = ("postgresql", "sqlite")


@lru_cache(maxsize=64)
def _array_of(item: TypeEngine[Any]) -> ARRAY[Any]:
    """One ARRAY type per column type: a new one per call costs its cache key every time."""
    return ARRAY(item)


def dialect_of(session: AsyncSession) -> str:
    """The session's dialect name ("postgresql" or "sqlite")."""
    return session.get_bind().dialect.name


def among_bound(column: ColumnElement[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """`column IN (:name)` for a statement built once per dialect; bind a list to `name`."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=_array_of(column.type)))
    return column.in_(bindparam(name, expanding=True))


def among(
    session: AsyncSession, column: ColumnElement[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """`column IN (values)` for a statement built per call."""
    if dialect_of(session) == "postgresql":
        return column == any_(bindparam(None, list(values), type_=_array_of(column.type)))
    return column.in_(list(values))
