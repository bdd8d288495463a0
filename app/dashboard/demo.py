"""`mestring seed-demo --patients N --days D`: a synthetic caseload at scale, deterministic.

One therapist (`bulk-therapist@demo.example.com`) gets N patients, each with D days of
history ending yesterday: check-ins on most days (a slow random walk of RTW-SE), attention
training twice a day and worry postponement once a day with logs on most days, a graded
return-to-work plan with diary hours on work days, and an open booster request for about one
patient in ten. Rows are written in bulk by `app.dashboard.demo_write` (PostgreSQL COPY with
the sync change log beside them and the tables' keys and indexes set aside until the end,
`app.dashboard.demo_defer`; executemany on SQLite) with one password hash shared by every
bulk account; the next batch is made while the last one is written. Everything comes from
`random.Random(seed)`: the same arguments give the same data (`bench/seed.py` prints digests
of it).
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from asyncpg.pgproto import pgproto
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.checkins.definition import score_answers
from app.checkins.questionnaire import current_version
from app.core.security import PasswordHasher
from app.core.time import local_today, utcnow, zone
from app.dashboard.demo_write import COLUMNS, BulkWriter, Row, paused_gc
from app.work.grades import Plan, full_return_date
from app.work.plan import plan_of
from app.work.reviews import review_switches
from app.work.schemas import PlanIn, StageIn

BULK_THERAPIST = "bulk-therapist@demo.example.com"
BULK_PASSWORD = "demo-bulk-pass"  # noqa: S105  # a demo login, printed by seed-demo
FIRST = ("Ada", "Bjørn", "Cato", "Dina", "Eirik", "Frida", "Geir", "Hanne", "Ivar", "Jorunn")
LAST = ("Berg", "Dahl", "Eide", "Haugen", "Lie", "Moe", "Nilsen", "Strand", "Vik", "Aas")
ATT_DETAILS = {"phases_completed": ["selective", "switching", "divided"]}
FLUSH_EVERY = 100  # patients per bulk write, so memory stays flat at any scale
TIMEZONE = "Europe/Oslo"
WORK_DELTAS = (-1, -0.5, 0, 0, 0.5)  # hours worked against the plan's day


@dataclass(frozen=True, slots=True)
class BulkSeeded:
    therapist_email: str
    password: str
    patients: int
    days: int
    rows: int


@dataclass(frozen=True, slots=True)
class _Day:
    """What every patient shares on one day of the history (the same dates, zone and plan)."""

    day: date
    evening: datetime  # 20:00 local, in UTC: check-ins and diary entries
    practice: tuple[datetime, datetime]  # 08:00 and 14:00 local, in UTC: the exercise logs
    planned_minutes: int | None  # None: no hours planned (no stage yet, none that day)
    worked_minutes: dict[float, int]  # minutes worked for each of WORK_DELTAS


@dataclass(frozen=True, slots=True)
class _Texts:
    """What the rows share: the questionnaire, and JSON columns encoded once."""

    questionnaire_id: uuid.UUID
    answers: dict[int, str]  # by the value answered to every item
    scores: dict[int, Any]
    attention: str  # an attention-training log's details
    worry: dict[int, str]  # a worry-postponement log's details, by worries noticed


_V4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))  # the variant and version bits
_V4_SET = (0x8000 << 48) | (4 << 76)  # RFC 4122 variant, version 4


def _uuid(rng: random.Random) -> uuid.UUID:
    """`uuid.UUID(int=rng.getrandbits(128), version=4)`, the same value, as asyncpg's own UUID
    (a `uuid.UUID` to everyone, equal and hashing alike): made from the bits in C, three times
    cheaper, and COPY writes its 16 bytes without asking Python for `.bytes` (a million times
    per 200 patients)."""
    bits = (rng.getrandbits(128) & _V4_CLEAR) | _V4_SET
    return cast(uuid.UUID, pgproto.UUID(bits.to_bytes(16, "big")))


def _plan(start: date, today: date) -> PlanIn:
    span = max((today - start).days, 3)
    steps = ((0, 100), (span // 3, 60), (2 * span // 3, 40), (span + 14, 20))
    return PlanIn(
        stages=[
            StageIn(starts_on=start + timedelta(days=d), sick_leave_percent=p) for d, p in steps
        ]
    )


def _days(plan: Plan, today: date, days: int) -> list[_Day]:
    """The history's days, oldest first, with what each patient's rows take from them."""
    tz = zone(TIMEZONE)
    found = []
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)

        def at(hour: int, day: date = day) -> datetime:
            return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)

        planned = plan.planned_hours_on(day)
        worked = {
            delta: int(max(Decimal(0), planned + Decimal(delta)) * 60)
            for delta in WORK_DELTAS
            if planned
        }
        found.append(
            _Day(day, at(20), (at(8), at(14)), int(planned * 60) if planned else None, worked)
        )
    return found


@dataclass(slots=True)
class _Caseload:
    """Makes the rows of patients `first..last - 1`, batch after batch, from one `rng`."""

    rng: random.Random
    therapist_id: uuid.UUID
    user: tuple[str, str, datetime, None, str]  # timezone, locale, created_at, disabled, hash
    start: date
    now: datetime
    body: str
    full_return: date | None
    switches: list[int]  # the plan's review switches (rtw_plans.review_switches)
    history: list[_Day]
    texts: _Texts

    def batch(self, first: int, last: int) -> dict[str, list[Row]]:
        rng, therapist_id, start, now = self.rng, self.therapist_id, self.start, self.now
        rows: dict[str, list[Row]] = {key: [] for key in COLUMNS}
        if first == 0:
            rows["users"].append(
                (therapist_id, BULK_THERAPIST, "Bulk Terapeut", "therapist", *self.user)
            )
        for n in range(first, last):
            pid = _uuid(rng)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {n + 1}"
            email = f"bulk-patient-{n + 1}@demo.example.com"
            rows["users"].append((pid, email, name, "patient", *self.user))
            rows["links"].append((_uuid(rng), pid, therapist_id, now, None))
            assignments = []
            for kind, per_day, slot in (
                ("attention_training", 2, None),
                ("worry_postponement", 1, time(18, 30)),
            ):
                aid = _uuid(rng)
                assignments.append((aid, kind == "attention_training", per_day))
                rows["assignments"].append(
                    (aid, pid, therapist_id, kind, start, None, slot, None, now, now)
                )
                rows["doses"].append(
                    (_uuid(rng), aid, start, per_day, None, False, therapist_id, now)
                )
            plan = (self.body, self.full_return, therapist_id, "therapist", now)
            rows["plans"].append((pid, 1, *plan, self.switches))
            rows["versions"].append((_uuid(rng), pid, 1, *plan))
            _history(rows, rng, pid, assignments, self.history, self.texts)
            if rng.random() < 0.1:
                rows["boosters"].append(
                    (_uuid(rng), pid, "patient", "open", "Would like a booster session",
                     None, None, None, now, now, None)
                )  # fmt: skip
        return rows


async def seed_bulk(
    session: AsyncSession, *, hasher: PasswordHasher, patients: int, days: int, seed: int = 1
) -> BulkSeeded:
    """One therapist with `patients` patients and `days` days of history each (fresh database).

    The rows of the next `FLUSH_EVERY` patients are made in a worker thread while the
    previous ones are written, so the seeder and the database work at the same time."""
    found = await session.scalar(
        select(user_table.c.id).where(user_table.c.email == BULK_THERAPIST)
    )
    if found is not None:
        raise ValueError(f"{BULK_THERAPIST} exists already: seed a fresh database.")
    rng = random.Random(seed)  # noqa: S311  # repeatable synthetic data, nothing secret
    version = await current_version(session)
    items = version.definition.items
    by_value = {v: {i.id: 7 - v if i.reverse else v for i in items} for v in range(1, 7)}
    texts = _Texts(
        questionnaire_id=version.id,
        answers={v: json.dumps(a) for v, a in by_value.items()},
        scores={v: score_answers(version.definition, a) for v, a in by_value.items()},
        attention=json.dumps(ATT_DETAILS),
        worry={n: json.dumps({"worries_noticed": n, "worry_time_used": True}) for n in range(7)},
    )
    now = utcnow()
    password_hash = await hasher.hash(BULK_PASSWORD)
    therapist_id = _uuid(rng)
    # Every patient's history has the same dates and the same plan.
    today = local_today(TIMEZONE)
    start = today - timedelta(days=days)
    body = _plan(start, today).model_dump(mode="json", exclude={"version"})
    plan = plan_of(body)
    caseload = _Caseload(
        rng=rng,
        therapist_id=therapist_id,
        user=(TIMEZONE, "nb", now, None, password_hash),
        start=start,
        now=now,
        body=json.dumps(body),
        full_return=full_return_date(plan.stages),
        switches=review_switches(plan),
        history=_days(plan, today, days),
        texts=texts,
    )
    writer = BulkWriter(session)
    await writer.start()
    written = 0
    writing: asyncio.Task[int] | None = None
    with paused_gc():
        try:
            for first in range(0, max(patients, 1), FLUSH_EVERY):
                last = min(first + FLUSH_EVERY, patients)
                rows = await asyncio.to_thread(caseload.batch, first, last)
                if writing is not None:
                    written += await writing
                writing = asyncio.ensure_future(writer.write(rows))
        finally:
            if writing is not None:
                written += await writing
    await writer.finish()
    await session.commit()
    if (await session.connection()).dialect.name == "postgresql":
        await session.execute(text("ANALYZE"))  # fresh statistics, or the planner guesses
        await session.commit()
    return BulkSeeded(BULK_THERAPIST, BULK_PASSWORD, patients, days, written)


def _history(
    rows: dict[str, list[Row]],
    rng: random.Random,
    pid: uuid.UUID,
    assignments: list[tuple[uuid.UUID, bool, int]],
    history: list[_Day],
    texts: _Texts,
) -> None:
    """One patient's days: check-ins, exercise logs and diary entries (the random draws in
    the same order as ever, so a seed gives the same data)."""
    checkins, logs, diary = rows["checkins"], rows["logs"], rows["diary"]
    draw, bits = rng.random, rng.getrandbits
    level = rng.uniform(2.5, 5.5)
    diligence = rng.uniform(0.3, 0.95)
    zero_hash = "0" * 64
    for d in history:
        # rng.uniform(a, b) is a + (b - a) * rng.random(): spelt out, the same floats
        level = min(6.0, max(1.0, level + (-0.3 + _WALK * draw())))
        if draw() < 0.8:
            value = max(1, min(6, round(level + (-0.5 + _SPREAD * draw()))))
            checkins.append(
                (_uuid(rng), pid, d.day, texts.questionnaire_id, texts.answers[value],
                 texts.scores[value],
                 value, 60 - 10 * value, None, d.evening, d.evening)
            )  # fmt: skip
        for aid, attention, per_day in assignments:
            for k in range(per_day):
                if draw() > diligence:
                    continue
                kind, details = (
                    ("attention_training", texts.attention)
                    if attention
                    else ("worry_postponement", texts.worry[_below(bits, 7)])  # randint(0, 6)
                )
                at = d.practice[k]
                logs.append((_uuid(rng), pid, aid, kind, at, d.day, 600, details, zero_hash, at))
        if d.planned_minutes is not None and draw() < 0.85:
            worked = d.worked_minutes[WORK_DELTAS[_below(bits, len(WORK_DELTAS))]]  # choice
            diary.append(
                (_uuid(rng), pid, d.day, worked, d.planned_minutes, True, None,
                 2 + _below(bits, 6), None, 1, d.evening, d.evening)  # randint(2, 7)
            )  # fmt: skip


_WALK = 0.3 - -0.3  # the widths of rng.uniform(-0.3, 0.3) and rng.uniform(-0.5, 0.5)
_SPREAD = 0.5 - -0.5


def _below(bits: Callable[[int], int], n: int) -> int:
    """What `random.Random` draws for `randint(0, n - 1)` and `choice` of n items
    (`_randbelow`: k random bits, again until below n), one call instead of three."""
    k = n.bit_length()
    found = bits(k)
    while found >= n:
        found = bits(k)
    return found
