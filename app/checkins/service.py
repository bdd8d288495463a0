"""Writing a day's check-in (the hot path: Core statements, the rule in the same transaction)."""

from __future__ import annotations

import uuid
import weakref
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.boosters.rule import RuleParams
from app.boosters.rule_service import evaluate_after_checkin
from app.care.access import PatientScope
from app.checkins.definition import RTW_SE_KEY, AnswersMismatch, band_of, score_answers
from app.checkins.models import checkin_table
from app.checkins.questionnaire import current_version
from app.checkins.schemas import CheckinPublic, CheckinSaved, CheckinWrite
from app.core import rawsql
from app.core.errors import Unprocessable
from app.core.time import days_before, local_today, utcnow
from app.instruments.store import CURRENT_ID, LoadedVersion, version_by_id

_c = checkin_table.c
BACKFILL_DAYS = 2
LIST_MAX_DAYS = 366
_RETURNED = (
    _c.id,
    _c.local_date,
    _c.questionnaire_id,
    _c.answers,
    _c.score,
    _c.mood,
    _c.worry_minutes,
    _c.note,
    _c.created_at,
    _c.updated_at,
)

_REPLACED = ("questionnaire_id", "answers", "score", "mood", "worry_minutes", "note", "updated_at")


def _upsert(insert: Any) -> Any:
    stmt = insert(checkin_table)
    return stmt.on_conflict_do_update(
        index_elements=["patient_id", "local_date"],
        set_={name: stmt.excluded[name] for name in _REPLACED},
    ).returning(*_RETURNED)


_WRITTEN = (
    "id",
    "patient_id",
    "local_date",
    "questionnaire_id",
    "answers",
    "score",
    "mood",
    "worry_minutes",
    "note",
    "created_at",
    "updated_at",
)


def _guarded_upsert(insert: Any) -> Any:
    """The upsert, written only if `questionnaire_id` is still the current RTW-SE version.

    The check-in is scored against the version this worker last saw as current; the statement
    itself reads which version is current (the lookup `current_version` would have sent), so
    one round trip does both. No row back: the version changed, and the caller starts over."""
    values = {name: bindparam(name, type_=_c[name].type) for name in _WRITTEN}
    current = CURRENT_ID.scalar_subquery()  # the lookup `current_version` sends, inlined
    source = select(*values.values()).where(values["questionnaire_id"] == current)
    stmt = insert(checkin_table).from_select(list(_WRITTEN), source)
    return stmt.on_conflict_do_update(
        index_elements=["patient_id", "local_date"],
        set_={name: stmt.excluded[name] for name in _REPLACED},
    ).returning(*_RETURNED)


# Built once per dialect (both speak ON CONFLICT); the values come as parameters.
_UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}
_GUARDED = {
    "postgresql": _guarded_upsert(postgresql.insert),
    "sqlite": _guarded_upsert(sqlite.insert),
}
# Per engine (database): the RTW-SE version last read as current there. Only a guess: the
# guarded upsert checks it against the database in the same statement.
_last_current: weakref.WeakKeyDictionary[Engine | Connection, LoadedVersion] = (
    weakref.WeakKeyDictionary()
)


def _fields(row: Any, version: LoadedVersion) -> dict[str, Any]:
    """A stored check-in's public fields (for CheckinPublic and CheckinSaved alike)."""
    return dict(
        local_date=row.local_date,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=version.version,
        illustrative=version.definition.metadata.illustrative,
        answers=row.answers,
        score=row.score,
        band=band_of(row.score),
        mood=row.mood,
        worry_minutes=row.worry_minutes,
        note=row.note,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _public(row: Any, version: LoadedVersion) -> CheckinPublic:
    return CheckinPublic(**_fields(row, version))


def check_date(local_date: date, *, today: date) -> None:
    """A check-in may be for today or the 2 days before it (in the patient's time zone)."""
    if local_date > today:
        raise Unprocessable("A check-in cannot be for a future date.", code="checkin_date_future")
    if local_date < today - timedelta(days=BACKFILL_DAYS):
        raise Unprocessable(
            f"A check-in can be written at most {BACKFILL_DAYS} days late.",
            code="checkin_date_too_old",
        )


async def _write_if_current(
    session: AsyncSession,
    dialect: str,
    values: dict[str, Any],
    guess: LoadedVersion,
    answers: dict[str, int],
) -> Any | None:
    """The upserted row, scored against `guess`; None when `guess` is not the current version
    (then nothing was written) or the answers do not fit it (they may fit the current one)."""
    try:
        score = score_answers(guess.definition, answers)
    except AnswersMismatch:
        return None
    params = {
        **values,
        "questionnaire_id": guess.id,
        "score": score,
        "key": RTW_SE_KEY,
    }
    # On PostgreSQL straight on the driver, in the session's transaction (app/core/rawsql.py).
    written = await rawsql.run(session, _GUARDED[dialect], params)
    return written[0] if written else None


async def write_checkin(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    local_date: date,
    data: CheckinWrite,
    rule_defaults: RuleParams,
) -> CheckinSaved:
    """Insert or replace the day's check-in, run the booster rule, commit once."""
    now = utcnow()
    today = local_today(timezone, now=now)
    check_date(local_date, today=today)
    new_id = uuid.uuid4()
    values = {
        "id": new_id,
        "patient_id": patient_id,
        "local_date": local_date,
        "created_at": now,
        "answers": data.answers,
        "mood": data.mood,
        "worry_minutes": data.worry_minutes,
        "note": data.note,
        "updated_at": now,
    }
    bind = session.get_bind()
    dialect = bind.dialect.name
    guess = _last_current.get(bind)
    row = None
    if guess is not None:
        row = await _write_if_current(session, dialect, values, guess, data.answers)
    if guess is not None and row is not None:
        questionnaire = guess
    else:
        questionnaire = await current_version(session)
        try:
            score = score_answers(questionnaire.definition, data.answers)
        except AnswersMismatch as exc:
            raise Unprocessable(str(exc), code="answers_mismatch") from exc
        values.update(questionnaire_id=questionnaire.id, score=score)
        row = (await session.execute(_UPSERT[dialect], values)).one()
        _last_current[bind] = questionnaire
    _outcome, opened = await evaluate_after_checkin(
        session,
        patient_id=patient_id,
        today=today,
        timezone=timezone,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        defaults=rule_defaults,
        now=now,
    )
    await session.commit()
    # The id survives a conflict, so a row carrying our fresh id was inserted, not replaced.
    return CheckinSaved(
        **_fields(row, questionnaire),
        created=row.id == new_id,
        booster_request=opened,
    )


async def _list(
    session: AsyncSession, *, patient_id: uuid.UUID, start: date, end: date
) -> list[CheckinPublic]:
    if end < start:
        raise Unprocessable("`from` must not be after `to`.", code="invalid_range")
    if (end - start).days >= LIST_MAX_DAYS:
        raise Unprocessable(f"Ask for at most {LIST_MAX_DAYS} days.", code="range_too_long")
    rows = (
        await session.execute(
            select(*_RETURNED)
            .where(_c.patient_id == patient_id, _c.local_date >= start, _c.local_date <= end)
            .order_by(_c.local_date)
        )
    ).all()
    versions = {
        version_id: await version_by_id(session, version_id=version_id)
        for version_id in {row.questionnaire_id for row in rows}
    }
    return [_public(row, versions[row.questionnaire_id]) for row in rows]


async def list_own(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    start: date | None,
    end: date | None,
) -> list[CheckinPublic]:
    """The patient's check-ins from..to (default: the last 28 days), oldest first."""
    end = end or local_today(timezone)
    return await _list(session, patient_id=patient_id, start=start or days_before(end, 27), end=end)


async def patient_timezone(session: AsyncSession, *, patient_id: uuid.UUID) -> str:
    """The patient's IANA time zone (their local dates are counted in it)."""
    zone_name = await session.scalar(
        select(user_table.c.timezone).where(user_table.c.id == patient_id)
    )
    return zone_name or "Europe/Oslo"


async def list_for_therapist(
    session: AsyncSession, *, scope: PatientScope, start: date | None, end: date | None
) -> list[CheckinPublic]:
    """A linked patient's check-ins from..to (default: their last 28 days)."""
    timezone = await patient_timezone(session, patient_id=scope.patient_id)
    return await list_own(
        session, patient_id=scope.patient_id, timezone=timezone, start=start, end=end
    )
