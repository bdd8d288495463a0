"""`split_recent` (issue 12: one pass) against the three comprehensions it replaced."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.checkins.summary import split_recent

TODAY = date(2026, 3, 30)


def _former(
    recent: list[tuple[date, float]], today: date, lookback_days: int
) -> tuple[list[float], list[float], dict[date, float]]:
    this = [s for d, s in recent if today - timedelta(days=7) < d <= today]
    prev = [s for d, s in recent if today - timedelta(days=14) < d <= today - timedelta(days=7)]
    first = today - timedelta(days=lookback_days - 1)
    return this, prev, {d: s for d, s in recent if first <= d <= today}


@settings(max_examples=400, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-40, 5).map(lambda n: TODAY + timedelta(days=n)),
            st.floats(min_value=0, max_value=10, allow_nan=False),
        ),
        max_size=60,
    ),
    st.integers(14, 40),
)
def test_split_recent_equals_the_former_comprehensions(
    recent: list[tuple[date, float]], lookback_days: int
) -> None:
    new = split_recent(recent, today=TODAY, lookback_days=lookback_days)
    old = _former(recent, TODAY, lookback_days)
    assert new == old
    assert list(new[2].items()) == list(old[2].items())  # the same order too


def test_the_windows_edges() -> None:
    days = [(TODAY - timedelta(days=n), float(n)) for n in range(-1, 16)]
    this, prev, scores = split_recent(days, today=TODAY, lookback_days=14)
    assert this == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert prev == [7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0]
    assert sorted(scores.values()) == [float(n) for n in range(14)]
