"""Demo data: a barriers check with a workplace conflict, a communication plan in draft, a
dialogue meeting next week and one work goal with two steps (again-safe: once per patient)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.time import local_today, zone
from app.workfocus import barriers, communication, goals, meetings
from app.workfocus.goal_schemas import GoalCreate
from app.workfocus.meeting_schemas import DialogueMeetingCreate
from app.workfocus.models import barrier_check_table
from app.workfocus.plan_schemas import CommunicationPlanWrite
from app.workfocus.schemas import BarrierCheckWrite

# coping 2, 3 | illness 1, 1 | symptoms 3, 2 | workplace 2, 1, 3, 0 | beliefs 3, 4, 1, 2, 3
RATINGS = {
    "coping_tasks": 2,
    "coping_day": 3,
    "illness_unclear": 1,
    "illness_work_harm": 1,
    "symptoms_mental": 3,
    "symptoms_physical": 2,
    "manager_dialogue": 2,
    "support": 1,
    "conflict": 3,
    "harassment": 0,
    "rest_first": 3,
    "lose_face": 4,
    "function_back": 1,
    "shame": 2,
    "always_capable": 3,
}


async def seed_work_focus(
    session: AsyncSession, *, patient_id: uuid.UUID, therapist_id: uuid.UUID, timezone: str
) -> None:
    """The demo patient's work-focused therapy records."""
    b = barrier_check_table.c
    if await session.scalar(select(b.id).where(b.patient_id == patient_id).limit(1)):
        return
    today = local_today(timezone)
    await barriers.write_check(
        session,
        patient_id=patient_id,
        timezone=timezone,
        locale="nb",
        local_date=today - timedelta(days=3),
        data=BarrierCheckWrite(
            answers=RATINGS,
            notes={"workplace": "A disagreement with a colleague about how tasks are shared."},
        ),
    )
    plan = await communication.save_plan(
        session,
        patient_id=patient_id,
        data=CommunicationPlanWrite.model_validate(
            {
                "entries": [
                    {
                        "audience": "manager",
                        "what": "That I want to come back gradually, and what helps me",
                        "how_much": "kind_of_problem",
                        "words": "I have struggled with worry and sleep. I am in treatment and "
                        "want to start with shorter days.",
                        "when": "At the dialogue meeting",
                        "status": "draft",
                    },
                    {
                        "audience": "colleagues",
                        "what": "That I am coming back part time",
                        "how_much": "on_sick_leave",
                        "status": "draft",
                    },
                ]
            }
        ),
    )
    starts = datetime.combine(today + timedelta(days=7), time(10), tzinfo=zone(timezone))
    await meetings.create(
        session,
        patient_id=patient_id,
        author_id=patient_id,
        author_role="patient",
        data=DialogueMeetingCreate.model_validate(
            {
                "id": uuid.uuid4(),
                "starts_at": starts.astimezone(UTC),
                "participants": [{"role": "manager"}, {"role": "therapist"}],
                "agenda": {
                    "communication_entry_ids": [plan.entries[0].id],
                    "adjustment_needs": "Four-hour days at first; no customer calls",
                    "time_limit_minutes": 60,
                },
            }
        ),
    )
    await goals.create(
        session,
        patient_id=patient_id,
        author_id=patient_id,
        author_role="patient",
        data=GoalCreate.model_validate(
            {
                "id": uuid.uuid4(),
                "title": "Take part in the Monday team meeting",
                "why": "Being with the team again matters to me",
                "target_on": today + timedelta(days=21),
                "steps": [
                    {
                        "id": uuid.uuid4(),
                        "text": "Ask my manager for the agenda",
                        "due_on": today + timedelta(days=8),
                    },
                    {
                        "id": uuid.uuid4(),
                        "text": "Sit through the whole meeting",
                        "due_on": today + timedelta(days=14),
                        "at_work": True,
                        "strategy": "Notice worry and postpone it to my worry time",
                    },
                ],
            }
        ),
    )
