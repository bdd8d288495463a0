"""The patient's "today": the home screen in one request, from a fixed number of statements."""

from __future__ import annotations

import uuid

from sqlalchemy import Date, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import Label

from app.accounts.models import user_table
from app.boosters.followup_answers import due_follow_ups, due_probe
from app.boosters.models import booster_request_table
from app.checkins.models import checkin_table
from app.core.time import local_today
from app.dashboard.schemas import BoosterCounts, DiaryToday, TodayPublic
from app.exercises.adherence_service import PLANS_ONE, plans_of, today_assignments
from app.measures.queries import due_columns, due_of
from app.work.models import rtw_plan_table, work_diary_table
from app.work.plan import plan_of
from app.workfocus.queries import today_for_patient, today_probes

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


# Built once: the day's scalar facts (each an index probe): the latest check-in (today's is
# done when it is the latest), the diary entry, the current RTW plan's body (a work day?),
# the open and scheduled booster requests, each measure's schedule and latest answer (what
# is due follows from `due_status`), and whether there are follow-ups due, meetings on the
# day or active goals (their rows are read only then). They ride on the statement of the
# day's assignments (a row per dose, at least one row): uncorrelated, so computed once.
_HEAD = PLANS_ONE.add_columns(
    select(func.max(_c.local_date))
    .where(_c.patient_id == _PATIENT)
    .scalar_subquery()
    .label("last_checkin_on"),
    exists().where(_d.patient_id == _PATIENT, _d.local_date == _DAY).label("diary_done"),
    select(_p.body).where(_p.patient_id == _PATIENT).scalar_subquery().label("plan"),
    _requests("open"),
    _requests("scheduled"),
    *due_columns(_PATIENT),
    due_probe(_PATIENT),
    *today_probes(_PATIENT),
)


async def today(session: AsyncSession, *, patient_id: uuid.UUID, timezone: str) -> TodayPublic:
    """What is due today for the patient, and what is already done (3 statements, and one
    more for each of follow-ups due, meetings on the day and active goals when there are)."""
    day = local_today(timezone)
    params = {"patient_id": patient_id, "day": day, "window_start": day, "window_end": day}
    rows = (await session.execute(_HEAD, params)).all()
    head = rows[0]
    assignments = await today_assignments(
        session, patient_id=patient_id, timezone=timezone, plans=plans_of(rows)[1]
    )
    follow_ups = (
        (await due_follow_ups(session, today_by_patient={patient_id: day}))[patient_id]
        if head.follow_ups_due
        else []
    )
    work_focus = await today_for_patient(
        session,
        patient_id=patient_id,
        day=day,
        meetings_on_day=bool(head.meetings_on_day),
        active_goals=bool(head.active_goals),
    )
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
        follow_ups_due=follow_ups,
        booster_requests=BoosterCounts(open=head.open, scheduled=head.scheduled),
        measures_due=due_of(head, day),
        dialogue_meetings=work_focus.meetings,
        goal_steps_due=work_focus.steps,
    )
