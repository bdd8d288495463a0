"""The plain statements the export's sections are made of: a table's exported columns, a
patient's own rows, run into records. Columns in LEFT_OUT (export_records.py, from which the
records' models are built too) are never selected."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.privacy.export_records import LEFT_OUT
from app.privacy.schemas import Record


def columns(table: Table, *, without: Iterable[str] = ()) -> list[Column[Any]]:
    """The columns of `table` the export hands over (LEFT_OUT and `without` dropped)."""
    skip = LEFT_OUT | set(without)
    return [column for column in table.columns if column.name not in skip]


async def records(session: AsyncSession, query: Select[Any]) -> list[Record]:
    """The rows of `query` as plain records."""
    return [dict(row._mapping) for row in await session.execute(query)]


def own(table: Table, patient_id: uuid.UUID, *order: Column[Any]) -> Select[Any]:
    """The patient's rows of `table` (exported columns), in `order`."""
    return select(*columns(table)).where(table.c.patient_id == patient_id).order_by(*order)


async def one(session: AsyncSession, table: Table, patient_id: uuid.UUID) -> Record | None:
    """The patient's one row of `table`, or None."""
    found = await records(session, own(table, patient_id))
    return found[0] if found else None
