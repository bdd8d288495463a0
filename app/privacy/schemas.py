"""Request and response models for consents and the access log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.core.schemas import RequestModel


class ConsentUpdate(RequestModel):
    employer_contact: bool
    employer_contact_note: Annotated[str, StringConstraints(max_length=1000)] | None = None


class ConsentPublic(BaseModel):
    """The consent in force; `updated_at` is null when the patient has never answered."""

    employer_contact: bool
    employer_contact_note: str | None
    updated_at: datetime | None


class ConsentHistory(ConsentPublic):
    history: list[ConsentPublic]


class AccessLogPublic(BaseModel):
    """Who read which of my data, when."""

    id: uuid.UUID
    reader_id: uuid.UUID
    reader_name: str
    reader_role: str
    kind: str
    records: int
    created_at: datetime
