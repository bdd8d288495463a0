"""Access log (append-only), employer-contact consents (history kept), erasure receipts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow


class AccessLogEntry(SQLModel, table=True):
    """One therapist read of one patient's data. Rows are never updated or deleted, except by
    the cascade when the patient's account is erased (a PostgreSQL trigger enforces this)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_patient_created", "patient_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    reader_id: uuid.UUID = Field(foreign_key="users.id")  # staff accounts are disabled, not deleted
    reader_role: str = Field(max_length=16)
    # The reader's display name as it was at the time of reading (renames do not rewrite it).
    reader_name: str = Field(max_length=100)
    kind: str = Field(max_length=64)
    # Why the reader could see the patient: `care_link`, or `risk_escalation` (on call).
    reason: str = Field(
        default="care_link", max_length=32, sa_column_kwargs={"server_default": "care_link"}
    )
    records: int
    # Our own request id; the client's X-Request-ID, when it sent a sane one, beside it.
    request_id: str = Field(max_length=64)
    client_request_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Consent(SQLModel, table=True):
    """One version of the patient's employer-contact consent; the newest row is in force."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_patient_created", "patient_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    employer_contact: bool
    employer_contact_note: str | None = Field(default=None, max_length=1000)
    # What the clinic may contact the employer about (adjustments, return_plan, job_search,
    # other); a consent naming no purpose covers no contact. Null on rows from before scopes.
    employer_contact_purposes: list[str] | None = Field(default=None, sa_column=Column(JSON))
    employer_contact_purpose_other: str | None = Field(default=None, max_length=500)
    # When set, only this person at the employer may be contacted.
    employer_contact_person: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ErasureReceipt(SQLModel, table=True):
    """That an account was erased: when, its role, a keyed pseudonym and rows deleted per table.

    Nothing here names the person: `pseudonym` is HMAC-SHA256(secret key, user id) in hex, so an
    audit holding an id can confirm it was erased, while the table alone reveals no one.
    """

    __tablename__ = "erasure_receipts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    erased_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    role: str = Field(max_length=16)
    pseudonym: str = Field(max_length=64, index=True)
    deleted_rows: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


access_log_table = table_of(AccessLogEntry)
consent_table = table_of(Consent)
erasure_receipt_table = table_of(ErasureReceipt)
