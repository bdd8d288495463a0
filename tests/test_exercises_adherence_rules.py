"""The adherence rule (app/exercises/adherence.py) on hand-computed calendars, pure.

Source: DESIGN.md rule 4 and issue 10 §2 -- one rule everywhere; a patient who does every
prescribed occurrence is at 100 % on every day; what is not yet due (the rest of today, the
rest of this week) is never counted as missed; weekly doses are judged over whole ISO weeks.

March 2026: Mon 2 … Sun 8 is ISO week 10, Mon 9 … Sun 15 week 11, Mon 16 … Sun 22 week 12.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.exercises.adherence import (
    DayCount,
    Dose,
    Plan,
    Progress,
    active_dose,
    compute,
    rate,
    today_progress,
    weekly_share,
)

A = uuid.uuid4()


def plan(*doses: Dose, starts_on: date = date(2026, 3, 2), ends_on: date | None = None) -> Plan:
    return Plan(A, uuid.uuid4(), "attention_training", starts_on, ends_on, doses)


def daily(n: int, since: date = date(2026, 3, 2), paused: bool = False) -> Dose:
    return Dose(since, n, None, paused)


def weekly(n: int, since: date = date(2026, 3, 2), paused: bool = False) -> Dose:
    return Dose(since, None, n, paused)


def logs(*entries: tuple[int, int], assignment: uuid.UUID | None = A) -> list[DayCount]:
    """(day of March 2026, count)."""
    return [
        DayCount(
            assignment,
            "attention_training",
            date(2026, 3, day),
            count,
            datetime(2026, 3, day, 8, tzinfo=UTC),
        )
        for day, count in entries
    ]


def run(p: Plan, days: list[DayCount], start: int, end: int, today: int = 31) -> tuple[int, int]:
    result = compute(
        p,
        days,
        window_start=date(2026, 3, start),
        window_end=date(2026, 3, end),
        today=date(2026, 3, today),
    )
    assert result.prescribed == sum(w.prescribed for w in result.weeks)
    assert result.completed == sum(w.completed for w in result.weeks)
    return result.prescribed, result.completed


def test_daily_dose_caps_each_day_at_the_dose() -> None:
    # Twice a day for a week; Tuesday's third session does not make up for Thursday.
    days = logs((2, 2), (3, 3), (4, 1), (6, 2), (8, 1))
    assert run(plan(daily(2)), days, 2, 8) == (14, 2 + 2 + 1 + 0 + 2 + 0 + 1)


def test_weekly_dose_is_pro_rata_in_a_partial_first_week() -> None:
    # 3 a week from Thursday 5th: week 10 has 4 active days -> 12/7 rounds to 2; week 11 is 3.
    p = plan(weekly(3, since=date(2026, 3, 5)), starts_on=date(2026, 3, 5))
    days = logs((5, 1), (7, 2), (10, 1))
    result = compute(
        p,
        days,
        window_start=date(2026, 3, 2),
        window_end=date(2026, 3, 15),
        today=date(2026, 3, 20),
    )
    assert [(w.week, w.closed, w.prescribed, w.completed) for w in result.weeks] == [
        (10, True, 2, 2),
        (11, True, 3, 1),
    ]
    assert result.last_done_at == datetime(2026, 3, 10, 8, tzinfo=UTC)
    assert weekly_share(p, date(2026, 3, 2)) == 2
    assert weekly_share(p, date(2026, 2, 23)) == 0


def test_the_current_week_counts_what_is_done_and_never_what_is_still_to_do() -> None:
    p = plan(weekly(3))
    assert run(p, [], 9, 15, today=9) == (0, 0)  # Monday, nothing done yet: not a failure
    assert run(p, logs((9, 1)), 9, 15, today=10) == (1, 1)
    assert run(p, logs((9, 3)), 9, 15, today=12) == (3, 3)
    assert run(p, logs((9, 5)), 9, 15, today=12) == (3, 3)  # capped at the week's share
    # On Sunday the week is not over yet; on Monday it is, and judged whole.
    assert run(p, logs((9, 1)), 9, 15, today=15) == (1, 1)
    assert run(p, logs((9, 1)), 9, 15, today=16) == (3, 1)


def test_a_window_ending_mid_week_in_the_past_judges_that_week_only_by_what_was_done() -> None:
    p = plan(weekly(3))
    result = compute(
        p,
        logs((9, 1), (13, 2)),
        window_start=date(2026, 3, 2),
        window_end=date(2026, 3, 11),
        today=date(2026, 3, 31),
    )
    # Week 10 closed: 3 due, 0 done. Week 11 cut by the window on Wednesday: 1 done, 1 due.
    assert [(w.week, w.closed, w.prescribed, w.completed) for w in result.weeks] == [
        (10, True, 3, 0),
        (11, False, 1, 1),
    ]


def test_today_counts_only_what_is_done() -> None:
    # Twice a day, one session done at 08:00 today (Wednesday 4th): today reads 1 of 1, not
    # a 50 % failure; yesterday and the day before are fully due.
    p = plan(daily(2))
    assert run(p, logs((2, 2), (3, 2), (4, 1)), 2, 8, today=4) == (5, 5)
    assert run(p, logs((4, 1)), 4, 4, today=4) == (1, 1)
    assert run(p, [], 4, 4, today=4) == (0, 0)
    assert today_progress(p, logs((4, 1)), today=date(2026, 3, 4)) == Progress("day", 2, 1)
    assert run(p, logs((4, 3)), 4, 4, today=4) == (2, 2)


@pytest.mark.parametrize("today", range(9, 16))  # Monday 9th to Sunday 15th
@pytest.mark.parametrize("window_days", [7, 28])
def test_the_monday_doer_is_never_below_100_percent(today: int, window_days: int) -> None:
    # 3 a week since Monday 2 February, done every Monday, all three at once.
    p = plan(weekly(3, since=date(2026, 2, 2)), starts_on=date(2026, 2, 2))
    mondays = [date(2026, 2, 2) + timedelta(weeks=n) for n in range(6)]
    days = [
        DayCount(A, "attention_training", monday, 3, datetime(2026, 1, 1, tzinfo=UTC))
        for monday in mondays
    ]
    end = date(2026, 3, today)
    result = compute(
        p, days, window_start=end - timedelta(days=window_days), window_end=end, today=end
    )
    assert rate(result.completed, result.prescribed) == 1.0
    # Today's screen says the same: this week's 3 are done.
    assert today_progress(p, days, today=end) == Progress("week", 3, 3)


@pytest.mark.parametrize("today", range(9, 16))
def test_a_weekly_dose_done_on_sunday(today: int) -> None:
    p = plan(weekly(1))
    days = logs((8, 1), (15, 1))
    end = date(2026, 3, today)
    result = compute(p, days, window_start=end - timedelta(days=7), window_end=end, today=end)
    # Week 10 (closed by the 9th) is 1 of 1; week 11 counts its Sunday only once done.
    expected = (2, 2) if today == 15 else (1, 1)
    assert (result.prescribed, result.completed) == expected
    assert today_progress(p, days, today=end) == Progress("week", 1, 1 if today == 15 else 0)


def test_a_dose_that_starts_mid_week() -> None:
    # 3 a week from Thursday 5th: the first week's share is round(3 x 4/7) = 2, and today's
    # screen shows "x of 2" that week, the same number the week is judged at.
    p = plan(weekly(3, since=date(2026, 3, 5)), starts_on=date(2026, 3, 5))
    assert today_progress(p, logs((5, 1)), today=date(2026, 3, 6)) == Progress("week", 2, 1)
    assert run(p, logs((5, 1)), 1, 6, today=6) == (1, 1)
    assert run(p, logs((5, 1)), 1, 9, today=9) == (2, 1)  # the week closed with 1 of 2
    assert today_progress(p, logs((5, 1)), today=date(2026, 3, 9)) == Progress("week", 3, 0)


def test_a_dose_change_mid_window_uses_the_dose_in_force_each_day() -> None:
    # Once a day Mon-Wed, twice a day from Thursday 5th.
    p = plan(daily(1), daily(2, since=date(2026, 3, 5)))
    days = logs((2, 2), (3, 1), (5, 2), (6, 1), (8, 3))
    assert run(p, days, 2, 8) == (3 * 1 + 4 * 2, 1 + 1 + 0 + 2 + 1 + 0 + 2)


def test_a_dose_change_from_weekly_to_daily_mid_week_adds_both_parts() -> None:
    # 7 a week Mon-Wed (3 days -> 3 occurrences), then twice a day Thu-Sun (8).
    p = plan(weekly(7), daily(2, since=date(2026, 3, 5)))
    days = logs((2, 4), (5, 2), (7, 1))
    assert run(p, days, 2, 8) == (3 + 8, 3 + 2 + 1)


def test_a_weekly_week_is_judged_whole_even_when_the_window_starts_mid_week() -> None:
    # Window from Thursday 5th: week 10 ends inside it, so its Monday's logs count too.
    assert run(plan(weekly(2)), logs((2, 2)), 5, 8) == (2, 2)
    # A week ending before the window starts is not in it.
    assert run(plan(weekly(2)), logs((2, 2)), 9, 9, today=10) == (0, 0)


def test_a_pause_prescribes_nothing_and_logs_in_it_do_not_count() -> None:
    # Paused Wed 4th to Fri 6th, resumed Saturday 7th.
    p = plan(
        daily(1), daily(1, since=date(2026, 3, 4), paused=True), daily(1, since=date(2026, 3, 7))
    )
    days = logs((2, 1), (4, 1), (5, 1), (7, 1))
    assert run(p, days, 2, 8) == (4, 2)
    paused_today = plan(daily(1), daily(1, since=date(2026, 3, 4), paused=True))
    assert today_progress(paused_today, [], today=date(2026, 3, 4)) is None


def test_an_end_date_stops_the_prescription_inclusively() -> None:
    p = plan(daily(1), ends_on=date(2026, 3, 5))
    assert run(p, logs((5, 1), (6, 1)), 2, 15) == (4, 1)
    assert today_progress(p, [], today=date(2026, 3, 6)) is None


def test_a_window_starting_before_the_assignment_counts_from_the_start() -> None:
    p = plan(daily(1, since=date(2026, 3, 4)), starts_on=date(2026, 3, 4))
    result = compute(
        p,
        logs((3, 1), (4, 1)),
        window_start=date(2026, 2, 23),
        window_end=date(2026, 3, 8),
        today=date(2026, 3, 31),
    )
    assert (result.prescribed, result.completed) == (5, 1)
    assert [w.week for w in result.weeks] == [10]


def test_days_after_today_are_not_prescribed() -> None:
    assert run(plan(daily(2)), logs((3, 2)), 2, 8, today=3) == (4, 2)
    assert run(plan(daily(2)), logs((3, 1)), 2, 8, today=3) == (3, 1)
    assert run(plan(daily(2)), [], 2, 8, today=1) == (0, 0)


def test_unlinked_logs_of_the_kind_count_and_other_assignments_logs_do_not() -> None:
    days = logs((2, 1), assignment=None) + logs((3, 1), assignment=uuid.uuid4())
    assert run(plan(daily(1)), days, 2, 3) == (2, 1)


def test_today_progress_by_day_and_by_week() -> None:
    assert today_progress(plan(daily(2)), logs((4, 1)), today=date(2026, 3, 4)) == Progress(
        "day", 2, 1
    )
    days = logs((2, 1), (4, 1), (9, 1))
    # "2 of 3 this week" on Wednesday 4th; nothing of next week's log counts yet.
    assert today_progress(plan(weekly(3)), days, today=date(2026, 3, 4)) == Progress("week", 3, 2)
    result = compute(
        plan(weekly(3)),
        days,
        window_start=date(2026, 2, 25),
        window_end=date(2026, 3, 4),
        today=date(2026, 3, 4),
    )
    assert result.today == Progress("week", 3, 2)
    assert (result.prescribed, result.completed) == (2, 2)
    outside = compute(
        plan(weekly(3)),
        days,
        window_start=date(2026, 2, 23),
        window_end=date(2026, 3, 1),
        today=date(2026, 3, 4),
    )
    assert outside.today is None


def test_rate_rounds_to_three_decimals_and_is_none_without_a_prescription() -> None:
    assert rate(2, 3) == 0.667
    assert rate(1, 3) == 0.333
    assert rate(0, 0) is None
    assert rate(0, 4) == 0.0


# --- the property: nobody who does everything is ever below 100 % --------------------------

DAY0 = date(2026, 1, 5)  # a Monday
WINDOW_STARTS, WINDOW_LENGTHS = 80, 40  # windows start up to DAY0 + 80 and last up to 40 days


@st.composite
def adherent_patients(draw: st.DrawFn) -> tuple[Plan, list[DayCount], date, date, date]:
    """An assignment with a random dose history, logs that do every prescribed occurrence
    (weekly shares all on one random day of the week), a random window and today."""
    start = DAY0 + timedelta(days=draw(st.integers(0, 20)))
    length = draw(st.one_of(st.none(), st.integers(0, 60)))
    ends_on = None if length is None else start + timedelta(days=length)
    doses = []
    effective = start
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            dose = Dose(effective, draw(st.integers(1, 3)), None, draw(st.booleans()))
        else:
            dose = Dose(effective, None, draw(st.integers(1, 21)), draw(st.booleans()))
        doses.append(dose)
        effective += timedelta(days=draw(st.integers(1, 20)))
    p = Plan(A, uuid.uuid4(), "attention_training", start, ends_on, tuple(doses))
    # Logs must reach the last day any window or today can look at (DAY0 + 120): a horizon
    # short of it once left a due day of a fully adherent patient without its log.
    horizon = DAY0 + timedelta(days=WINDOW_STARTS + WINDOW_LENGTHS)
    counts: dict[date, int] = {}
    day = start - timedelta(days=start.weekday())  # from the Monday of the first week
    while day <= horizon:
        monday = day - timedelta(days=day.weekday())
        current = active_dose(p, day)
        if current is not None and current.times_per_day is not None:
            counts[day] = counts.get(day, 0) + current.times_per_day
        if day == monday:
            # Put the week's whole share on one active weekly-dose day of the week.
            weekly_days = [
                monday + timedelta(days=k)
                for k in range(7)
                if (d := active_dose(p, monday + timedelta(days=k))) is not None
                and d.times_per_week is not None
            ]
            if weekly_days:
                chosen = draw(st.sampled_from(weekly_days))
                counts[chosen] = counts.get(chosen, 0) + weekly_share(p, monday)
        day += timedelta(days=1)
    days = [
        DayCount(A, "attention_training", d, n, datetime(2026, 1, 1, tzinfo=UTC))
        for d, n in counts.items()
        if n
    ]
    window_start = DAY0 + timedelta(days=draw(st.integers(0, WINDOW_STARTS)))
    window_end = window_start + timedelta(days=draw(st.integers(0, WINDOW_LENGTHS)))
    today = DAY0 + timedelta(days=draw(st.integers(0, WINDOW_STARTS + WINDOW_LENGTHS)))
    return p, days, window_start, window_end, today


@settings(max_examples=300, deadline=None, database=None)
@given(adherent_patients())
def test_a_fully_adherent_patient_is_at_100_percent_for_every_window_and_day(
    case: tuple[Plan, list[DayCount], date, date, date],
) -> None:
    p, days, window_start, window_end, today = case
    # The patient's own "today" sessions may not have happened yet: drop them sometimes.
    for todays in (days, [d for d in days if d.local_date != today]):
        result = compute(p, todays, window_start=window_start, window_end=window_end, today=today)
        assert rate(result.completed, result.prescribed) in (1.0, None)
        for week in result.weeks:
            assert week.completed == week.prescribed


# Issue 21: mutation survivors of the rule, each pinned by hand (March 2026 as above).


def test_which_logs_count_for_an_assignment() -> None:
    # Once a day, 2-4 March. An unlinked ATT log counts; a linked and an unlinked log on the
    # same day add up (capped by the dose); an unlinked log of another kind counts for nothing,
    # nor does another assignment's log.
    other_kind = [
        DayCount(
            None, "detached_mindfulness", date(2026, 3, 3), 1, datetime(2026, 3, 3, tzinfo=UTC)
        )
    ]
    assert run(plan(daily(1)), logs((2, 1), assignment=None), 2, 4) == (3, 1)
    assert run(plan(daily(1)), other_kind, 2, 4) == (3, 0)
    assert run(plan(daily(1)), logs((2, 1), assignment=uuid.uuid4()), 2, 4) == (3, 0)
    both = logs((3, 1), assignment=None) + logs((3, 1))
    assert run(plan(daily(2)), both, 2, 4) == (6, 2)


def test_the_last_time_done_is_the_latest_log_inside_the_window() -> None:
    days = logs((2, 1), (5, 1), (6, 1))
    inside = compute(
        plan(daily(1)),
        days,
        window_start=date(2026, 3, 2),
        window_end=date(2026, 3, 5),
        today=date(2026, 3, 31),
    )
    assert inside.plan.id == A
    assert inside.last_done_at == datetime(2026, 3, 5, 8, tzinfo=UTC)  # the window's last day
    first_day = compute(
        plan(daily(1)),
        days,
        window_start=date(2026, 3, 2),
        window_end=date(2026, 3, 4),
        today=date(2026, 3, 31),
    )
    assert first_day.last_done_at == datetime(2026, 3, 2, 8, tzinfo=UTC)  # its first day
    none = compute(
        plan(daily(1)),
        days,
        window_start=date(2026, 3, 3),
        window_end=date(2026, 3, 4),
        today=date(2026, 3, 31),
    )
    assert none.last_done_at is None


def test_weeks_carry_their_iso_numbers_and_a_window_ending_on_a_monday_has_that_week() -> None:
    result = compute(
        plan(daily(1)),
        [],
        window_start=date(2026, 3, 2),
        window_end=date(2026, 3, 9),
        today=date(2026, 3, 31),
    )
    assert [(w.year, w.week, w.starts_on, w.prescribed) for w in result.weeks] == [
        (2026, 10, date(2026, 3, 2), 7),
        (2026, 11, date(2026, 3, 9), 1),
    ]
    assert today_progress(plan(daily(2)), [], today=date(2026, 3, 4)) == Progress("day", 2, 0)


def test_weekly_shares_round_half_up_over_exactly_seven_days() -> None:
    # 1 a week from Thursday 5th: 4/7 = 0.571 rounds up to 1 (a third up would give 0).
    assert weekly_share(plan(weekly(1), starts_on=date(2026, 3, 5)), date(2026, 3, 2)) == 1
    # 5 a week, a whole week: 35/7 = 5 exactly; the next Monday is not part of it.
    assert weekly_share(plan(weekly(5)), date(2026, 3, 2)) == 5
    # 5 a week from Wednesday 4th: 25/7 = 3.571 -> 4.
    assert weekly_share(plan(weekly(5), starts_on=date(2026, 3, 4)), date(2026, 3, 2)) == 4
