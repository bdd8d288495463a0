"""FHIR R4 resources of the work side: the actual work grade per sick-leave period
(Observation) and the return-to-work plan's stages (CarePlan). Pure functions.

The actual work grade is the welfare office's rule (app/work/grades.py); no standard code
exists for it, so it is coded in our own code system, as a percent (UCUM `%`), with the hours
worked, the planned grade and the sick-leave percent as components. An open period (not over
yet) is `preliminary`, a closed one `final`; a period without working days has no grade and
says so with a `dataAbsentReason`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.reports.fhir_resources import (
    OBSERVATION_CATEGORY,
    UCUM,
    Resource,
    derived_id,
    meta,
    own_coding,
)
from app.work.schemas import PeriodPublic, PlanPublic

DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


def _percent(value: int) -> Resource:
    return {"value": value, "unit": "%", "system": UCUM, "code": "%"}


def _component(base_url: str, code: str, display: str, value: Resource) -> Resource:
    return {"code": {"coding": [own_coding(base_url, code, display)]}, **value}


def work_grade_observation(
    period: PeriodPublic, *, patient_id: uuid.UUID, patient_ref: str, base_url: str
) -> Resource:
    """One sick-leave period's actual work grade, as the welfare office computes it."""
    effective: dict[str, Any] = {"start": period.starts_on.isoformat()}
    if period.ends_on is not None:
        effective["end"] = period.ends_on.isoformat()
    components = [
        _component(
            base_url,
            "hours-worked",
            "Hours worked in the period",
            {
                "valueQuantity": {
                    "value": period.hours_worked,
                    "unit": "h",
                    "system": UCUM,
                    "code": "h",
                }
            },
        ),
        _component(
            base_url,
            "working-days",
            "Working days in the period",
            {"valueInteger": period.working_days},
        ),
    ]
    if period.planned_grade is not None:
        components.append(
            _component(
                base_url,
                "planned-work-grade",
                "Planned work grade",
                {"valueQuantity": _percent(period.planned_grade)},
            )
        )
    if period.sick_leave_percent is not None:
        components.append(
            _component(
                base_url,
                "sick-leave-percent",
                "Sick-leave percent",
                {"valueQuantity": _percent(period.sick_leave_percent)},
            )
        )
    resource: Resource = {
        "resourceType": "Observation",
        "id": str(derived_id(patient_id, f"work-grade:{period.starts_on.isoformat()}")),
        "meta": meta(base_url, "Observation"),
        "status": "preliminary" if period.partial else "final",
        "category": [
            {
                "coding": [
                    {
                        "system": OBSERVATION_CATEGORY,
                        "code": "social-history",
                        "display": "Social History",
                    }
                ]
            }
        ],
        "code": {"coding": [own_coding(base_url, "actual-work-grade", "Actual work grade")]},
        "subject": {"reference": patient_ref},
        "effectivePeriod": effective,
        "component": components,
    }
    if period.actual_grade is None:
        resource["dataAbsentReason"] = {
            "coding": [
                {"system": DATA_ABSENT, "code": "not-applicable", "display": "Not Applicable"}
            ]
        }
    else:
        resource["valueQuantity"] = _percent(period.actual_grade)
    return resource


def _stage_status(starts_on: date, ends_on: date | None, today: date) -> str:
    if starts_on > today:
        return "scheduled"
    if ends_on is not None and ends_on < today:
        return "completed"
    return "in-progress"


def rtw_care_plan(
    plan: PlanPublic, *, patient_ref: str, today: date, base_url: str
) -> Resource | None:
    """The return-to-work plan as a CarePlan, one activity per stage; None without a plan."""
    if not plan.stages:
        return None
    activities = []
    for stage in plan.stages:
        period: dict[str, Any] = {"start": stage.starts_on.isoformat()}
        if stage.ends_on is not None:
            period["end"] = stage.ends_on.isoformat()
        description = (
            f"Sick leave {stage.sick_leave_percent} %, planned work grade "
            f"{stage.planned_work_grade} %, {stage.planned_weekly_hours:g} h a week"
        )
        if stage.adjustments:
            description += f"; adjustments: {stage.adjustments}"
        activities.append(
            {
                "detail": {
                    "code": {
                        "coding": [own_coding(base_url, "rtw-stage", "Return-to-work plan stage")]
                    },
                    "status": _stage_status(stage.starts_on, stage.ends_on, today),
                    "description": description,
                    "scheduledPeriod": period,
                }
            }
        )
    last = plan.stages[-1]
    over = plan.full_return_on is not None and plan.full_return_on <= today
    care_plan: Resource = {
        "resourceType": "CarePlan",
        "id": str(derived_id(plan.patient_id, "rtw-plan")),
        "meta": {**meta(base_url, "CarePlan"), "versionId": str(plan.version)},
        "status": "completed" if over else "active",
        "intent": "plan",
        "category": [{"coding": [own_coding(base_url, "rtw-plan", "Return-to-work plan")]}],
        "title": "Return-to-work plan",
        "subject": {"reference": patient_ref},
        "period": {"start": plan.stages[0].starts_on.isoformat()},
        "activity": activities,
    }
    if last.ends_on is not None:
        care_plan["period"]["end"] = last.ends_on.isoformat()
    return care_plan
