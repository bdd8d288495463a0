"""The other reminder kinds through the scheduler and delivery (issue 17): worry time N
minutes before the assignment's worry time, a due measure, a DST day, and therapist messages
held through quiet hours. No device is registered: delivery ends `no_device`, which is enough
to see what would have been sent."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import time_machine
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import follow_up_table
from app.reminders.rules import Due
from app.reminders.scheduler import claim, find_due, schedule_due
from tests.dashboard_helpers import assign
from tests.factories import Api
from tests.measure_helpers import schedule
from tests.reminder_helpers import deliver_one, outbox, run_scheduler, set_reminders


def test_worry_time_reminder_before_each_assignments_worry_time(api: Api) -> None:
    # Worry time 18:00 Oslo (17:00 UTC), 15 minutes' notice: due from 17:45 Oslo.
    with time_machine.travel(datetime(2027, 1, 10, 16, 44, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        plan = assign(
            api,
            therapist,
            patient,
            exercise_kind="worry_postponement",
            starts_on="2027-01-10",
            times_per_day=1,
            worry_time="18:00",
        )
        set_reminders(api, patient, worry_time_minutes_before=15, therapist_messages=False)
        assert run_scheduler(api) == []  # 17:44
    with time_machine.travel(datetime(2027, 1, 10, 16, 45, tzinfo=UTC), tick=False):
        (outbox_id,) = run_scheduler(api)
        (row,) = [r for r in outbox(api, patient) if r.id == outbox_id]
        assert (row.kind, row.thing, str(row.local_date)) == (
            "worry_time",
            plan["id"],
            "2027-01-10",
        )
        assert deliver_one(api, outbox_id).status == "no_device"


def test_measure_reminder_while_a_questionnaire_is_open(api: Api) -> None:
    with time_machine.travel(datetime(2027, 1, 10, 8, 0, tzinfo=UTC), tick=False):  # 09:00
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        unscheduled = api.patient(therapist, timezone="Europe/Oslo")
        entry = {"measure": "phq9", "every_days": 14, "starts_on": "2027-01-10"}
        assert schedule(api, therapist, patient, entry).status_code == 200
        for who in (patient, unscheduled):
            set_reminders(api, who, measures="09:00")
        run_scheduler(api)
        assert [r.kind for r in outbox(api, patient)] == ["measure"]
        assert outbox(api, unscheduled) == []


def test_a_time_in_the_spring_forward_gap_fires_after_it(api: Api) -> None:
    # Sunday 28 March 2027: 02:00 -> 03:00 in Oslo. "02:30" fires at 01:30 UTC (03:30 CEST).
    with time_machine.travel(datetime(2027, 3, 28, 1, 29, tzinfo=UTC), tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        set_reminders(api, patient, checkin_at="02:30")
        assert run_scheduler(api) == []
    with time_machine.travel(datetime(2027, 3, 28, 1, 30, tzinfo=UTC), tick=False):
        assert len(run_scheduler(api)) == 1


def test_a_therapist_message_waits_out_quiet_hours(api: Api) -> None:
    # 23:00 in Oslo, quiet 22:00-07:00: held (pending, no attempt counted); 07:00: goes.
    with time_machine.travel(datetime(2027, 1, 10, 22, 0, tzinfo=UTC), tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        set_reminders(api, patient, quiet_hours={"from": "22:00", "to": "07:00"})
        assign(
            api,
            therapist,
            patient,
            exercise_kind="attention_training",
            starts_on="2027-01-10",
            times_per_day=1,
        )
        (row,) = outbox(api, patient)
        assert deliver_one(api, row.id).status == "pending"
        (row,) = outbox(api, patient)
        assert (row.status, row.attempts) == ("pending", 0)
    with time_machine.travel(datetime(2027, 1, 11, 6, 0, tzinfo=UTC), tick=False):
        assert deliver_one(api, row.id).status == "no_device"


def test_two_schedulers_claim_a_reminder_once(api: Api) -> None:
    """Scheduler A reads what is due, B claims it and commits, then A claims: the unique key
    (patient, kind, thing, local date) turns A's insert into nothing, so one outbox row."""
    now = datetime(2027, 1, 10, 18, 5, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        set_reminders(api, patient, checkin_at="19:00")

    async def race(session: AsyncSession) -> tuple[list[Due], list[uuid.UUID], list[uuid.UUID]]:
        seen_by_a = await find_due(session, now=now)
        await session.commit()
        async with api.services.sessions() as other:
            won = await schedule_due(other, now=now)
        lost = await claim(session, seen_by_a, now=now)
        return seen_by_a, won, lost

    seen_by_a, won, lost = api.db(race)
    assert [d.kind for d in seen_by_a] == ["checkin"]
    assert len(won) == 1
    assert lost == []
    assert [r.id for r in outbox(api, patient)] == won


def _follow_up(api: Api, patient_id: uuid.UUID, due_on: date, months: int = 3) -> uuid.UUID:
    follow_up_id = uuid.uuid4()

    async def work(session: AsyncSession) -> None:
        await session.execute(
            insert(follow_up_table).values(
                id=follow_up_id,
                patient_id=patient_id,
                months=months,
                full_return_on=due_on - timedelta(days=30 * months),
                due_on=due_on,
                source="rtw_completion",
                status="pending",
            )
        )
        await session.commit()

    api.db(work)
    return follow_up_id


def test_follow_up_due_at_ten_on_its_day_unless_messages_are_off(api: Api) -> None:
    # 10:00 Oslo on 10 January 2027 is 09:00 UTC. No saved preferences: messages are on.
    with time_machine.travel(datetime(2027, 1, 10, 8, 59, tzinfo=UTC), tick=False):
        patient = api.patient(timezone="Europe/Oslo", locale="en")
        silent = api.patient(timezone="Europe/Oslo")
        set_reminders(api, silent, therapist_messages=False)
        tomorrow = _follow_up(api, patient.id, date(2027, 1, 11), months=6)
        today = _follow_up(api, patient.id, date(2027, 1, 10))
        _follow_up(api, silent.id, date(2027, 1, 10))
        assert run_scheduler(api) == []  # 09:59
    with time_machine.travel(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False):
        (outbox_id,) = run_scheduler(api)
        (row,) = outbox(api, patient)
        assert (row.kind, row.thing, str(row.local_date)) == ("follow_up", str(today), "2027-01-10")
        assert outbox(api, silent) == []
        assert tomorrow != today
        assert deliver_one(api, outbox_id).status == "no_device"
