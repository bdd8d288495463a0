"""Writing the synthetic caseload of `app.dashboard.demo` in bulk.

Rows arrive as tuples in the column order of `COLUMNS` (JSON columns already encoded as
text, except a plan's review switches: a list, an integer array on PostgreSQL). On
PostgreSQL they go in with COPY, and the sync change log (issue 17) is written in bulk
beside them: the capture triggers of the seeded tables are disabled for the seed's
transaction (`ALTER TABLE ... DISABLE TRIGGER`, undone at the end, and rolled back with the
transaction on failure) and the same change rows the triggers would have written -- one
`upsert` per row, with its patient, sync type and record id, the transaction's id -- are
copied into `sync_changes` right after each table's rows, in the same order, so a patient's
app sees every seeded record. A per-row trigger cost ~14 us of server CPU per row, a third of
the seed's database time (`bench/seed.py`). Where the tables may not be altered (another
owner), the triggers stay on and capture the rows themselves. With the triggers, the tables'
foreign keys, keys and indexes are set aside for the load (`app.dashboard.demo_defer`).
Elsewhere (SQLite) the rows go through executemany and the triggers.
"""

from __future__ import annotations

import gc
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.models import booster_request_table
from app.care.models import care_link_table
from app.checkins.models import checkin_table
from app.dashboard.demo_defer import Deferred
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from app.work.models import rtw_plan_table, rtw_plan_version_table, work_diary_table

CHUNK = 20_000
Row = tuple[Any, ...]

# (key, table, columns) in writing order: a parent before its children.
TABLES: tuple[tuple[str, Table, tuple[str, ...]], ...] = (
    ("users", user_table, ("id", "email", "display_name", "role", "timezone", "locale",
                           "created_at", "disabled_at", "password_hash")),
    ("links", care_link_table, ("id", "patient_id", "therapist_id", "created_at", "ended_at")),
    ("assignments", assignment_table, ("id", "patient_id", "therapist_id", "exercise_kind",
                                       "starts_on", "ends_on", "worry_time", "instructions",
                                       "created_at", "updated_at")),
    ("doses", dose_table, ("id", "assignment_id", "effective_from", "times_per_day",
                           "times_per_week", "paused", "changed_by", "created_at")),
    ("logs", exercise_log_table, ("id", "patient_id", "assignment_id", "exercise_kind",
                                  "started_at", "local_date", "duration_seconds", "details",
                                  "body_hash", "created_at")),
    ("checkins", checkin_table, ("id", "patient_id", "local_date", "questionnaire_id",
                                 "answers", "score", "mood", "worry_minutes", "note",
                                 "created_at", "updated_at")),
    ("plans", rtw_plan_table, ("patient_id", "version", "body", "full_return_on", "updated_by",
                               "updated_by_role", "updated_at", "review_switches")),
    ("versions", rtw_plan_version_table, ("id", "patient_id", "version", "body",
                                          "full_return_on", "changed_by", "changed_by_role",
                                          "changed_at")),
    ("diary", work_diary_table, ("id", "patient_id", "local_date", "worked_minutes",
                                 "planned_minutes", "planned_from_plan", "tasks", "strain",
                                 "note", "revision", "created_at", "updated_at")),
    ("boosters", booster_request_table, ("id", "patient_id", "source", "status", "reason",
                                         "preferred_times", "scheduled_for", "response",
                                         "created_at", "updated_at", "resolved_at")),
)  # fmt: skip
COLUMNS = {key: columns for key, _table, columns in TABLES}

# What the capture trigger of each seeded table writes (migration 1fc5005ad533): the trigger's
# name, the sync type, the column of the record id and of the patient (None: the patient of
# the dose's assignment). users and care_links are not synced.
CAPTURE: dict[str, tuple[str, str, str, str | None]] = {
    "assignments": ("sync_exercise_assignments_assignment", "assignment", "id", "patient_id"),
    "doses": ("sync_assignment_doses_assignment", "assignment", "assignment_id", None),
    "logs": ("sync_exercise_logs_exercise_log", "exercise_log", "id", "patient_id"),
    "checkins": ("sync_checkins_checkin", "checkin", "id", "patient_id"),
    "plans": ("sync_rtw_plans_rtw_plan", "rtw_plan", "patient_id", "patient_id"),
    "versions": ("sync_rtw_plan_versions_rtw_plan", "rtw_plan", "patient_id", "patient_id"),
    "diary": ("sync_work_diary_entries_diary_entry", "diary_entry", "id", "patient_id"),
    "boosters": ("sync_booster_requests_booster_request", "booster_request", "id", "patient_id"),
}
_SYNC_COLUMNS = ["txid", "patient_id", "type", "record_id", "op", "at"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while the rows are made and written: every few hundred
    new row tuples it walked the young objects, and now and then all of the batches in hand --
    two thirds of the generation's CPU. The rows hold no cycles; it is on again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class BulkWriter:
    """Writes the rows of each flush; `start` before the first, `finish` after the last."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.copy = False  # PostgreSQL: COPY
        self.capture = False  # the change log written here (the triggers are disabled)
        self.txid = 0
        self.patient_of: dict[uuid.UUID, uuid.UUID] = {}  # assignment -> patient
        self.deferred = Deferred()  # keys and indexes dropped for the load

    def _trigger_sql(self, action: str) -> list[str]:
        tables = {key: table.name for key, table, _c in TABLES}
        return [
            f"ALTER TABLE {tables[key]} {action} TRIGGER {trigger}"
            for key, (trigger, *_rest) in CAPTURE.items()
        ]

    async def start(self) -> None:
        connection = await self.session.connection()
        self.copy = connection.dialect.name == "postgresql"
        if not self.copy:
            return
        try:
            async with self.session.begin_nested():
                for statement in self._trigger_sql("DISABLE"):
                    await self.session.execute(text(statement))
                tables = [table.name for _key, table, _c in TABLES]
                await self.deferred.drop(self.session, [*tables, "sync_changes"])
        except DBAPIError:  # not the tables' owner: keys checked, triggers capture the rows
            self.deferred = Deferred()
            return
        self.capture = True
        self.txid = int(
            await self.session.scalar(text("SELECT pg_current_xact_id()::text::bigint")) or 0
        )

    async def finish(self) -> None:
        if self.capture:
            await self.deferred.restore(self.session)
            for statement in self._trigger_sql("ENABLE"):
                await self.session.execute(text(statement))

    async def write(self, rows: dict[str, list[Row]]) -> int:
        """Write and clear every table's rows; the number written."""
        written = 0
        for key, table, columns in TABLES:
            batch = rows[key]
            if batch:
                await self._write(key, table, columns, batch)
                written += len(batch)
                batch.clear()
        return written

    async def _write(self, key: str, table: Table, columns: Sequence[str], rows: list[Row]) -> None:
        if not self.copy:
            json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
            for start in range(0, len(rows), CHUNK):
                await self.session.execute(
                    insert(table),
                    [
                        {
                            # (review_switches comes as a list: an integer array on
                            # PostgreSQL, so not encoded)
                            c: json.loads(v) if c in json_columns and isinstance(v, str) else v
                            for c, v in zip(columns, row, strict=True)
                        }
                        for row in rows[start : start + CHUNK]
                    ],
                )
            return
        raw = await (await self.session.connection()).get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))
        if self.capture and key in CAPTURE:
            await driver.copy_records_to_table(
                "sync_changes", records=self._changes(key, columns, rows), columns=_SYNC_COLUMNS
            )

    def _changes(self, key: str, columns: Sequence[str], rows: list[Row]) -> list[Row]:
        """The change-log rows the capture trigger would write for `rows`, in their order."""
        _trigger, kind, id_column, patient_column = CAPTURE[key]
        at = datetime.now(UTC)
        record = columns.index(id_column)
        if key == "assignments":
            patient = columns.index("patient_id")
            self.patient_of.update((row[record], row[patient]) for row in rows)
        if patient_column is None:
            return [
                (self.txid, self.patient_of[row[record]], kind, row[record], "upsert", at)
                for row in rows
            ]
        patient = columns.index(patient_column)
        return [(self.txid, row[patient], kind, row[record], "upsert", at) for row in rows]
