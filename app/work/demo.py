"""Demo RTW plan (100 -> 60 -> 40 -> 0 %) and a diary that follows it, imperfectly."""

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


async def seed_work(session: AsyncSession, *, patient_id: uuid.UUID, timezone: str) -> None:
    """Give the demo patient a plan and diary unless they already have a plan (again-safe)."""
    if await session.scalar(
        select(rtw_plan_table.c.version).where(rtw_plan_table.c.patient_id == patient_id)
    ):
        return
    today = local_today(timezone)
    monday = week_start_of(today)
    steps = (
        (-6, 100, "Off work; short visit to the workplace"),
        (-4, 60, "Mornings, own tasks"),
        (-2, 40, "Mornings, no customer calls"),
        (2, 0, "Full days, one weekly check-in"),
    )
    data = PlanIn(
        stages=[
            StageIn(starts_on=monday + timedelta(weeks=w), sick_leave_percent=p, adjustments=a)
            for w, p, a in steps
        ]
    )
    await save_plan(
        session, patient_id=patient_id, data=data, changed_by=patient_id, changed_by_role="patient"
    )
    plan = plan_of(data.model_dump(mode="json", exclude={"version"}))
    rng = random.Random(5)  # noqa: S311  # repeatable demo numbers, nothing secret
    rows = []
    now = utcnow()
    day = monday + timedelta(weeks=-4)
    while day < today:
        planned = plan.planned_hours_on(day)
        if planned and rng.random() > 0.15:  # about one work day in seven is not logged
            drift = Decimal(rng.choice((-1, -0.5, -0.25, 0, 0, 0.25, 0.5)))
            worked = max(Decimal(0), planned + drift)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "patient_id": patient_id,
                    "local_date": day,
                    "worked_minutes": int((worked * 4).to_integral_value()) * 15,
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
