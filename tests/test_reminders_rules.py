"""The pure reminder rules (app/reminders/rules.py), hand-computed. Source: issue 17,
"Reminders and push" (times are local and survive zone changes; never in quiet hours; at most
once per thing per day; generic text in the patient's locale) and the rules in the module's
docstring (DST, lateness, quiet hours wrapping midnight)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.reminders.rules import (
    BOOSTER_SCHEDULED,
    CHECKIN,
    LATE_LIMIT,
    NEW_ASSIGNMENT,
    at_instant,
    in_quiet_hours,
    is_due,
    message_for,
    tag_for,
    worry_reminder,
)

OSLO = ZoneInfo("Europe/Oslo")
NEW_YORK = ZoneInfo("America/New_York")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected"),
    [
        # Winter: Oslo is UTC+1, so 19:00 is 18:00 UTC.
        (date(2027, 1, 10), time(19, 0), OSLO, utc(2027, 1, 10, 18, 0)),
        # Summer: UTC+2, 19:00 is 17:00 UTC.
        (date(2027, 6, 10), time(19, 0), OSLO, utc(2027, 6, 10, 17, 0)),
        # The same stored "19:00" after a move to New York (UTC-5): midnight UTC.
        (date(2027, 1, 10), time(19, 0), NEW_YORK, utc(2027, 1, 11, 0, 0)),
        # Spring forward, Sunday 28 March 2027, 02:00 -> 03:00: 02:30 does not exist; read
        # with the offset before the gap (+01:00): 01:30 UTC, shown as 03:30 CEST.
        (date(2027, 3, 28), time(2, 30), OSLO, utc(2027, 3, 28, 1, 30)),
        # Fall back, Sunday 31 October 2027, 03:00 -> 02:00: 02:30 happens twice; the first
        # (CEST, +02:00) is 00:30 UTC (the second would be 01:30 UTC).
        (date(2027, 10, 31), time(2, 30), OSLO, utc(2027, 10, 31, 0, 30)),
        # A time just outside the gap is untouched: 03:00 CEST = 01:00 UTC.
        (date(2027, 3, 28), time(3, 0), OSLO, utc(2027, 3, 28, 1, 0)),
    ],
)
def test_local_time_to_instant(day: date, at: time, zone: ZoneInfo, expected: datetime) -> None:
    assert at_instant(day, at, zone) == expected


def test_a_repeated_time_marked_fold_1_still_fires_at_the_first_occurrence() -> None:
    assert at_instant(date(2027, 10, 31), time(2, 30, fold=1), OSLO) == utc(2027, 10, 31, 0, 30)


def test_due_from_its_instant_for_the_late_limit_only() -> None:
    instant = utc(2027, 1, 10, 18, 0)
    assert timedelta(hours=2) == LATE_LIMIT
    assert not is_due(instant, instant - timedelta(microseconds=1))
    assert is_due(instant, instant)
    assert is_due(instant, instant + timedelta(hours=2) - timedelta(microseconds=1))
    assert not is_due(instant, instant + timedelta(hours=2))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (time(21, 59), False),
        (time(22, 0), True),  # from is inside
        (time(23, 30), True),
        (time(0, 0), True),
        (time(6, 59, 59), True),
        (time(7, 0), False),  # to is outside
        (time(12, 0), False),
    ],
)
def test_quiet_hours_wrapping_midnight(moment: time, expected: bool) -> None:
    assert in_quiet_hours(moment, time(22, 0), time(7, 0)) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(time(11, 59), False), (time(12, 0), True), (time(12, 59), True), (time(13, 0), False)],
)
def test_quiet_hours_within_a_day(moment: time, expected: bool) -> None:
    assert in_quiet_hours(moment, time(12, 0), time(13, 0)) is expected


def test_no_quiet_hours() -> None:
    assert not in_quiet_hours(time(3, 0), None, None)
    assert not in_quiet_hours(time(3, 0), time(3, 0), time(3, 0))  # empty: never quiet


def test_worry_reminder_the_evening_before_a_worry_time_after_midnight() -> None:
    # Worry time 00:10, 30 minutes before: due from 23:40 Oslo (22:40 UTC) on 10 January,
    # about the worry time of 11 January.
    def found(now: datetime) -> date | None:
        return worry_reminder(
            worry_time=time(0, 10), minutes_before=30, today=date(2027, 1, 10), zone=OSLO, now=now
        )

    assert found(utc(2027, 1, 10, 22, 39)) is None
    assert found(utc(2027, 1, 10, 22, 40)) == date(2027, 1, 11)


def test_worry_reminder_the_same_day() -> None:
    # Worry time 18:00, 15 minutes before: 17:45 Oslo = 16:45 UTC in winter.
    found = worry_reminder(
        worry_time=time(18, 0),
        minutes_before=15,
        today=date(2027, 1, 10),
        zone=OSLO,
        now=utc(2027, 1, 10, 16, 45),
    )
    assert found == date(2027, 1, 10)


def test_texts_are_generic_and_in_the_patients_locale() -> None:
    norsk = message_for(CHECKIN, "nb", "t" * 32, timedelta(hours=2))
    english = message_for(CHECKIN, "en", "t" * 32, timedelta(hours=2))
    assert (norsk.title, norsk.body, norsk.path) == (
        "Mestring",
        "Tid for dagens innsjekk",
        "/checkin",
    )
    assert english.body == "Time for today's check-in"
    assert english.ttl_seconds == 7200
    for kind in (NEW_ASSIGNMENT, BOOSTER_SCHEDULED):
        body = message_for(kind, "en", "t" * 32, timedelta(days=2)).body.lower()
        assert not any(word in body for word in ("therap", "booster", "anx", "depress", "worry"))


def test_tag_is_a_valid_topic_and_differs_per_day() -> None:
    one = tag_for("p", CHECKIN, "", date(2027, 1, 10))
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", one)
    assert one == tag_for("p", CHECKIN, "", date(2027, 1, 10))
    assert one != tag_for("p", CHECKIN, "", date(2027, 1, 11))
    assert one != tag_for("q", CHECKIN, "", date(2027, 1, 10))
