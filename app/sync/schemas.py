"""GET /v1/me/sync: one page of changes, each typed by its `type`: `data` is the schema the
patient's own GET endpoint for that record returns (null in a tombstone)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from app.boosters.schemas import BoosterRequestPublic, FollowUpPublic
from app.checkins.schemas import CheckinPublic
from app.exercises.log_schemas import ExerciseLogPublic
from app.exercises.schemas import AssignmentPublic
from app.jobsupport.schemas import (
    EmployerContactPublic,
    EmploymentPublic,
    JobSupportLinkPublic,
    JointMeetingPublic,
)
from app.measures.schemas import MeasureDue, MeasureResponsePublic
from app.privacy.schemas import ConsentHistory
from app.work.schemas import DiaryPublic, PlanPublic
from app.workfocus.goal_schemas import GoalPublic
from app.workfocus.meeting_schemas import DialogueMeetingPublic
from app.workfocus.plan_schemas import CommunicationPlanPublic
from app.workfocus.schemas import BarrierCheckPublic

SyncOp = Literal["upsert", "delete"]
DEFAULT_LIMIT = 200
MAX_LIMIT = 200  # the page cap of every list (tests/test_input_limits.py)


class _Change(BaseModel):
    id: uuid.UUID = Field(
        description="The record's id; for `rtw_plan`, `communication_plan` and `consents` (one "
        "record per patient) the patient's id."
    )
    op: SyncOp = Field(
        description="`delete`: the record is gone, cancelled, or no longer shown to the patient "
        "(`data` is null)."
    )


class AssignmentChange(_Change):
    type: Literal["assignment"]
    data: AssignmentPublic | None


class ExerciseLogChange(_Change):
    type: Literal["exercise_log"]
    data: ExerciseLogPublic | None


class CheckinChange(_Change):
    type: Literal["checkin"]
    data: CheckinPublic | None


class DiaryEntryChange(_Change):
    type: Literal["diary_entry"]
    data: DiaryPublic | None


class RtwPlanChange(_Change):
    type: Literal["rtw_plan"]
    data: PlanPublic | None


class BoosterRequestChange(_Change):
    type: Literal["booster_request"]
    data: BoosterRequestPublic | None


class FollowUpChange(_Change):
    type: Literal["follow_up"]
    data: FollowUpPublic | None


class ConsentsChange(_Change):
    type: Literal["consents"]
    data: ConsentHistory | None


class MeasureScheduleChange(_Change):
    type: Literal["measure_schedule"]
    data: MeasureDue | None


class MeasureResponseChange(_Change):
    type: Literal["measure_response"]
    data: MeasureResponsePublic | None


class BarrierCheckChange(_Change):
    type: Literal["barrier_check"]
    data: BarrierCheckPublic | None


class CommunicationPlanChange(_Change):
    type: Literal["communication_plan"]
    data: CommunicationPlanPublic | None


class DialogueMeetingChange(_Change):
    type: Literal["dialogue_meeting"]
    data: DialogueMeetingPublic | None


class GoalChange(_Change):
    type: Literal["goal"]
    data: GoalPublic | None


class JobSupportLinkChange(_Change):
    type: Literal["job_support_link"]
    data: JobSupportLinkPublic | None


class EmploymentChange(_Change):
    type: Literal["employment"]
    data: EmploymentPublic | None


class JointMeetingChange(_Change):
    type: Literal["joint_meeting"]
    data: JointMeetingPublic | None


class EmployerContactChange(_Change):
    type: Literal["employer_contact"]
    data: EmployerContactPublic | None


SyncChangePublic = Annotated[
    AssignmentChange
    | ExerciseLogChange
    | CheckinChange
    | DiaryEntryChange
    | RtwPlanChange
    | BoosterRequestChange
    | FollowUpChange
    | ConsentsChange
    | MeasureScheduleChange
    | MeasureResponseChange
    | BarrierCheckChange
    | CommunicationPlanChange
    | DialogueMeetingChange
    | GoalChange
    | JobSupportLinkChange
    | EmploymentChange
    | JointMeetingChange
    | EmployerContactChange,
    Field(discriminator="type"),
]


class SyncPage(BaseModel):
    changes: list[SyncChangePublic]
    next_cursor: str = Field(
        description="Send as `since` next time. Opaque. Answers 410 `cursor_expired` once the "
        "changes after it are no longer kept (89 days): start again without `since`."
    )
    has_more: bool = Field(description="More changes are ready now: ask again at once.")
