"""When a reminder is due: pure functions over local wall-clock times (issue 17, "Reminders
and push"; docs/notes/issue-17.md, "Reminders and the worker").

1. Times are stored as local wall-clock times and read, each day, in the patient's *current*
   zone (`at_instant`): after a move from Oslo to New York, "19:00" is 19:00 in New York.
2. DST: a wall-clock time that does not exist that day (02:30 on the spring-forward Sunday in
   Oslo) is read with the offset in force before the gap, i.e. it fires as many minutes after
   the gap as it lay inside it (02:30 -> 03:30 CEST); a time that occurs twice (02:30 on the
   fall-back Sunday) fires at its first occurrence. Both are Python's `fold=0` reading.
3. A reminder is due from its instant for `LATE_LIMIT` (a worker that was down catches up on
   what is at most that late, and drops older ones: a 19:00 nudge at midnight helps nobody).
4. Quiet hours `[from, to)` may wrap midnight (`22:00`-`07:00`). They are checked against the
   local wall clock *when the push would be sent*; a reminder falling in them is skipped for
   that day, not postponed (a postponed 19:00 reminder would arrive at 07:00 the next morning,
   about the wrong day).
5. At most once per (patient, kind, thing, local date): the `sent_reminders` unique key. The
   local date is the date of the thing (for a worry-time reminder, the date of the worry time,
   which may be tomorrow's when the reminder is before midnight and the worry time after).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.push.message import PushMessage

LATE_LIMIT = timedelta(hours=2)
THERAPIST_MESSAGE_TTL = timedelta(days=2)

CHECKIN = "checkin"
HOMEWORK = "homework"
WORRY_TIME = "worry_time"
MEASURE = "measure"
NEW_ASSIGNMENT = "new_assignment"
BOOSTER_SCHEDULED = "booster_scheduled"
FOLLOW_UP = "follow_up"  # a therapist message, but time-based: the scheduler sends it
FOLLOW_UP_AT = time(10, 0)  # local time on the follow-up's due date
# Kinds the scheduler finds (checked again at send time: still due, quiet hours).
REMINDER_KINDS = frozenset({CHECKIN, HOMEWORK, WORRY_TIME, MEASURE, FOLLOW_UP})
THERAPIST_KINDS = frozenset({NEW_ASSIGNMENT, BOOSTER_SCHEDULED, FOLLOW_UP})
EVENT_KINDS = frozenset({NEW_ASSIGNMENT, BOOSTER_SCHEDULED})  # written with their event


def at_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone` (rule 2: fold=0 for gaps and
    repeats)."""
    return datetime.combine(day, at.replace(fold=0), tzinfo=zone).astimezone(UTC)


def is_due(instant: datetime, now: datetime) -> bool:
    """Due from its instant up to LATE_LIMIT later (rule 3)."""
    return instant <= now < instant + LATE_LIMIT


def in_quiet_hours(moment: time, quiet_from: time | None, quiet_to: time | None) -> bool:
    """Is the local wall-clock `moment` inside `[from, to)`, wrapping midnight (rule 4)."""
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return False
    moment = moment.replace(second=0, microsecond=0, fold=0)
    if quiet_from < quiet_to:
        return quiet_from <= moment < quiet_to
    return moment >= quiet_from or moment < quiet_to


def worry_reminder(
    *, worry_time: time, minutes_before: int, today: date, zone: ZoneInfo, now: datetime
) -> date | None:
    """The local date of the worry time whose reminder is due now, if any (rule 5: today's, or
    tomorrow's when the reminder falls before midnight)."""
    for day in (today, today + timedelta(days=1)):
        instant = at_instant(day, worry_time, zone) - timedelta(minutes=minutes_before)
        if is_due(instant, now):
            return day
    return None


def tag_for(patient_id: object, kind: str, thing: str, day: date | None, extra: str = "") -> str:
    """32 URL-safe characters naming the thing (a repeat replaces, never stacks) and
    revealing nothing about it to the push service (it becomes the Web Push `Topic`)."""
    key = f"{patient_id}|{kind}|{thing}|{day}|{extra}".encode()
    return base64.urlsafe_b64encode(hashlib.sha256(key).digest()).decode()[:32]


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder due now: the `sent_reminders` key and the instant it fell due (UTC)."""

    patient_id: uuid.UUID
    kind: str
    thing: str
    local_date: date
    instant: datetime


@dataclass(frozen=True, slots=True)
class _Text:
    nb: str
    en: str


TITLE = "Mestring"
_TEXTS: dict[str, tuple[_Text, str]] = {
    CHECKIN: (_Text("Tid for dagens innsjekk", "Time for today's check-in"), "/checkin"),
    HOMEWORK: (_Text("Dagens øvelser venter på deg", "Today's exercises are waiting"), "/today"),
    WORRY_TIME: (
        _Text("Den planlagte tiden din nærmer seg", "Your planned time is soon"),
        "/today",
    ),
    MEASURE: (_Text("Et kort spørreskjema er klart", "A short questionnaire is ready"), "/today"),
    NEW_ASSIGNMENT: (
        _Text("Du har noe nytt i appen", "You have something new in the app"),
        "/today",
    ),
    BOOSTER_SCHEDULED: (_Text("Du har en ny oppdatering", "You have a new update"), "/boosters"),
    FOLLOW_UP: (
        _Text("Et spørsmål venter på deg i appen", "A question is waiting for you in the app"),
        "/follow-ups",
    ),
}


def message_for(kind: str, locale: str, tag: str, ttl: timedelta) -> PushMessage:
    """The generic text of a kind in the patient's locale (`nb` unless `en`): no health
    content, no names, no numbers."""
    text, path = _TEXTS[kind]
    return PushMessage(
        title=TITLE,
        body=text.en if locale == "en" else text.nb,
        tag=tag,
        path=path,
        ttl_seconds=max(60, int(ttl.total_seconds())),
    )
