"""The care side of the export: exercise assignments with their doses, check-ins, booster
requests with their events, measure responses (with the questionnaire version) and risk alerts.

Each is one set-based statement (two where rows nest under their parents), as in export.py.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import booster_event_table, booster_request_table
from app.checkins.models import checkin_table
from app.exercises.models import assignment_table, dose_table
from app.instruments.models import questionnaire_version_table
from app.measures.models import measure_response_table, risk_alert_table
from app.privacy.export_rows import columns, own, records
from app.privacy.schemas import Record


def _nest(parents: list[Record], children: list[Record], *, key: str, link: str) -> None:
    """Put each child under its parent's `key` list (children are already in order)."""
    grouped: dict[Any, list[Record]] = defaultdict(list)
    for child in children:
        grouped[child.pop(link)].append(child)
    for parent in parents:
        parent[key] = grouped.get(parent["id"], [])


async def assignments(session: AsyncSession, patient_id: uuid.UUID) -> tuple[list[Record], int]:
    """The exercise assignments, each with its doses, and the number of doses."""
    a, d = assignment_table.c, dose_table.c
    assignments = await records(session, own(assignment_table, patient_id, a.created_at, a.id))
    doses = await records(
        session,
        select(*columns(dose_table, without={"id"}))
        .join_from(dose_table, assignment_table, a.id == d.assignment_id)
        .where(a.patient_id == patient_id)
        .order_by(d.assignment_id, d.effective_from),
    )
    _nest(assignments, doses, key="doses", link="assignment_id")
    return assignments, len(doses)


async def checkins(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """The check-ins, each with its questionnaire's key and version."""
    c, q = checkin_table.c, questionnaire_version_table.c
    return await records(
        session,
        select(
            *columns(checkin_table),
            q.key.label("questionnaire_key"),
            q.version.label("questionnaire_version"),
        )
        .join_from(checkin_table, questionnaire_version_table, q.id == c.questionnaire_id)
        .where(c.patient_id == patient_id)
        .order_by(c.local_date),
    )


async def booster_requests(
    session: AsyncSession, patient_id: uuid.UUID
) -> tuple[list[Record], int]:
    """The booster requests, each with its events, and the number of events."""
    r, e = booster_request_table.c, booster_event_table.c
    requests = await records(session, own(booster_request_table, patient_id, r.created_at, r.id))
    events = await records(
        session,
        select(*columns(booster_event_table, without={"id"}))
        .join_from(booster_event_table, booster_request_table, r.id == e.request_id)
        .where(r.patient_id == patient_id)
        .order_by(e.request_id, e.at, e.id),
    )
    _nest(requests, events, key="events", link="request_id")
    return requests, len(events)


async def measure_responses(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """The measure responses, each with its questionnaire version."""
    r, q = measure_response_table.c, questionnaire_version_table.c
    return await records(
        session,
        select(*columns(measure_response_table), q.version.label("questionnaire_version"))
        .join_from(measure_response_table, questionnaire_version_table, q.id == r.questionnaire_id)
        .where(r.patient_id == patient_id)
        .order_by(r.answered_at, r.id),
    )


async def risk_alerts(session: AsyncSession, patient_id: uuid.UUID) -> list[Record]:
    """The risk alerts, without the therapist's note."""
    # The therapist's note stays the clinic's: the patient sees that and when an alert was
    # acknowledged, and what was done, as in the app (issue 15).
    a = risk_alert_table.c
    return await records(
        session,
        select(*columns(risk_alert_table, without={"note"}))
        .where(a.patient_id == patient_id)
        .order_by(a.created_at, a.id),
    )
