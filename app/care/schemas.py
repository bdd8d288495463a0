"""Request and response models for invitations, care links and the patient profile."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.accounts.models import Locale
from app.accounts.schemas import Email, Password
from app.core.schemas import DisplayName, Id, RequestModel, TimeZoneName
from app.privacy.schemas import ConsentPublic

InvitationCode = Annotated[str, Field(min_length=4, max_length=64)]


class InvitationCreate(RequestModel):
    email: Email | None = None
    expires_in_days: Annotated[int, Field(ge=1, le=90)] | None = None


class InvitationPublic(BaseModel):
    id: uuid.UUID
    email: str | None
    created_at: datetime
    expires_at: datetime
    status: Literal["pending", "used", "expired", "revoked"]


class InvitationCreated(InvitationPublic):
    """Returned once, at creation: the code is not stored and cannot be shown again."""

    code: str


class RegisterRequest(RequestModel):
    invitation_code: InvitationCode
    email: Email
    password: Password
    display_name: DisplayName
    timezone: TimeZoneName
    locale: Locale = "nb"


class RegistrationAccepted(BaseModel):
    """The one answer to a registration with a valid code, whether the email was free or not."""

    status: Literal["accepted"] = "accepted"
    detail: str = "If this email has no account yet, it has one now: log in with it."


class CareLinkCreate(RequestModel):
    patient_id: Id
    therapist_id: Id


class CareLinkPublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    therapist_id: uuid.UUID
    created_at: datetime
    ended_at: datetime | None


class PatientProfile(BaseModel):
    """What a linked therapist sees of who the patient is."""

    id: uuid.UUID
    display_name: str
    email: str
    timezone: str
    locale: str
    linked_since: datetime
    employer_contact: ConsentPublic
