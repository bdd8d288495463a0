"""The patient's "today": the home screen in one request, from a fixed number of statements."""

from __future__ import annotations

import uuid

from sqlalchemy import Date, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import Label

from app.accounts.models import user_table
from app.boosters.followup_answers import due_follow_ups
from app.boosters.models import booster_request_table
from app.checkins.models import checkin_table
from app.core.time import local_today
from app.dashboard.schemas import BoosterCounts, DiaryToday, TodayPublic
from app.exercises.adherence_service import today_assignments
from app.measures.queries import due_measures
from app.work.models import rtw_plan_table, work_diary_table
from app.work.plan import plan_of
from app.workfocus.queries import today_for_patient

_c = checkin_table.c
_d = work_diary_table.c
_p = rtw_plan_table.c
_r = booster_request_table.c
_PATIENT = bindparam("patient_id", type_=user_table.c.id.type)
_DAY = bindparam("day", type_=Date())


def _requests(status: str) -> Label[int]:
    return (
        select(func.count())
        .where(_r.patient_id == _PATIENT, _r.status == status)
        .scalar_subquery()
        .label(status)
    )


# Built once: the day's scalar facts in one row (each an index probe): the latest check-in
# (today's is done when it is the latest), the diary entry, the current RTW plan's body (a
# work day?) and the open and scheduled booster requests.
_HEAD = select(
    select(func.max(_c.local_date))
    .where(_c.patient_id == _PATIENT)
    .scalar_subquery()
    .label("last_checkin_on"),
    exists().where(_d.patient_id == _PATIENT, _d.local_date == _DAY).label("diary_done"),
    select(_p.body).where(_p.patient_id == _PATIENT).scalar_subquery().label("plan"),
    _requests("open"),
    _requests("scheduled"),
)


async def today(session: AsyncSession, *, patient_id: uuid.UUID, timezone: str) -> TodayPublic:
    """What is due today for the patient, and what is already done (8 statements)."""
    day = local_today(timezone)
    assignments = await today_assignments(session, patient_id=patient_id, timezone=timezone)
    head = (await session.execute(_HEAD, {"patient_id": patient_id, "day": day})).one()
    follow_ups = await due_follow_ups(session, today_by_patient={patient_id: day})
    measures = await due_measures(session, today_by_patient={patient_id: day})
    work_focus = await today_for_patient(session, patient_id=patient_id, day=day)
    worry_times = sorted(
        a.worry_time
        for a in assignments
        if a.exercise_kind == "worry_postponement" and a.worry_time is not None
    )
    return TodayPublic(
        local_date=day,
        checkin_done=head.last_checkin_on == day,
        assignments=assignments,
        worry_time=worry_times[0] if worry_times else None,
        diary=DiaryToday(
            work_day=head.plan is not None and plan_of(head.plan).is_work_day(day),
            done=bool(head.diary_done),
        ),
        follow_ups_due=follow_ups[patient_id],
        booster_requests=BoosterCounts(open=head.open, scheduled=head.scheduled),
        measures_due=measures[patient_id],
        dialogue_meetings=work_focus.meetings,
        goal_steps_due=work_focus.steps,
    )
