"""The export's work-focused therapy section: every table of app/workfocus, one statement each.

Like the rest of the export it reads the tables directly (see app/privacy/export.py). Each
table appears under its own name in `work_focus` and in `counts`.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from sqlalchemy import Column, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.privacy.export_records import LEFT_OUT
from app.workfocus.models import (
    barrier_check_table,
    communication_plan_table,
    communication_plan_version_table,
    communication_suggestion_table,
    dialogue_meeting_table,
    work_goal_table,
)

Record = dict[str, Any]
# table -> the columns that order its rows (oldest first)
WORKFOCUS_TABLES: Final[dict[str, tuple[Table, tuple[str, ...]]]] = {
    "barrier_checks": (barrier_check_table, ("local_date",)),
    "communication_plans": (communication_plan_table, ("version",)),
    "communication_plan_versions": (communication_plan_version_table, ("version",)),
    "communication_suggestions": (communication_suggestion_table, ("created_at",)),
    "dialogue_meetings": (dialogue_meeting_table, ("starts_at",)),
    "work_goals": (work_goal_table, ("created_at",)),
}
_LEFT_OUT = LEFT_OUT  # the records' models (export_records.py) are built from the same columns


def _columns(table: Table) -> list[Column[Any]]:
    return [column for column in table.columns if column.name not in _LEFT_OUT]


async def work_focus(session: AsyncSession, patient_id: uuid.UUID) -> dict[str, list[Record]]:
    """Every work-focused therapy row of the patient, per table."""
    found: dict[str, list[Record]] = {}
    for name, (table, order) in WORKFOCUS_TABLES.items():
        query = (
            select(*_columns(table))
            .where(table.c.patient_id == patient_id)
            .order_by(*(table.c[column] for column in order), table.c[_key(table)])
        )
        found[name] = [dict(row._mapping) for row in await session.execute(query)]
    return found


def _key(table: Table) -> str:
    return "id" if "id" in table.c else "patient_id"
