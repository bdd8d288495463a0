"""A patient's devices that can receive push messages: a browser's Web Push subscription or a
phone's Firebase Cloud Messaging registration token."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, table_of
from app.core.time import utcnow

PLATFORMS = ("web", "android", "ios")
MAX_ADDRESS_LENGTH = 1024


class Device(SQLModel, table=True):
    """One app install, keyed by the id the app made up for itself (a UUID it keeps).

    `address` is where a push goes: the Web Push endpoint URL (`web`) or the FCM registration
    token (`android`, `ios`). It is unique: a browser or phone that signs in as another patient
    takes its address along, so a shared device only gets the current patient's reminders.
    `p256dh` and `auth` are the subscription's public key and authentication secret (web only).
    """

    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint("platform IN ('web', 'android', 'ios')", name="platform"),
        CheckConstraint(
            "(platform = 'web') = (p256dh IS NOT NULL AND auth IS NOT NULL)", name="web_keys"
        ),
        Index("uq_devices_address", "address", unique=True),
        Index("ix_devices_patient_id", "patient_id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    platform: str = Field(max_length=8)
    address: str = Field(max_length=MAX_ADDRESS_LENGTH)
    p256dh: str | None = Field(default=None, max_length=100)
    auth: str | None = Field(default=None, max_length=32)
    label: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The last time a push service accepted a message for it.
    last_delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


device_table = table_of(Device)
