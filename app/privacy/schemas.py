"""Request and response models for consents, the access log, export and erasure."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

from app.core.schemas import RequestModel
from app.core.security import PASSWORD_MAX


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
    reason: Literal["care_link", "risk_escalation"] = Field(
        description="`care_link`: the reader treats me; `risk_escalation`: an on-call therapist "
        "who saw a risk alert of mine that no one had acknowledged in time."
    )
    records: int
    created_at: datetime


class AccountErase(RequestModel):
    """DELETE /v1/me: the current password, as for a password change."""

    password: Annotated[str, StringConstraints(max_length=PASSWORD_MAX)]


Record = dict[str, Any]
"""One stored row of a section: its columns by name (secrets and internal hashes left out)."""


class ExportProfile(BaseModel):
    id: uuid.UUID
    email: str
    role: str
    display_name: str
    timezone: str
    locale: str
    created_at: datetime


class ExportRtwPlan(BaseModel):
    """The plan in force (null if none was saved) and every saved version, oldest first."""

    current: Record | None
    versions: list[Record]


class ExportDocument(BaseModel):
    """Every record the service holds about the patient, as of `exported_at`.

    `counts` gives the number of stored rows per kind, so the document can be checked whole.
    """

    # Published as an integer of 1..1: generators mishandle an integer `const`.
    schema_version: Annotated[
        Literal[1], WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 1})
    ] = 1
    exported_at: datetime
    profile: ExportProfile
    consents: list[Record]
    assignments: list[Record] = Field(description="Each with its dose history, `doses`.")
    exercise_logs: list[Record]
    checkins: list[Record] = Field(
        description="Each with the `questionnaire_key` and `questionnaire_version` answered."
    )
    booster_requests: list[Record] = Field(description="Each with its status history, `events`.")
    booster_rule: Record | None
    follow_ups: list[Record]
    rtw_completion: Record | None
    rtw_plan: ExportRtwPlan
    work_diary: list[Record]
    measure_schedules: list[Record]
    measure_responses: list[Record] = Field(
        description="PHQ-9 and GAD-7 answers, each with the `questionnaire_version` answered."
    )
    risk_alerts: list[Record] = Field(
        description="Alerts my answers opened, with when and how each was acknowledged."
    )
    care_links: list[Record] = Field(
        description="Which therapist followed the patient, `from` when `to` when (null: now)."
    )
    sessions: list[Record] = Field(
        description="Logins: device label, created, last used, ended (never token material)."
    )
    invitations: list[Record] = Field(
        description="Invitations made out to the patient's email or used to register."
    )
    access_log: list[AccessLogPublic]
    counts: dict[str, int]
