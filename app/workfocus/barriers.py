"""Writing and reading barriers checks (one per patient and local date)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.access import PatientScope, counsellor_reads
from app.core.db import dialect_insert
from app.core.errors import Unprocessable
from app.core.time import local_today, utcnow
from app.instruments.profiles import BARRIERS_KEY, WORKPLACE_ITEMS
from app.instruments.scoring import AnswersMismatch
from app.instruments.store import LoadedVersion, current_version, version_by_id
from app.workfocus.barrier_rules import summarise, workplace_conflict
from app.workfocus.models import barrier_check_table
from app.workfocus.schemas import BarrierCheckPublic, BarrierCheckWrite, BarrierDomainPublic

_b = barrier_check_table.c
BACKFILL_DAYS = 7
_RETURNED = (
    _b.id,
    _b.local_date,
    _b.questionnaire_id,
    _b.answers,
    _b.notes,
    _b.score,
    _b.domain_scores,
    _b.highlighted,
    _b.workplace_rating,
    _b.created_at,
    _b.updated_at,
)


def public(row: Any, version: LoadedVersion, *, locale: str) -> BarrierCheckPublic:
    """A stored check with its domains titled in `locale`."""
    d = version.definition
    high = set(row.highlighted)
    domains = [
        BarrierDomainPublic(
            id=domain.id,
            title=domain.title.get(locale),
            score=row.domain_scores[domain.id],
            items_rated_high=[i.id for i in d.items if i.domain == domain.id and i.id in high],
            note=row.notes.get(domain.id),
        )
        for domain in d.domains
        if domain.id in row.domain_scores
    ]
    return BarrierCheckPublic(
        id=row.id,
        local_date=row.local_date,
        questionnaire_id=row.questionnaire_id,
        questionnaire_version=version.version,
        illustrative=d.metadata.illustrative,
        answers=row.answers,
        notes=row.notes,
        score=row.score,
        domains=domains,
        highlighted=list(row.highlighted),
        workplace_rating=row.workplace_rating,
        workplace_conflict=workplace_conflict(row.workplace_rating),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def check_date(local_date: date, *, today: date) -> None:
    """A check may be for today or the 7 days before it (in the patient's time zone)."""
    if local_date > today:
        raise Unprocessable(
            "A barriers check cannot be for a future date.", code="barriers_date_future"
        )
    if local_date < today - timedelta(days=BACKFILL_DAYS):
        raise Unprocessable(
            f"A barriers check can be written at most {BACKFILL_DAYS} days late.",
            code="barriers_date_too_old",
        )


async def write_check(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    timezone: str,
    locale: str,
    local_date: date,
    data: BarrierCheckWrite,
) -> tuple[BarrierCheckPublic, bool]:
    """Insert or replace the date's check; (the check, whether it is new)."""
    now = utcnow()
    check_date(local_date, today=local_today(timezone, now=now))
    version = await current_version(session, key=BARRIERS_KEY)
    definition = version.definition
    try:
        summary = summarise(definition, data.answers)
    except AnswersMismatch as exc:
        raise Unprocessable(str(exc), code="answers_mismatch") from exc
    domain_ids = {domain.id for domain in definition.domains}
    unknown = sorted(set(data.notes) - domain_ids)
    if unknown:
        raise Unprocessable(
            f"Notes name domains that do not exist: {unknown}.", code="unknown_domain"
        )
    new_id = uuid.uuid4()
    values = {
        "questionnaire_id": version.id,
        "answers": data.answers,
        "notes": {key: text for key, text in data.notes.items() if text},
        "score": summary.score,
        "domain_scores": summary.domains,
        "highlighted": list(summary.highlighted),
        "workplace_rating": summary.workplace_rating,
        "updated_at": now,
    }
    stmt = dialect_insert(session, barrier_check_table).values(
        id=new_id, patient_id=patient_id, local_date=local_date, created_at=now, **values
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["patient_id", "local_date"], set_=values
    ).returning(*_RETURNED)
    row = (await session.execute(stmt)).one()
    await session.commit()
    return public(row, version, locale=locale), row.id == new_id


async def history(
    session: AsyncSession, *, patient_id: uuid.UUID, locale: str, limit: int
) -> list[BarrierCheckPublic]:
    """The patient's checks, newest first."""
    rows = (
        await session.execute(
            select(*_RETURNED)
            .where(_b.patient_id == patient_id)
            .order_by(_b.local_date.desc())
            .limit(limit)
        )
    ).all()
    versions = {
        version_id: await version_by_id(session, version_id=version_id)
        for version_id in {row.questionnaire_id for row in rows}
    }
    return [public(row, versions[row.questionnaire_id], locale=locale) for row in rows]


async def history_for_staff(
    session: AsyncSession, *, scope: PatientScope, locale: str, limit: int
) -> list[BarrierCheckPublic]:
    """A patient's checks, newest first, domains titled in the reader's locale; a job
    counsellor sees only the workplace domain (`workplace_only`)."""
    checks = await history(session, patient_id=scope.patient_id, locale=locale, limit=limit)
    if not counsellor_reads(scope):
        return checks
    versions = {
        version_id: await version_by_id(session, version_id=version_id)
        for version_id in {check.questionnaire_id for check in checks}
    }
    return [workplace_only(check, versions[check.questionnaire_id]) for check in checks]


def workplace_only(check: BarrierCheckPublic, version: LoadedVersion) -> BarrierCheckPublic:
    """The check cut to the workplace domain (the domain of the locked conflict and harassment
    items): its answers, note, score and high items; no overall score (it covers every
    domain)."""
    d = version.definition
    domains = {i.domain for i in d.items if i.id in WORKPLACE_ITEMS}
    items = {i.id for i in d.items if i.domain in domains}
    return check.model_copy(
        update={
            "answers": {k: v for k, v in check.answers.items() if k in items},
            "notes": {k: v for k, v in check.notes.items() if k in domains},
            "score": None,
            "domains": [domain for domain in check.domains if domain.id in domains],
            "highlighted": [item for item in check.highlighted if item in items],
        }
    )
