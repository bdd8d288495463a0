"""Stored instrument versions: the current one per key (a cheap id lookup, definitions cached per
immutable id), one by id, and adding the next version (what `mestring load-questionnaire` does)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, ServiceUnavailable
from app.core.time import utcnow
from app.instruments.definition import InstrumentDefinition
from app.instruments.models import questionnaire_version_table

_q = questionnaire_version_table.c
# Built once (a statement built per call costs more Python than its execution).
# The id of the current version of the questionnaire `:key` (its highest version number).
CURRENT_ID = select(_q.id).where(_q.key == bindparam("key")).order_by(_q.version.desc()).limit(1)


@dataclass(frozen=True, slots=True)
class LoadedVersion:
    id: uuid.UUID
    version: int
    definition: InstrumentDefinition


# Versions are never changed once stored, so caching a definition by its id is safe in every
# worker; which version is current is read from the database on each use.
_cache: dict[uuid.UUID, LoadedVersion] = {}


async def version_by_id(session: AsyncSession, *, version_id: uuid.UUID) -> LoadedVersion:
    """A stored version by its id (from the cache after the first read)."""
    cached = _cache.get(version_id)
    if cached is not None:
        return cached
    row = (
        await session.execute(select(_q.version, _q.definition).where(_q.id == version_id))
    ).one()
    loaded = LoadedVersion(
        id=version_id,
        version=row.version,
        definition=InstrumentDefinition.model_validate(row.definition),
    )
    _cache[version_id] = loaded
    return loaded


async def current_version(session: AsyncSession, *, key: str) -> LoadedVersion:
    """The highest version of `key` (one indexed lookup; the definition comes from the cache)."""
    current_id = await session.scalar(CURRENT_ID, {"key": key})
    if current_id is None:
        raise ServiceUnavailable("No questionnaire is loaded.", code="questionnaire_missing")
    return await version_by_id(session, version_id=current_id)


async def add_version(session: AsyncSession, *, definition: InstrumentDefinition) -> LoadedVersion:
    """Store `definition` as the next version of its key; earlier versions and answers stay."""
    latest = await session.scalar(select(func.max(_q.version)).where(_q.key == definition.key))
    version = (latest or 0) + 1
    new_id = uuid.uuid4()
    try:
        await session.execute(
            insert(questionnaire_version_table).values(
                id=new_id,
                key=definition.key,
                version=version,
                definition=definition.model_dump(mode="json"),
                created_at=utcnow(),
            )
        )
        await session.commit()
    except IntegrityError as exc:  # another load took this version number first
        await session.rollback()
        raise Conflict(
            "Another version was loaded at the same time; run the command again.",
            code="questionnaire_version_taken",
        ) from exc
    return LoadedVersion(id=new_id, version=version, definition=definition)
