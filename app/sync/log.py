"""Reading the change log safely.

SQLite serialises writers: a row's `seq` is assigned inside the only running write
transaction, so rows become visible in `seq` order and "seq > cursor" misses nothing.

PostgreSQL commits transactions out of order: a transaction that got seq 10 may commit after
one that got seq 11 and was already read. So each row carries the id of the transaction that
wrote it (`txid`, from `pg_current_xact_id()`), rows are read in (txid, seq) order, and a read
returns only rows whose txid is below `pg_snapshot_xmin(pg_current_snapshot())`, the oldest
transaction still running when the statement began. Every transaction below that horizon has
ended (committed or rolled back), so no row at or below a returned position can appear later:
a transaction that has not written yet, or has not started, gets an xid at or above the
horizon (xids are handed out in increasing order), which is above every returned txid.
The cursor only moves over returned rows, so nothing is skipped. See docs/notes/issue-17.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.sync.cursor import MAX_SEQ, Position
from app.sync.models import sync_change_table

_s = sync_change_table.c
_HORIZON: ColumnElement[int] = literal_column(
    "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
)


@dataclass(frozen=True)
class Change:
    position: Position
    type: str
    record_id: uuid.UUID


def _postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def start_position(session: AsyncSession) -> Position:
    """Where deltas start for a snapshot read from now on: every change not already visible to
    reads that begin now lies after it."""
    if _postgresql(session):
        horizon = int(await session.scalar(select(_HORIZON)) or 0)
        # Rows with txid >= horizon may still appear; all below are visible now.
        return Position(horizon - 1, MAX_SEQ)
    return Position(0, int(await session.scalar(select(func.max(_s.seq))) or 0))


async def changes_after(
    session: AsyncSession, *, patient_id: uuid.UUID, after: Position, limit: int
) -> list[Change]:
    """Up to `limit` of the patient's changes after `after`, in log order."""
    if _postgresql(session):
        query = (
            select(_s.txid, _s.seq, _s.type, _s.record_id)
            .where(
                _s.patient_id == patient_id,
                # A row comparison: an ordered index range scan (the OR form sorted every
                # later row of the patient; 0.2 ms against 11 ms at 60,000 rows).
                tuple_(_s.txid, _s.seq) > tuple_(after.txid, after.seq),
                _s.txid < _HORIZON,
            )
            .order_by(_s.txid, _s.seq)
        )
    else:
        query = (
            select(_s.txid, _s.seq, _s.type, _s.record_id)
            # txid is always NULL here; naming it lets the (patient, txid, seq) index order rows.
            .where(_s.patient_id == patient_id, _s.txid.is_(None), _s.seq > after.seq)
            .order_by(_s.seq)
        )
    rows = await session.execute(query.limit(limit))
    return [Change(Position(row.txid or 0, row.seq), row.type, row.record_id) for row in rows.all()]
