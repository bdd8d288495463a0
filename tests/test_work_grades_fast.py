"""`period_grade` and `grade` in their issue-12 form (one pass, whole-number rounding) against
the form they had before, kept here verbatim as the reference: on random plans, diaries and
periods both must give the same figures, to the Decimal exponent of the planned hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.work.grades import (
    DAY_TYPES,
    DAYS_OFF,
    Day,
    PeriodGrade,
    Plan,
    Stage,
    StagePart,
    grade,
    period_grade,
    round_percent,
    stage_grades,
)

START = date(2026, 1, 5)


def _old_grade(worked_minutes: int, agreed_weekly_hours: Decimal, working_days: int) -> int | None:
    if working_days <= 0:
        return None
    expected_minutes = Fraction(agreed_weekly_hours) * 60 / 5 * working_days
    return round_percent(Fraction(worked_minutes) / expected_minutes * 100)


def _counted(day: date, days: Mapping[date, Day], today: date) -> bool:
    return day < today or (day == today and day in days)


def _old_period_grade(
    plan: Plan | None, days: Mapping[date, Day], *, first: date, last: date, today: date
) -> PeriodGrade:
    partial = today <= last
    if plan is None or not plan.stages:
        return PeriodGrade(first, last, partial)
    weekdays = recorded = off = worked = 0
    planned = Decimal(0)
    missing: list[date] = []
    parts: list[StagePart] = []
    weighted = 0
    part_stage: Stage | None = None
    day = first
    while day <= last and _counted(day, days, today):
        stage, entry = plan.stage_on(day), days.get(day)
        if stage is None or stage.sick_leave_percent == 0:
            part_stage = None
            day += timedelta(days=1)
            continue
        is_weekday = day.isoweekday() <= 5
        is_off = entry is not None and entry.day_type in DAYS_OFF
        working = is_weekday and not is_off
        weekdays += is_weekday
        accounted = entry is not None or day.isoweekday() not in plan.work_days
        recorded += is_weekday and accounted
        off += is_weekday and is_off
        if is_weekday and not accounted:
            missing.append(day)
        worked += entry.worked_minutes if entry is not None else 0
        if not is_off:
            planned += plan.planned_hours_on(day) or Decimal(0)
        if working:
            weighted += 100 - stage.sick_leave_percent
        if stage is part_stage:
            last_part = parts[-1]
            parts[-1] = replace(
                last_part, ends_on=day, working_days=last_part.working_days + working
            )
        else:
            parts.append(StagePart(stage.sick_leave_percent, day, day, int(working)))
            part_stage = stage
        day += timedelta(days=1)
    working_days = weekdays - off
    planned_grade = round_percent(Fraction(weighted, working_days)) if working_days else None
    return PeriodGrade(
        first=first,
        last=last,
        partial=partial,
        weekdays_in_period=weekdays,
        weekdays_recorded=recorded,
        days_off=off,
        worked_minutes=worked,
        planned_hours=planned,
        missing_days=missing,
        stages=parts,
        planned_grade=planned_grade,
        actual_grade=_old_grade(worked, plan.agreed_weekly_hours, working_days),
    )


def _hours() -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal("0.5"), max_value=Decimal(60), places=2)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    offsets = draw(st.lists(st.integers(-20, 80), max_size=5, unique=True))
    stages = tuple(
        Stage(
            starts_on=START + timedelta(days=offset),
            sick_leave_percent=draw(st.sampled_from([0, 20, 25, 50, 60, 75, 80, 100])),
            planned_weekly_hours=draw(st.none() | _hours()),
        )
        for offset in sorted(offsets)
    )
    work_days = frozenset(draw(st.sets(st.integers(1, 7), max_size=7)))
    return Plan(agreed_weekly_hours=draw(_hours()), work_days=work_days, stages=stages)


@st.composite
def diaries(draw: st.DrawFn) -> dict[date, Day]:
    offsets = draw(st.sets(st.integers(-10, 90), max_size=40))
    return {
        START + timedelta(days=offset): Day(
            draw(st.integers(0, 16 * 60)), draw(st.sampled_from(DAY_TYPES))
        )
        for offset in offsets
    }


def _same(new: PeriodGrade, old: PeriodGrade) -> None:
    assert new == old
    assert str(new.planned_hours) == str(old.planned_hours)  # the exponent too


@settings(max_examples=400, deadline=None, database=None)
@given(
    plans(),
    diaries(),
    st.integers(-10, 90),
    st.integers(0, 40),
    st.integers(-10, 100),
)
def test_period_grade_equals_its_former_form(
    plan: Plan, days: dict[date, Day], first: int, length: int, today: int
) -> None:
    kwargs = {
        "first": START + timedelta(days=first),
        "last": START + timedelta(days=first + length),
        "today": START + timedelta(days=today),
    }
    _same(period_grade(plan, days, **kwargs), _old_period_grade(plan, days, **kwargs))


@settings(max_examples=200, deadline=None, database=None)
@given(plans(), diaries(), st.integers(-10, 100))
def test_stage_grades_equal_their_former_form(
    plan: Plan, days: dict[date, Day], today: int
) -> None:
    day = START + timedelta(days=today)
    for stage in stage_grades(plan, days, today=day):
        old = _old_period_grade(
            plan, days, first=stage.starts_on, last=stage.ends_on or day, today=day
        )
        _same(stage.figures, old if stage.ends_on is not None else replace(old, partial=True))


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.integers(-10_000, 100_000),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=3),
    st.integers(-3, 30),
)
def test_grade_equals_its_former_form(minutes: int, agreed: Decimal, working_days: int) -> None:
    assert grade(minutes, agreed, working_days) == _old_grade(minutes, agreed, working_days)


@pytest.mark.parametrize("form", [grade, _old_grade])
def test_a_zero_agreement_still_divides_by_zero(form: object) -> None:
    with pytest.raises(ZeroDivisionError):
        form(60, Decimal(0), 5)  # type: ignore[operator]


@pytest.mark.parametrize("agreed", [Decimal(40), Decimal("37.5"), Decimal("7.5")])
def test_grade_equals_its_former_form_on_every_half(agreed: Decimal) -> None:
    # 40 h over one working day is 480 minutes: every 2.4 minutes a whole percent, so the
    # grid passes through many exact halves (12 minutes is 2.5 %), positive and negative.
    for working_days in range(1, 6):
        for minutes in range(-300, 3000):
            assert grade(minutes, agreed, working_days) == _old_grade(minutes, agreed, working_days)
