"""The patient's record as a FHIR R4 `Bundle` of type `collection` (`format=fhir` of the
export): a minimal Patient, the Questionnaire of every instrument version answered, one
QuestionnaireResponse per check-in and per measure response with an Observation of its score,
an Observation of the actual work grade per sick-leave period, and the RTW plan as a CarePlan.

Like the JSON export (app/privacy/export.py) it reads the other domains' tables directly, one
set-based statement per kind, and only reads. Resources are built by the pure functions of
`fhir_resources` and `fhir_work`; the tests validate the bundle with the fhir.resources library.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import user_table
from app.checkins.models import checkin_table
from app.core.errors import NotFound
from app.core.time import local_today, utcnow
from app.instruments.models import questionnaire_version_table
from app.measures.models import measure_response_table
from app.reports import fhir_resources as fr
from app.reports.fhir_work import rtw_care_plan, work_grade_observation
from app.work.service import get_plan, work_summary

MEDIA_TYPE = "application/fhir+json"


async def _answered(session: AsyncSession, patient_id: uuid.UUID) -> list[fr.Answered]:
    """Check-ins (authored when last saved) and measure responses, oldest first."""
    c, m = checkin_table.c, measure_response_table.c
    checkins = await session.execute(
        select(c.id, c.questionnaire_id, c.updated_at, c.answers, c.score, c.local_date)
        .where(c.patient_id == patient_id)
        .order_by(c.local_date, c.id)
    )
    measures = await session.execute(
        select(m.id, m.questionnaire_id, m.answered_at, m.answers, m.score, m.answered_at)
        .where(m.patient_id == patient_id)
        .order_by(m.answered_at, m.id)
    )
    return [fr.Answered(*row) for row in [*checkins.all(), *measures.all()]]


async def _instruments(
    session: AsyncSession, ids: set[uuid.UUID]
) -> dict[uuid.UUID, fr.Instrument]:
    """The questionnaire versions answered, each knowing whether a newer version exists."""
    if not ids:
        return {}
    q = questionnaire_version_table.c
    newest = select(q.key, func.max(q.version).label("version")).group_by(q.key).subquery("newest")
    rows = await session.execute(
        select(q.id, q.key, q.version, q.definition, newest.c.version)
        .join(newest, newest.c.key == q.key)
        .where(q.id.in_(ids))
        .order_by(q.key, q.version)
    )
    return {
        row[0]: fr.Instrument(row[0], row[1], row[2], row[3], current=row[2] == row[4])
        for row in rows
    }


async def fhir_bundle(
    session: AsyncSession, *, patient_id: uuid.UUID, base_url: str
) -> dict[str, Any]:
    """Every check-in and measure the patient answered, with the work side, as one Bundle."""
    base_url = base_url.rstrip("/")
    u = user_table.c
    user = (
        await session.execute(
            select(u.display_name, u.locale, u.timezone).where(u.id == patient_id)
        )
    ).first()
    if user is None:  # erased between authentication and now
        raise NotFound("User not found.", code="user_not_found")
    locale, timezone = user.locale, user.timezone
    now = utcnow()
    today = local_today(timezone, now=now)
    answered = await _answered(session, patient_id)
    instruments = await _instruments(session, {a.questionnaire_id for a in answered})
    plan = await get_plan(session, patient_id=patient_id, timezone=timezone)
    periods = await work_summary(
        session, patient_id=patient_id, timezone=timezone, by="period", weeks=1
    )

    patient_ref = fr.ref(patient_id)
    resources: list[dict[str, Any]] = [
        fr.patient(patient_id, display_name=user.display_name, locale=locale, base_url=base_url)
    ]
    resources += [
        fr.questionnaire(instrument, locale=locale, base_url=base_url)
        for instrument in instruments.values()
    ]
    for item in answered:
        instrument = instruments[item.questionnaire_id]
        common = {"patient_ref": patient_ref, "base_url": base_url}
        resources.append(fr.questionnaire_response(item, instrument, locale=locale, **common))
        resources.append(fr.score_observation(item, instrument, **common))
    resources += [
        work_grade_observation(
            period, patient_id=patient_id, patient_ref=patient_ref, base_url=base_url
        )
        for period in periods.periods
    ]
    care_plan = rtw_care_plan(plan, patient_ref=patient_ref, today=today, base_url=base_url)
    if care_plan is not None:
        resources.append(care_plan)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": fr.meta(base_url, "Bundle"),
        "type": "collection",
        "timestamp": fr.instant(now),
        "entry": [
            {"fullUrl": fr.ref(uuid.UUID(resource["id"])), "resource": resource}
            for resource in resources
        ],
    }
