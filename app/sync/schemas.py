"""GET /v1/me/sync: one page of changes."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SyncType = Literal[
    "assignment",
    "exercise_log",
    "checkin",
    "diary_entry",
    "rtw_plan",
    "booster_request",
    "follow_up",
    "consents",
    "measure_schedule",
    "measure_response",
    "barrier_check",
    "communication_plan",
    "dialogue_meeting",
    "goal",
    "job_support_link",
    "employment",
    "joint_meeting",
    "employer_contact",
]
SyncOp = Literal["upsert", "delete"]
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000


class SyncRecord(BaseModel):
    """A record as the patient's own GET endpoint for its `type` returns it (open: its fields
    are those of that endpoint's schema)."""

    model_config = ConfigDict(extra="allow")


class SyncChangePublic(BaseModel):
    type: SyncType
    id: uuid.UUID = Field(
        description="The record's id; for `rtw_plan`, `communication_plan` and `consents` (one "
        "record per patient) the patient's id."
    )
    op: SyncOp
    data: SyncRecord | None = Field(
        description="With `upsert`: the record as the patient's own GET endpoint for it returns "
        "it (e.g. `assignment`: AssignmentPublic, `checkin`: CheckinPublic, `rtw_plan`: "
        "PlanPublic, `consents`: ConsentHistory, `measure_schedule`: MeasureDue). With "
        "`delete`: null (the record is gone, cancelled, or no longer shown to the patient)."
    )


class SyncPage(BaseModel):
    changes: list[SyncChangePublic]
    next_cursor: str = Field(
        description="Send as `since` next time. Opaque. Answers 410 `cursor_expired` once the "
        "changes after it are no longer kept (89 days): start again without `since`."
    )
    has_more: bool = Field(description="More changes are ready now: ask again at once.")
