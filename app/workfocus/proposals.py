"""A dialogue meeting's new stage as a proposal to the RTW plan (never saved by itself).

The meeting may agree a new work percentage from a date (DESIGN.md: the status check decides
whether to keep or raise it). The proposal is the current plan with that stage put in, as a
body the patient or therapist can send to `PUT …/rtw-plan` (its `version` makes a plan changed
meanwhile answer 409 there); the plan changes only when one of them saves it.
"""

from __future__ import annotations

from typing import Any

from app.work.schemas import PlanPublic
from app.workfocus.meeting_schemas import PlanProposal, ProposedStagePublic


def stage_applied(plan: PlanPublic, stage: ProposedStagePublic) -> bool:
    """Whether the saved plan already has a stage from that date with that percentage."""
    return any(
        s.starts_on == stage.starts_on and s.sick_leave_percent == stage.sick_leave_percent
        for s in plan.stages
    )


def propose(plan: PlanPublic, stage: ProposedStagePublic) -> PlanProposal:
    """The plan with `stage` in date order (replacing a stage from the same date)."""
    stages: list[dict[str, Any]] = [
        {
            "starts_on": s.starts_on.isoformat(),
            "sick_leave_percent": s.sick_leave_percent,
            "planned_weekly_hours": s.planned_weekly_hours
            if s.planned_weekly_hours_explicit
            else None,
            "adjustments": s.adjustments,
            "review_on": s.review_on.isoformat(),
            "reviewed_on": s.reviewed_on.isoformat() if s.reviewed_on else None,
        }
        for s in plan.stages
        if s.starts_on != stage.starts_on
    ]
    stages.append(
        {
            "starts_on": stage.starts_on.isoformat(),
            "sick_leave_percent": stage.sick_leave_percent,
            "planned_weekly_hours": stage.planned_weekly_hours,
            "adjustments": stage.adjustments,
            "review_on": None,
            "reviewed_on": None,
        }
    )
    stages.sort(key=lambda s: str(s["starts_on"]))
    body = {
        "version": plan.version,
        "agreed_weekly_hours": plan.agreed_weekly_hours,
        "work_days": list(plan.work_days),
        "stages": stages,
    }
    return PlanProposal(applied=stage_applied(plan, stage), plan=body)
