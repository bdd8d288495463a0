"""Responses of the at-a-glance reads: the patient's today, the worklist and patient detail."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.boosters.schemas import FollowUpPublic
from app.care.schemas import PatientProfile
from app.checkins.definition import Band
from app.exercises.schemas import TodayAssignment
from app.measures.schemas import MeasureDue
from app.workfocus.goal_schemas import TodayGoalStep
from app.workfocus.meeting_schemas import TodayMeeting

Flag = Literal[
    "risk",
    "workplace_conflict",
    "no_checkin_7d",
    "no_checkin_3d",
    "low_rtw_se",
    "measure_overdue",
    "low_adherence",
    "booster_open",
    "follow_up_due",
    "joint_meeting_due",
    "dialogue_meeting_soon",
    "review_due",
    "status_check_due",
]
# Most urgent first: the worklist's default sort and the order of every row's `flags`.
FLAGS: tuple[Flag, ...] = (
    "risk",
    "workplace_conflict",
    "no_checkin_7d",
    "no_checkin_3d",
    "low_rtw_se",
    "measure_overdue",
    "low_adherence",
    "booster_open",
    "follow_up_due",
    "joint_meeting_due",
    "dialogue_meeting_soon",
    "review_due",
    "status_check_due",
)
WorklistSort = Literal["flags", "name", "last_checkin"]


class BoosterCounts(BaseModel):
    """Booster requests still waiting for the therapist or for the session."""

    open: int
    scheduled: int


class DiaryToday(BaseModel):
    """Is today a work day in the plan, and is today's diary entry written?"""

    work_day: bool
    done: bool


class TodayPublic(BaseModel):
    """Everything the phone's home screen shows, in one answer."""

    local_date: date = Field(description="Today in the patient's time zone.")
    checkin_done: bool
    assignments: list[TodayAssignment]
    worry_time: str | None = Field(
        description="HH:MM of the active worry-postponement slot, if one is set."
    )
    diary: DiaryToday
    follow_ups_due: list[FollowUpPublic]
    booster_requests: BoosterCounts
    measures_due: list[MeasureDue] = Field(
        description="Scheduled symptom measures (PHQ-9, GAD-7) not answered yet this time."
    )
    dialogue_meetings: list[TodayMeeting] = Field(
        description="Dialogue meetings today (not cancelled)."
    )
    goal_steps_due: list[TodayGoalStep] = Field(
        description="Steps of active work goals due today and not done yet."
    )


class WeekGradeBrief(BaseModel):
    """The last complete ISO week: actual work grade against the planned grade (the welfare
    office's rule, as in the work summary)."""

    week: str = Field(max_length=10)
    week_start: date
    actual_grade: int | None
    planned_grade: int | None
    above_plan: bool
    complete: bool


class MeasureBrief(BaseModel):
    """The latest answer to a symptom measure (PHQ-9 or GAD-7), against the first one."""

    score: float
    band: str | None = Field(max_length=40)
    answered_at: datetime
    change_from_first: float = Field(description="Latest score minus the first score.")
    illustrative: bool = Field(
        description="true when it was answered on illustrative (placeholder) wording: then "
        "the score is not a clinical figure"
    )


class RiskAlertCounts(BaseModel):
    """The patient's risk alerts no therapist has acknowledged yet."""

    unacknowledged: int
    overdue: int = Field(description="Unacknowledged for longer than MESTRING_RISK_ACK_HOURS.")
    oldest_at: datetime | None = Field(description="When the oldest unacknowledged one opened.")


class WorkFocusBrief(BaseModel):
    """Work-focused therapy at a glance (app.workfocus.queries.workfocus_for_patients)."""

    workplace_rating: int | None = Field(
        description="The latest barriers check's highest rating of conflict or harassment (0-4)."
    )
    barriers_checked_on: date | None = Field(description="The latest barriers check's date.")
    next_meeting_at: datetime | None = Field(
        description="The next planned dialogue meeting today or in the next 3 local days."
    )
    status_check_on: date | None = Field(
        description="The status check set by the latest held dialogue meeting's outcome."
    )
    goals_reached_28d: int = Field(description="Work goals reached in the last 28 local days.")
    last_goal_reached_on: date | None


class PatientSummary(BaseModel):
    """One worklist row: how the patient is doing, and what needs the therapist's attention.

    Flags, most urgent first: `risk` (a risk alert no therapist has acknowledged: always
    first; among such rows, those with an overdue alert, then the oldest alert, come first),
    `workplace_conflict` (the latest barriers check rates conflict or harassment 3 or more),
    `no_checkin_7d` (no check-in in the last 7 local days, or never
    in the 7 days since the care link began), `no_checkin_3d` (the same over 3 days, when not
    7), `low_rtw_se` (the booster rule's own low test with the patient's parameters: at least
    `min_checkins` check-ins in their window and a window mean below their threshold),
    `measure_overdue` (a scheduled PHQ-9 or GAD-7 whose answer window passed unanswered),
    `low_adherence` (adherence_7d < 0.5), `booster_open`, `follow_up_due`,
    `joint_meeting_due` (with an accepted job counsellor: no joint meeting booked within 31
    days of the last one), `dialogue_meeting_soon` (a planned dialogue meeting today or in the
    next 3 local days), `review_due` (a plan-stage review is due and not recorded as held),
    `status_check_due` (the latest held dialogue meeting's status check is today or past).
    """

    patient_id: uuid.UUID
    display_name: str
    local_date: date = Field(description="The patient's local today the numbers refer to.")
    last_checkin_on: date | None
    rtw_se_mean_7d: float | None
    rtw_se_checkins_7d: int
    rtw_se_band: Band | None
    rtw_se_change_7d: float | None = Field(
        description="7-day mean minus the mean of the 7 days before (None if either is empty)."
    )
    rtw_se_rule_mean: float | None = Field(
        description="The mean `low_rtw_se` compared: over the patient's booster-rule window."
    )
    illustrative: bool = Field(
        description="true while the RTW-SE items are the seeded illustrative ones: the means "
        "and bands are then not clinical figures"
    )
    adherence_7d: float | None = Field(
        description="The 7 days before today, plus today's sessions done so far."
    )
    adherence_28d: float | None = Field(
        description="The 28 days before today, plus today's sessions done so far."
    )
    work_week: WeekGradeBrief | None
    booster_requests: BoosterCounts
    follow_ups_due: int
    phq9: MeasureBrief | None
    gad7: MeasureBrief | None
    risk_alerts: RiskAlertCounts
    work_focus: WorkFocusBrief
    flags: list[Flag]


class PatientDetail(PatientProfile):
    """One patient's profile with the same summary as their worklist row."""

    summary: PatientSummary
