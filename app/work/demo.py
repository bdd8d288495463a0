"""Demo RTW plan on a four-day contract (100 -> 60 -> 40 -> 0 %) and a diary that keeps to it.

The demo patient has agreed 30 h a week over Monday-Thursday. The welfare office's divisor is
always the five weekdays (30 / 5 x 5 = 30 h), so someone who works exactly the planned hours
of a 60 % sick leave (12 h, 3 h on each contract day) has an actual grade of 40, the planned
grade: the demo shows planned and actual agreeing on a four-day contract, week by week and per
sick-leave period. The first two stages' reviews were held; the current one is due.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.time import local_today, utcnow
from app.work.diary import to_minutes
from app.work.grades import week_start_of
from app.work.models import rtw_plan_table, work_diary_table
from app.work.plan import plan_of, save_plan
from app.work.schemas import PlanIn, StageIn

AGREED_HOURS = Decimal(30)
CONTRACT_DAYS = ["mon", "tue", "wed", "thu"]


async def seed_work(session: AsyncSession, *, patient_id: uuid.UUID, timezone: str) -> None:
    """Give the demo patient a plan and diary unless they already have a plan (again-safe)."""
    if await session.scalar(
        select(rtw_plan_table.c.version).where(rtw_plan_table.c.patient_id == patient_id)
    ):
        return
    today = local_today(timezone)
    monday = week_start_of(today)
    steps = (
        (-6, 100, "Off work; short visit to the workplace", True),
        (-4, 60, "Mornings, own tasks", True),
        (-2, 40, "Mornings, no customer calls", False),
        (2, 0, "Full days, one weekly check-in", False),
    )
    data = PlanIn(
        agreed_weekly_hours=AGREED_HOURS,
        work_days=CONTRACT_DAYS,  # type: ignore[arg-type]
        stages=[
            StageIn(
                starts_on=monday + timedelta(weeks=w),
                sick_leave_percent=p,
                adjustments=a,
                reviewed_on=monday + timedelta(weeks=w, days=14) if held else None,
            )
            for w, p, a, held in steps
        ],
    )
    await save_plan(
        session, patient_id=patient_id, data=data, changed_by=patient_id, changed_by_role="patient"
    )
    plan = plan_of(data.model_dump(mode="json", exclude={"version"}))
    rng = random.Random(5)  # noqa: S311  # repeatable demo numbers, nothing secret
    rows = []
    now = utcnow()
    day = monday + timedelta(weeks=-6)
    while day < today:  # today's entry is the patient's to write
        planned = plan.planned_hours_on(day) or Decimal(0)
        if day.isoweekday() <= 4 or planned:  # every contract day, as planned
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "patient_id": patient_id,
                    "local_date": day,
                    "day_type": "work",
                    "worked_minutes": to_minutes(planned),
                    "planned_minutes": to_minutes(planned),
                    "planned_from_plan": True,
                    "strain": rng.randint(2, 7),
                    "revision": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        day += timedelta(days=1)
    if rows:
        await session.execute(insert(work_diary_table), rows)
    await session.commit()
