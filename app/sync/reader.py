"""Who a sync is for, and what a loader returns."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table


@dataclass(frozen=True)
class Reader:
    """The patient a sync is for."""

    id: uuid.UUID
    timezone: str
    locale: str


Loaded = dict[uuid.UUID, BaseModel]


def own(table: Table, reader: Reader, ids: list[uuid.UUID], id_column: str = "id") -> list[Any]:
    """WHERE clauses: these ids, and only the reader's rows."""
    return [table.c[id_column].in_(ids), table.c.patient_id == reader.id]
