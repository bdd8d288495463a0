"""The sync change log: one row per write to a record a patient syncs, written by database
triggers (created in the migration), never by application code, so Core bulk statements and
`INSERT ... ON CONFLICT` are captured as well as ORM writes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of


class SyncChange(SQLModel, table=True):
    """`seq` orders rows on SQLite (writers are serialised); on PostgreSQL rows are read in
    (`txid`, `seq`) order and only below the oldest running transaction (see app/sync/log.py)."""

    __tablename__ = "sync_changes"
    __table_args__ = (
        Index("ix_sync_changes_patient_txid_seq", "patient_id", "txid", "seq"),
        Index("ix_sync_changes_at", "at"),
        {"sqlite_autoincrement": True},
    )

    # INTEGER (not BIGINT) on SQLite so it is the rowid, AUTOINCREMENT so it is never reused.
    seq: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    # pg_current_xact_id() of the writing transaction; NULL on SQLite.
    txid: int | None = Field(default=None, sa_type=BigInteger)
    patient_id: uuid.UUID
    type: str = Field(max_length=32)
    record_id: uuid.UUID
    op: str = Field(max_length=8)
    at: datetime = Field(sa_type=UTCDateTime)


sync_change_table = table_of(SyncChange)
