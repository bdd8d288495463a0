"""The patient's "today": the home screen in one request, from a fixed number of statements."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.followup_answers import due_follow_ups
from app.boosters.queries import open_booster_counts
from app.checkins.summary import checkin_stats_for_patients
from app.core.time import local_today
from app.dashboard.schemas import BoosterCounts, DiaryToday, TodayPublic
from app.exercises.adherence_service import today_assignments
from app.measures.queries import due_measures
from app.work.diary import diary_done_on
from app.workfocus.queries import today_for_patient


async def today(session: AsyncSession, *, patient_id: uuid.UUID, timezone: str) -> TodayPublic:
    """What is due today for the patient, and what is already done (12 statements)."""
    day = local_today(timezone)
    assignments = await today_assignments(session, patient_id=patient_id, timezone=timezone)
    stats = await checkin_stats_for_patients(session, today_by_patient={patient_id: day})
    diary = (await diary_done_on(session, patient_ids_and_dates=[(patient_id, day)]))[
        (patient_id, day)
    ]
    follow_ups = await due_follow_ups(session, today_by_patient={patient_id: day})
    boosters = await open_booster_counts(session, patient_ids=[patient_id])
    measures = await due_measures(session, today_by_patient={patient_id: day})
    work_focus = await today_for_patient(session, patient_id=patient_id, day=day)
    worry_times = sorted(
        a.worry_time
        for a in assignments
        if a.exercise_kind == "worry_postponement" and a.worry_time is not None
    )
    return TodayPublic(
        local_date=day,
        checkin_done=stats[patient_id].last_checkin_on == day,
        assignments=assignments,
        worry_time=worry_times[0] if worry_times else None,
        diary=DiaryToday(work_day=diary.work_day, done=diary.done),
        follow_ups_due=follow_ups[patient_id],
        booster_requests=BoosterCounts(**boosters[patient_id]),
        measures_due=measures[patient_id],
        dialogue_meetings=work_focus.meetings,
        goal_steps_due=work_focus.steps,
    )
