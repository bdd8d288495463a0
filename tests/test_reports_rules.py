"""The outcome report's pure rules, on hand-computed cases: periods, small-cell suppression
(including caseloads that would leak through a total), quartiles, RTW status, format choice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.reports.periods import parse_period
from app.reports.render import chosen_format
from app.reports.stats import (
    actual_status,
    quartiles,
    rtw_change,
    rtw_status,
    sick_leave_plan,
    working_status,
)
from app.reports.suppression import RULE, THRESHOLD, Group, suppress
from app.work.grades import PeriodGrade, Plan, Stage
from app.work.plan import plan_of
from app.work.schemas import PlanIn


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),  # a leap year
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_periods(text: str, first: date, last: date) -> None:
    period = parse_period(text)
    assert (period.label, period.first, period.last) == (text, first, last)


@pytest.mark.parametrize("text", ["2026-00", "2026-13", "2026-Q0", "2026-Q5", "2026-1", "1999-01"])
def test_not_a_period(text: str) -> None:
    with pytest.raises(ValueError, match="not a month"):
        parse_period(text)


# Suppression: every expected set below is worked out by hand from the rule in
# app/reports/suppression.py (threshold 5).


def test_primary_suppression_is_fewer_than_five_zero_included() -> None:
    assert THRESHOLD == 5
    assert suppress({"a": 4, "b": 5, "c": 0, "d": 120}, []) == {"a", "c"}


def test_a_lone_small_cell_would_leak_through_its_total() -> None:
    # 12 patients, 9 at work, 3 not: publishing 12 and 9 gives away the 3.
    cells = {"total": 12, "working": 9, "not": 3}
    assert suppress(cells, [Group("total", ("working", "not"))]) == {"not", "working"}


def test_a_zero_would_be_pinned_by_its_total() -> None:
    cells = {"total": 10, "yes": 10, "no": 0}
    assert suppress(cells, [Group("total", ("yes", "no"))]) == {"no", "yes"}


def test_small_cells_that_add_up_to_fewer_than_five_take_the_next_smallest() -> None:
    # 2 + 1 hidden would be recovered as 30 - 15 - 12 = 3: hide 12 too (3 + 12 = 15 >= 5).
    cells = {"t": 30, "a": 15, "b": 12, "c": 2, "d": 1}
    assert suppress(cells, [Group("t", ("a", "b", "c", "d"))]) == {"b", "c", "d"}


def test_small_cells_that_add_up_to_five_are_enough() -> None:
    cells = {"t": 30, "a": 15, "b": 10, "c": 3, "d": 2}
    assert suppress(cells, [Group("t", ("a", "b", "c", "d"))]) == {"c", "d"}


def test_ties_take_the_first_listed() -> None:
    cells = {"t": 20, "a": 8, "b": 8, "c": 4}
    assert suppress(cells, [Group("t", ("a", "b", "c"))]) == {"a", "c"}


def test_a_small_total_hides_its_parts() -> None:
    cells = {"t": 4, "a": 3, "b": 1}
    assert suppress(cells, [Group("t", ("a", "b"))]) == {"t", "a", "b"}


def test_a_hidden_total_is_not_recovered_from_its_published_parts() -> None:
    # 20 patients: 17 with a score, 3 without (hidden), so 17 is hidden too; 17 would come
    # back as 9 + 8 from the next level: hide the smaller part there.
    cells = {"active": 20, "scored": 17, "unscored": 3, "high": 9, "low": 8}
    groups = [
        Group("active", ("scored", "unscored")),
        Group("scored", ("high", "low")),
    ]
    assert suppress(cells, groups) == {"unscored", "scored", "low"}


def test_groups_are_revisited_until_nothing_changes() -> None:
    # The second group hides `b`, which is the total of the first one listed.
    cells = {"b": 9, "x": 6, "y": 3, "a": 20, "c": 11}
    groups = [Group("b", ("x", "y")), Group("a", ("b", "c"))]
    # y < 5 -> x; then b, x ... : first group -> {y, x}; second: none hidden -> stop.
    assert suppress(cells, groups) == {"x", "y"}
    cells = {"b": 9, "x": 6, "y": 5, "a": 12, "c": 3}
    # c < 5 -> b (second group); then the first group has its total hidden alone -> y.
    assert suppress(cells, groups) == {"c", "b", "y"}


def test_the_report_states_its_rule() -> None:
    assert "fewer than 5 patients" in RULE
    assert "recovered by subtraction" in RULE


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=6))
def test_no_group_leaks_a_small_number(parts: list[int]) -> None:
    names = tuple(f"p{i}" for i in range(len(parts)))
    cells = {"total": sum(parts), **dict(zip(names, parts, strict=True))}
    hidden = suppress(cells, [Group("total", names)])
    assert {key for key, n in cells.items() if n < THRESHOLD} <= hidden
    members = ["total", *names]
    count = sum(key in hidden for key in members)
    assert count != 1  # no equation with a lone unknown
    hidden_parts = [cells[key] for key in names if key in hidden]
    if "total" not in hidden and hidden_parts and count < len(members):
        assert sum(hidden_parts) >= THRESHOLD  # the remainder is never a small number


def test_quartiles_inclusive() -> None:
    # QUARTILE.INC({1,2,3,4}; 1..3) = 1.75, 2.5, 3.25 (positions (n-1)p: 0.75, 1.5, 2.25).
    assert quartiles([1, 2, 3, 4]) == (1.75, 2.5, 3.25)
    # The report test's adherence: 0, 10/29, 20/29, 1, 1 -> the 2nd, 3rd and 4th values.
    assert quartiles([0.0, 0.345, 0.69, 1.0, 1.0]) == (0.345, 0.69, 1.0)
    # Ten 0s and four 1s: positions 3.25, 6.5 and 9.75 -> 0, 0, 0.75.
    assert quartiles([0.0] * 10 + [1.0] * 4) == (0.0, 0.0, 0.75)
    assert quartiles([7.0]) == (7.0, 7.0, 7.0)
    assert quartiles([]) is None


@pytest.mark.parametrize(
    ("working", "status"),
    [
        (0, "none"),
        (1, "partial_1_39"),
        (39, "partial_1_39"),
        (40, "partial_40_79"),
        (79, "partial_40_79"),
        (80, "partial_80_99"),
        (99, "partial_80_99"),
        (100, "full"),
    ],
)
def test_working_bands(working: int, status: str) -> None:
    assert working_status(working) == status


PLAN = Plan(
    agreed_weekly_hours=Decimal("37.5"),
    work_days=frozenset({1, 2, 3, 4, 5}),
    stages=(Stage(date(2026, 10, 1), 100), Stage(date(2026, 11, 16), 50)),
)


def test_rtw_status_from_the_stage_in_force_or_the_return() -> None:
    def status(day: date, recorded: date | None = None, plan_on: date | None = None) -> str:
        return rtw_status(PLAN, recorded_on=recorded, plan_return_on=plan_on, day=day)

    assert status(date(2026, 9, 30)) == "unknown"  # before the plan's first stage
    assert status(date(2026, 10, 1)) == "none"  # 100 % sick leave: 0 % working
    assert status(date(2026, 11, 15)) == "none"
    assert status(date(2026, 11, 16)) == "partial_40_79"  # 50 % working
    assert status(date(2026, 11, 19), recorded=date(2026, 11, 20)) == "partial_40_79"
    assert status(date(2026, 11, 20), recorded=date(2026, 11, 20)) == "full"
    # The therapist's record wins over the plan's date (app.boosters.followups.actual_return).
    assert status(date(2026, 11, 20), recorded=date(2026, 12, 1), plan_on=date(2026, 11, 1)) == (
        "partial_40_79"
    )
    assert status(date(2026, 11, 20), plan_on=date(2026, 11, 1)) == "full"
    no_plan = rtw_status(None, recorded_on=None, plan_return_on=None, day=date(2026, 11, 30))
    assert no_plan == "unknown"
    returned = rtw_status(
        None, recorded_on=date(2026, 11, 1), plan_return_on=None, day=date(2026, 11, 30)
    )
    assert returned == "full"


def test_rtw_change() -> None:
    assert rtw_change("none", "partial_1_39") == "up"
    assert rtw_change("partial_40_79", "full") == "up"
    assert rtw_change("partial_80_99", "partial_40_79") == "down"
    assert rtw_change("full", "none") == "down"
    assert rtw_change("none", "none") == "same"
    assert rtw_change("unknown", "full") is None
    assert rtw_change("none", "unknown") is None


@pytest.mark.parametrize(
    ("asked", "accept", "chosen"),
    [
        (None, None, "json"),
        (None, "*/*", "json"),
        (None, "application/json", "json"),
        (None, "text/csv", "csv"),
        (None, "text/csv; charset=utf-8", "csv"),
        (None, "application/json, text/csv;q=0.5", "json"),
        (None, "text/csv, application/json;q=0.9", "csv"),
        (None, "text/csv;q=0", "json"),
        (None, "text/csv;q=x", "json"),
        (None, "text/csv, */*", "csv"),
        ("csv", "application/json", "csv"),
        ("json", "text/csv", "json"),
    ],
)
def test_format_choice(asked: str | None, accept: str | None, chosen: str) -> None:
    assert chosen_format(asked, accept) == chosen  # type: ignore[arg-type]


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
            st.sampled_from([0, 20, 35, 50, 80, 100]),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda stage: stage[0],
    ),
    st.dates(min_value=date(2024, 12, 1), max_value=date(2028, 1, 31)),
    st.lists(
        st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, unique=True
    ),
    st.sampled_from(["37.5", "30", "22.25", "40"]),
)
def test_the_light_plan_reads_what_plan_of_reads(
    stages: list[tuple[date, int]], day: date, work_days: list[str], hours: str
) -> None:
    data = PlanIn.model_validate(
        {
            "agreed_weekly_hours": float(hours),
            "work_days": work_days,
            "stages": [
                {"starts_on": d.isoformat(), "sick_leave_percent": p} for d, p in sorted(stages)
            ],
            "next_review_on": day.isoformat(),
        }
    )
    body = data.model_dump(mode="json", exclude={"version"})  # as app.work.plan stores it
    full, light = plan_of(body), sick_leave_plan(body)
    assert (light.agreed_weekly_hours, light.work_days) == (
        full.agreed_weekly_hours,
        full.work_days,
    )
    assert [(s.starts_on, s.sick_leave_percent) for s in light.stages] == [
        (s.starts_on, s.sick_leave_percent) for s in full.stages
    ]
    full_stage, light_stage = full.stage_on(day), light.stage_on(day)
    assert (full_stage is None) == (light_stage is None)
    if full_stage is not None and light_stage is not None:
        assert full_stage.sick_leave_percent == light_stage.sick_leave_percent


def _week(actual: int | None, *, missing: int = 0) -> PeriodGrade:
    monday = date(2026, 11, 23)
    return PeriodGrade(
        monday,
        monday + timedelta(days=6),
        partial=False,
        weekdays_in_period=5,
        weekdays_recorded=5 - missing,
        actual_grade=actual,
    )


@pytest.mark.parametrize(
    ("week", "status"),
    [
        (None, "no_grade"),
        (_week(None), "no_grade"),
        (_week(50, missing=1), "incomplete"),
        (_week(0), "none"),
        (_week(1), "partial_1_39"),
        (_week(50), "partial_40_79"),
        (_week(80), "partial_80_99"),
        (_week(100), "full"),
        (_week(112), "full"),  # the grade is not capped
    ],
)
def test_actual_status(week: PeriodGrade | None, status: str) -> None:
    assert actual_status(week) == status
