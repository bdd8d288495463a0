"""Everything the patient page shows, read through the services the API's routes call, with
the access check and the access-log rows those routes write (one row per kind of record)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters import followups, queries
from app.boosters.rule_service import default_params
from app.boosters.schemas import BoosterRequestPublic, RtwCompletionPublic
from app.care.access import PatientScope, ensure_linked
from app.checkins import service as checkins
from app.checkins import summary as checkin_summary
from app.checkins.schemas import CheckinPublic, CheckinSummary
from app.console.pages import Therapist
from app.core.config import Settings
from app.dashboard import service as dashboard
from app.dashboard.schemas import PatientDetail
from app.exercises import adherence_service
from app.exercises import service as exercises
from app.exercises.schemas import AdherencePublic, AssignmentPublic
from app.instruments.profiles import MEASURE_KEYS
from app.measures import history
from app.measures.schemas import MeasureHistory
from app.privacy.audit import note_access
from app.work import service as work
from app.work.schemas import DiaryPublic, PlanPublic, WorkSummary
from app.workfocus import goals, meetings
from app.workfocus.goal_schemas import GoalPublic
from app.workfocus.meeting_schemas import DialogueMeetingPublic

WEEKS = 8
DIARY_DAYS = 28
BOOSTERS_SHOWN = 20
MEASURES_SHOWN = 20


@dataclass(frozen=True, slots=True)
class PatientView:
    detail: PatientDetail
    checkins: list[CheckinPublic]
    checkin_summary: CheckinSummary
    assignments: list[AssignmentPublic]
    adherence: AdherencePublic
    plan: PlanPublic
    diary: list[DiaryPublic]
    work_summary: WorkSummary
    boosters: list[BoosterRequestPublic]
    rtw: RtwCompletionPublic
    measures: dict[str, MeasureHistory]
    goals: list[GoalPublic]
    meetings: list[DialogueMeetingPublic]


async def linked(
    request: Request,
    session: AsyncSession,
    user: Therapist,
    patient_id: uuid.UUID,
    kinds: tuple[str, ...],
) -> PatientScope:
    """The API's care-link check (404 for anyone else's patient), then one pending access-log
    row per kind read (written only if the page is answered with success)."""
    scope = await ensure_linked(session, therapist_id=user.id, patient_id=patient_id)
    for kind in kinds:
        note_access(
            request,
            session=session,
            patient_ids=[patient_id],
            reader_id=user.principal.id,
            reader_role=user.principal.role,
            reader_name=user.principal.display_name,
            kind=kind,
        )
    return scope


PAGE_KINDS = (
    "profile",
    "checkins",
    "checkins/summary",
    "assignments",
    "adherence",
    "rtw-plan",
    "work-diary",
    "work-summary",
    "booster-requests",
    "rtw-completion",
    "measures",
    "goals",
    "dialogue-meetings",
)


async def patient_view(
    session: AsyncSession, *, scope: PatientScope, settings: Settings
) -> PatientView:
    detail = await dashboard.patient_detail(
        session,
        scope=scope,
        rule_defaults=default_params(settings),
        risk_ack=timedelta(hours=settings.risk_ack_hours),
    )
    today = detail.summary.local_date
    boosters, _next = await queries.list_patient_requests(
        session, patient_id=scope.patient_id, status=None, limit=BOOSTERS_SHOWN, cursor=None
    )
    measures: dict[str, MeasureHistory] = {}
    for key in MEASURE_KEYS:
        found = await history.history_for_therapist(
            session, scope=scope, measure=key, limit=MEASURES_SHOWN, cursor=None
        )
        if found.data:
            measures[key] = found
    diary, _next = await work.list_entries_for_therapist(
        session,
        scope=scope,
        date_from=today - timedelta(days=DIARY_DAYS),
        date_to=today,
        limit=DIARY_DAYS + 1,
        cursor=None,
    )
    return PatientView(
        detail=detail,
        checkins=await checkins.list_for_therapist(session, scope=scope, start=None, end=None),
        checkin_summary=await checkin_summary.summary_for_therapist(session, scope=scope),
        assignments=await exercises.list_assignments(session, scope=scope),
        adherence=await adherence_service.patient_adherence(
            session, scope=scope, date_from=None, date_to=None
        ),
        plan=await work.read_plan(session, scope=scope),
        diary=diary,
        work_summary=await work.work_summary_for_therapist(
            session, scope=scope, by="week", weeks=WEEKS
        ),
        boosters=boosters,
        rtw=await followups.read_rtw_completion(session, scope=scope),
        measures=measures,
        goals=await goals.list_for_staff(session, scope=scope),
        meetings=await meetings.list_for_staff(session, scope=scope),
    )
