"""The communication plan: one current plan per patient, every version kept, and suggestions.

Only the patient writes the plan. A therapist's suggestion enters it only when the patient
accepts it, as a draft entry the patient then words themselves (issue 13: the therapist never
edits the patient's words). Nothing here contacts an employer: the plan is a record.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.locks import lock_existing_patient
from app.care.access import (
    PatientScope,
    counsellor_reads,
    ensure_shared_with_counsellor,
)
from app.core.errors import Conflict, NotFound
from app.core.time import utcnow
from app.workfocus.models import (
    communication_plan_table,
    communication_plan_version_table,
    communication_suggestion_table,
)
from app.workfocus.plan_schemas import (
    CommunicationEntryPublic,
    CommunicationPlanPublic,
    CommunicationPlanWrite,
    SuggestionPublic,
    SuggestionWrite,
)

_p = communication_plan_table.c
_s = communication_suggestion_table.c
SUGGESTIONS_SHOWN = 50
_SUGGESTION_COLUMNS = (
    _s.id,
    _s.patient_id,  # also lets erasure find the therapist's stored idempotent answer
    _s.audience,
    _s.label,
    _s.text,
    _s.how_much,
    _s.status,
    _s.entry_id,
    _s.created_at,
    _s.decided_at,
)


async def _suggestions(session: AsyncSession, patient_id: uuid.UUID) -> list[SuggestionPublic]:
    rows = await session.execute(
        select(*_SUGGESTION_COLUMNS)
        .where(_s.patient_id == patient_id)
        .order_by(_s.created_at.desc(), _s.id)
        .limit(SUGGESTIONS_SHOWN)
    )
    return [SuggestionPublic.model_validate(row, from_attributes=True) for row in rows]


async def read_plan(session: AsyncSession, *, patient_id: uuid.UUID) -> CommunicationPlanPublic:
    """The current plan (version 0 when none is saved) with the suggestions, newest first."""
    row = (
        await session.execute(
            select(_p.version, _p.share_with_job_counsellor, _p.entries, _p.updated_at).where(
                _p.patient_id == patient_id
            )
        )
    ).first()
    return CommunicationPlanPublic(
        version=row.version if row else 0,
        share_with_job_counsellor=row.share_with_job_counsellor if row else False,
        entries=[CommunicationEntryPublic.model_validate(e) for e in row.entries] if row else [],
        updated_at=row.updated_at if row else None,
        suggestions=await _suggestions(session, patient_id),
    )


async def read_for_therapist(
    session: AsyncSession, *, scope: PatientScope
) -> CommunicationPlanPublic:
    """A linked patient's plan, read only; a job counsellor reads it only while the patient
    shares it with them, and not the therapist's suggestions (therapy)."""
    plan = await read_plan(session, patient_id=scope.patient_id)
    ensure_shared_with_counsellor(scope, shared=plan.share_with_job_counsellor)
    if counsellor_reads(scope):
        plan.suggestions = []
    return plan


async def _store(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    current: int,
    share: bool,
    entries: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Write version `current + 1` as the plan and into the history (the caller commits)."""
    values = {
        "version": current + 1,
        "share_with_job_counsellor": share,
        "entries": entries,
        "updated_by": patient_id,
        "updated_at": now,
    }
    if current == 0:
        await session.execute(
            insert(communication_plan_table).values(patient_id=patient_id, **values)
        )
    else:
        await session.execute(
            update(communication_plan_table).where(_p.patient_id == patient_id).values(**values)
        )
    await session.execute(
        insert(communication_plan_version_table).values(
            id=uuid.uuid4(),
            patient_id=patient_id,
            version=current + 1,
            share_with_job_counsellor=share,
            entries=entries,
            changed_by=patient_id,
            changed_at=now,
        )
    )


async def _locked_plan(session: AsyncSession, patient_id: uuid.UUID) -> Any:
    """Take the patient's row lock, then read the plan's version and entries (or None)."""
    await lock_existing_patient(session, patient_id=patient_id)
    return (
        await session.execute(
            select(_p.version, _p.share_with_job_counsellor, _p.entries).where(
                _p.patient_id == patient_id
            )
        )
    ).first()


async def save_plan(
    session: AsyncSession, *, patient_id: uuid.UUID, data: CommunicationPlanWrite
) -> CommunicationPlanPublic:
    """Replace the plan as a new version; a stale `version` answers 409."""
    stored = await _locked_plan(session, patient_id)
    current = stored.version if stored else 0
    if data.version is not None and data.version != current:
        await session.rollback()
        raise Conflict(
            "The plan was changed meanwhile; reload it and apply your change again.",
            code="communication_plan_version_conflict",
            extra={"current_version": current},
        )
    entries = [
        entry.model_dump(mode="json") | {"id": str(entry.id or uuid.uuid4())}
        for entry in data.entries
    ]
    await _store(
        session,
        patient_id=patient_id,
        current=current,
        share=data.share_with_job_counsellor,
        entries=entries,
        now=utcnow(),
    )
    # read inside the transaction, under the patient's lock: after the commit another save
    # may already have written the next version, and the answer would show theirs
    plan = await read_plan(session, patient_id=patient_id)
    await session.commit()
    return plan


async def suggest(
    session: AsyncSession, *, scope: PatientScope, data: SuggestionWrite
) -> SuggestionPublic:
    """Record a therapist's suggestion; the plan itself does not change."""
    row = (
        await session.execute(
            insert(communication_suggestion_table)
            .values(
                id=uuid.uuid4(),
                patient_id=scope.patient_id,
                suggested_by=scope.therapist_id,
                status="open",
                created_at=utcnow(),
                **data.model_dump(),
            )
            .returning(*_SUGGESTION_COLUMNS)
        )
    ).one()
    await session.commit()
    return SuggestionPublic.model_validate(row, from_attributes=True)


async def decide(
    session: AsyncSession, *, patient_id: uuid.UUID, suggestion_id: uuid.UUID, accept: bool
) -> CommunicationPlanPublic:
    """Accept (a new draft entry in a new plan version) or dismiss an open suggestion."""
    stored = await _locked_plan(session, patient_id)
    found = (
        await session.execute(
            select(*_SUGGESTION_COLUMNS).where(_s.id == suggestion_id, _s.patient_id == patient_id)
        )
    ).first()
    if found is None:
        await session.rollback()
        raise NotFound("Suggestion not found.", code="suggestion_not_found")
    if found.status != "open":
        await session.rollback()
        raise Conflict(
            f"The suggestion was already {found.status}.", code="suggestion_already_decided"
        )
    now, entry_id = utcnow(), None
    if accept:
        entry_id = uuid.uuid4()
        entry = CommunicationEntryPublic(
            id=entry_id,
            audience=found.audience,
            label=found.label,
            what=found.text,
            how_much=found.how_much or "nothing",  # disclosing is the patient's decision
            words=None,
            when=None,
            status="draft",
            from_suggestion_id=found.id,
        )
        await _store(
            session,
            patient_id=patient_id,
            current=stored.version if stored else 0,
            share=stored.share_with_job_counsellor if stored else False,
            entries=[*(stored.entries if stored else []), entry.model_dump(mode="json")],
            now=now,
        )
    await session.execute(
        update(communication_suggestion_table)
        .where(_s.id == suggestion_id)
        .values(status="accepted" if accept else "dismissed", decided_at=now, entry_id=entry_id)
    )
    # read inside the transaction, under the patient's lock: after the commit another save
    # may already have written the next version, and the answer would show theirs
    plan = await read_plan(session, patient_id=patient_id)
    await session.commit()
    return plan
