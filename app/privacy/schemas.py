"""Request and response models for consents, the access log, export and erasure."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from app.core.schemas import RequestModel
from app.core.security import PASSWORD_MAX
from app.privacy import export_records as rec
from app.privacy.export_records import Rows

ContactPurpose = Literal["adjustments", "return_plan", "job_search", "other"]
_PURPOSES = (
    "What the clinic may contact the employer about: adjustments at work, the return-to-work "
    "plan, job search, or other (described in `employer_contact_purpose_other`). A contact is "
    "recorded only while `employer_contact` is true and this list holds its purpose."
)


class ConsentUpdate(RequestModel):
    employer_contact: bool
    employer_contact_note: Annotated[str, StringConstraints(max_length=1000)] | None = None
    employer_contact_purposes: Annotated[list[ContactPurpose], Field(max_length=4)] = Field(
        default_factory=list, description=_PURPOSES
    )
    employer_contact_purpose_other: Annotated[str, StringConstraints(max_length=500)] | None = (
        Field(default=None, description="What `other` means; required with it.")
    )
    employer_contact_person: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = Field(default=None, description="When given, only this person may be contacted.")

    @model_validator(mode="after")
    def _check(self) -> ConsentUpdate:
        if len(set(self.employer_contact_purposes)) != len(self.employer_contact_purposes):
            raise ValueError("employer_contact_purposes names a purpose twice")
        other = (self.employer_contact_purpose_other or "").strip()
        if "other" in self.employer_contact_purposes and not other:
            raise ValueError("employer_contact_purpose_other is required with the purpose other")
        return self


class ConsentPublic(BaseModel):
    """The consent in force; `updated_at` is null when the patient has never answered."""

    employer_contact: bool
    employer_contact_note: str | None
    employer_contact_purposes: list[ContactPurpose] = Field(description=_PURPOSES)
    employer_contact_purpose_other: str | None
    employer_contact_person: str | None
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
    reason: Literal["care_link", "risk_escalation", "job_support"] = Field(
        description="`care_link`: the reader treats me; `risk_escalation`: an on-call therapist "
        "who saw a risk alert of mine that no one had acknowledged in time; `job_support`: the "
        "job counsellor I accepted, reading the work side."
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

    current: Annotated[Record | None, Rows(rec.ExportRtwPlanRow | None)]
    versions: Annotated[list[Record], Rows(list[rec.ExportRtwPlanVersion])]


class ExportWorkFocus(BaseModel):
    """Work-focused therapy, one list per table (app/privacy/export_workfocus.py)."""

    model_config = ConfigDict(extra="forbid")  # a new table must be typed here too
    barrier_checks: Annotated[list[Record], Rows(list[rec.ExportBarrierCheck])]
    communication_plans: Annotated[list[Record], Rows(list[rec.ExportCommunicationPlan])]
    communication_plan_versions: Annotated[
        list[Record], Rows(list[rec.ExportCommunicationPlanVersion])
    ]
    communication_suggestions: Annotated[
        list[Record], Rows(list[rec.ExportCommunicationSuggestion])
    ]
    dialogue_meetings: Annotated[list[Record], Rows(list[rec.ExportDialogueMeeting])]
    work_goals: Annotated[list[Record], Rows(list[rec.ExportWorkGoal])]


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
    consents: Annotated[list[Record], Rows(list[rec.ExportConsent])]
    assignments: Annotated[list[Record], Rows(list[rec.ExportAssignment])] = Field(
        description="Each with its dose history, `doses`."
    )
    exercise_logs: Annotated[list[Record], Rows(list[rec.ExportExerciseLog])]
    checkins: Annotated[list[Record], Rows(list[rec.ExportCheckin])] = Field(
        description="Each with the `questionnaire_key` and `questionnaire_version` answered."
    )
    booster_requests: Annotated[list[Record], Rows(list[rec.ExportBoosterRequest])] = Field(
        description="Each with its status history, `events`."
    )
    booster_rule: Annotated[Record | None, Rows(rec.ExportBoosterRule | None)]
    follow_ups: Annotated[list[Record], Rows(list[rec.ExportFollowUp])]
    rtw_completion: Annotated[Record | None, Rows(rec.ExportRtwCompletion | None)]
    rtw_plan: ExportRtwPlan
    work_diary: Annotated[list[Record], Rows(list[rec.ExportDiaryEntry])]
    measure_schedules: Annotated[list[Record], Rows(list[rec.ExportMeasureSchedule])]
    measure_responses: Annotated[list[Record], Rows(list[rec.ExportMeasureResponse])] = Field(
        description="PHQ-9 and GAD-7 answers, each with the `questionnaire_version` answered."
    )
    risk_alerts: Annotated[list[Record], Rows(list[rec.ExportRiskAlert])] = Field(
        description="Alerts my answers opened, with when and how each was acknowledged."
    )
    care_links: Annotated[list[Record], Rows(list[rec.ExportCareLink])] = Field(
        description="Which therapist followed the patient, `from` when `to` when (null: now)."
    )
    job_support: Annotated[list[Record], Rows(list[rec.ExportJobSupportLink])] = Field(
        description="Job counsellors proposed to me, whom I accepted, declined or ended, and when."
    )
    employment: Annotated[list[Record], Rows(list[rec.ExportEmployment])] = Field(
        description="Jobs recorded for me (a new employer's follow-ups are in `follow_ups`)."
    )
    joint_meetings: Annotated[list[Record], Rows(list[rec.ExportJointMeeting])] = Field(
        description="Meetings of me, my therapist and my job counsellor."
    )
    employer_contacts: Annotated[list[Record], Rows(list[rec.ExportEmployerContact])] = Field(
        description="Every contact the clinic had with my employer, with the consent that "
        "covered it (`consent_id`)."
    )
    sessions: Annotated[list[Record], Rows(list[rec.ExportSession])] = Field(
        description="Logins: device label, created, last used, ended (never token material)."
    )
    invitations: Annotated[list[Record], Rows(list[rec.ExportInvitation])] = Field(
        description="Invitations made out to the patient's email or used to register."
    )
    devices: Annotated[list[Record], Rows(list[rec.ExportDevice])] = Field(
        description="Devices registered for push messages (no Web Push auth secret)."
    )
    reminder_settings: Annotated[list[Record], Rows(list[rec.ExportReminderSettings])] = Field(
        description="The reminder preferences (none until saved)."
    )
    pushes: Annotated[list[Record], Rows(list[rec.ExportPush])] = Field(
        description="Pushes written for the patient (reminders, therapist messages), outcomes."
    )
    access_log: list[AccessLogPublic]
    work_focus: ExportWorkFocus = Field(description="Work-focused therapy, per table.")
    counts: dict[str, int]
