"""Typed records of the export document: one published model per kind of row.

The models are built from the tables' own columns (the columns the export selects), so a new
column shows up in the published schema by itself, and a row that no longer fits its model fails
the export tests loudly instead of leaving the contract behind. In ExportDocument a section is
`Annotated[list[Record], Rows(Model)]`: typed for the code as plain rows, validated and
published as the model.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from types import GenericAlias
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, create_model
from pydantic_core import CoreSchema
from sqlalchemy import JSON, Table, TypeDecorator

from app.boosters.models import (
    booster_event_table,
    booster_request_table,
    booster_rule_table,
    follow_up_table,
    rtw_completion_table,
)
from app.checkins.models import checkin_table
from app.devices.models import device_table
from app.exercises.models import assignment_table, dose_table, exercise_log_table
from app.jobsupport.models import (
    employer_contact_table,
    employment_table,
    job_support_link_table,
    joint_meeting_table,
)
from app.measures.models import measure_response_table, measure_schedule_table, risk_alert_table
from app.privacy.models import consent_table
from app.reminders.models import push_outbox_table, reminder_settings_table
from app.work.models import rtw_plan_table, rtw_plan_version_table, work_diary_table
from app.workfocus.models import (
    barrier_check_table,
    communication_plan_table,
    communication_plan_version_table,
    communication_suggestion_table,
    dialogue_meeting_table,
    work_goal_table,
)

# Never exported: the patient id is the document's own, the body hash is a retry fingerprint,
# a plan's review switches are derived from its body (an index for the worklist).
LEFT_OUT: Final = frozenset({"patient_id", "body_hash", "review_switches"})
_STRICT_SHAPE = ConfigDict(extra="forbid")


def exported_columns(table: Table, without: frozenset[str] = frozenset()) -> list[str]:
    """The names of the columns of `table` the export hands over."""
    return [column.name for column in table.columns if column.name not in LEFT_OUT | without]


def _python_type(table: Table, name: str) -> Any:
    column = table.columns[name]
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    kind: Any = Any if isinstance(column_type, JSON) else column_type.python_type
    return kind | None if column.nullable and kind is not Any else kind


def record_model(
    name: str,
    table: Table,
    *,
    without: frozenset[str] = frozenset(),
    doc: str,
    **extra: Any,
) -> type[BaseModel]:
    """A model with one field per exported column of `table`, plus `extra` (name: type)."""
    fields: dict[str, Any] = {
        column: (_python_type(table, column), ...) for column in exported_columns(table, without)
    }
    fields.update({key: (kind, ...) for key, kind in extra.items()})
    return create_model(name, __config__=_STRICT_SHAPE, __doc__=doc, **fields)


class Rows:
    """`Annotated[list[Record], Rows(Model)]`: rows validated and published as `Model`."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return handler.generate_schema(self.model)


ExportDose = record_model(
    "ExportDose",
    dose_table,
    without=frozenset({"id", "assignment_id"}),
    doc="One dose change of an assignment.",
)
ExportAssignment = record_model(
    "ExportAssignment",
    assignment_table,
    doc="An assignment.",
    doses=GenericAlias(list, (ExportDose,)),
)
ExportConsent = record_model("ExportConsent", consent_table, doc="One consent answer.")
ExportExerciseLog = record_model("ExportExerciseLog", exercise_log_table, doc="One practice.")
ExportCheckin = record_model(
    "ExportCheckin",
    checkin_table,
    doc="A check-in, with the questionnaire answered.",
    questionnaire_key=str,
    questionnaire_version=int,
)
ExportBoosterEvent = record_model(
    "ExportBoosterEvent",
    booster_event_table,
    without=frozenset({"id", "request_id"}),
    doc="One status change of a booster request.",
)
ExportBoosterRequest = record_model(
    "ExportBoosterRequest",
    booster_request_table,
    doc="A booster request.",
    events=GenericAlias(list, (ExportBoosterEvent,)),
)
ExportBoosterRule = record_model(
    "ExportBoosterRule", booster_rule_table, doc="The therapist's booster-rule settings."
)
ExportFollowUp = record_model("ExportFollowUp", follow_up_table, doc="A follow-up contact.")
ExportRtwCompletion = record_model(
    "ExportRtwCompletion", rtw_completion_table, doc="The recorded full return to work."
)
ExportRtwPlanRow = record_model("ExportRtwPlanRow", rtw_plan_table, doc="The plan in force.")
ExportRtwPlanVersion = record_model(
    "ExportRtwPlanVersion", rtw_plan_version_table, doc="One saved version of the plan."
)
ExportDiaryEntry = record_model("ExportDiaryEntry", work_diary_table, doc="One diary day.")
ExportMeasureSchedule = record_model(
    "ExportMeasureSchedule", measure_schedule_table, doc="A measure schedule."
)
ExportMeasureResponse = record_model(
    "ExportMeasureResponse",
    measure_response_table,
    doc="A PHQ-9 or GAD-7 answer, with the questionnaire version answered.",
    questionnaire_version=int,
)
ExportRiskAlert = record_model(
    "ExportRiskAlert",
    risk_alert_table,
    without=frozenset({"note"}),
    doc="A risk alert an answer opened (the therapist's note stays the clinic's).",
)

# The job-support side (issue 14).
ExportJobSupportLink = record_model(
    "ExportJobSupportLink",
    job_support_link_table,
    doc="A job counsellor proposed to the patient, and what became of it.",
    counsellor_name=str,
)
ExportEmployment = record_model("ExportEmployment", employment_table, doc="A job.")
ExportJointMeeting = record_model(
    "ExportJointMeeting", joint_meeting_table, doc="A meeting with the job counsellor."
)
ExportEmployerContact = record_model(
    "ExportEmployerContact",
    employer_contact_table,
    doc="A contact with the employer, with the consent version that covered it.",
)
# Push devices (issue 17): the Web Push authentication secret is a credential, left out.
DEVICE_LEFT_OUT: Final = frozenset({"auth"})
ExportDevice = record_model(
    "ExportDevice",
    device_table,
    without=DEVICE_LEFT_OUT,
    doc="A device registered for push messages (its Web Push endpoint or FCM token, label, "
    "dates); a Web Push subscription's authentication secret is left out.",
)
ExportReminderSettings = record_model(
    "ExportReminderSettings",
    reminder_settings_table,
    doc="The reminder preferences: local times, quiet hours, therapist messages on or off.",
)
ExportPush = record_model(
    "ExportPush",
    push_outbox_table,
    doc="A push written for the patient (a reminder or a therapist message) and its outcome.",
)
# Work-focused therapy (issue 13).
ExportBarrierCheck = record_model(
    "ExportBarrierCheck", barrier_check_table, doc="A check of the barriers to work."
)
ExportCommunicationPlan = record_model(
    "ExportCommunicationPlan", communication_plan_table, doc="The communication plan in force."
)
ExportCommunicationPlanVersion = record_model(
    "ExportCommunicationPlanVersion",
    communication_plan_version_table,
    doc="One saved version of the communication plan.",
)
ExportCommunicationSuggestion = record_model(
    "ExportCommunicationSuggestion",
    communication_suggestion_table,
    doc="A therapist's suggestion for the communication plan.",
)
ExportDialogueMeeting = record_model(
    "ExportDialogueMeeting", dialogue_meeting_table, doc="A dialogue meeting and its outcome."
)
ExportWorkGoal = record_model("ExportWorkGoal", work_goal_table, doc="A work goal with its steps.")


class ExportCareLink(BaseModel):
    """Which therapist followed the patient, from when to when (null: still does)."""

    model_config = _STRICT_SHAPE
    id: uuid.UUID
    therapist_id: uuid.UUID
    therapist_name: str
    from_: datetime = Field(alias="from")
    to: datetime | None


class ExportSession(BaseModel):
    """A login: device, created, last used, and when and why it ended."""

    model_config = _STRICT_SHAPE
    device_label: str | None
    created_at: datetime
    last_used_at: datetime | None
    ended_at: datetime | None
    ended_reason: str | None


class ExportInvitation(BaseModel):
    """An invitation made out to the patient's email, or the one they registered with."""

    model_config = _STRICT_SHAPE
    id: uuid.UUID
    therapist_id: uuid.UUID
    therapist_name: str
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
