"""Delta sync: a full snapshot in pages, then every change since the snapshot began.

A page of deltas reads change-log positions (app/sync/log.py) and then the *current* state of
each record named (app/sync/records.py): two changes of one record can never reach the phone
out of order, because every page shows records as they are when it is read, and a later page
is read later. A record that is gone, or that the patient's own endpoints no longer show,
comes as a tombstone (`op: delete`, no data).
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from pydantic import TypeAdapter
from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.time import utcnow
from app.sync import cursor as cursors
from app.sync.cursor import SyncCursor
from app.sync.log import Change, changes_after, start_position
from app.sync.reader import Loaded, Reader
from app.sync.records import BY_NAME, KINDS, Kind
from app.sync.schemas import SyncChangePublic, SyncPage

_CHANGE: TypeAdapter[SyncChangePublic] = TypeAdapter(SyncChangePublic)


def _change(kind: str, record_id: uuid.UUID, loaded: Loaded) -> SyncChangePublic:
    model = loaded.get(record_id)
    op = "delete" if model is None else "upsert"
    return _CHANGE.validate_python({"type": kind, "id": record_id, "op": op, "data": model})


async def _load(session: AsyncSession, reader: Reader, kind: Kind, ids: list[uuid.UUID]) -> Loaded:
    return await kind.load(session, reader, ids) if ids else {}


async def _snapshot_ids(
    session: AsyncSession, reader: Reader, kind: Kind, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    parts = []
    for table in kind.tables:
        column = table.c[kind.id_column]
        # DISTINCT: a one-per-patient type has many rows per id (a union of one part is none).
        query = select(column.label("record_id")).where(table.c.patient_id == reader.id).distinct()
        if after is not None:
            query = query.where(column > after)
        parts.append(query)
    ids = union(*parts).subquery()
    rows = await session.scalars(select(ids.c.record_id).order_by(ids.c.record_id).limit(limit))
    return list(rows)


async def _snapshot_page(
    session: AsyncSession, reader: Reader, at: SyncCursor, limit: int
) -> SyncPage:
    changes: list[SyncChangePublic] = []
    kind_index, after = at.kind or 0, at.after
    while kind_index < len(KINDS) and len(changes) < limit:
        kind, room = KINDS[kind_index], limit - len(changes)
        ids = await _snapshot_ids(session, reader, kind, after, room)
        loaded = await _load(session, reader, kind, ids)
        changes += [_change(kind.name, i, loaded) for i in ids if i in loaded]  # hidden: left out
        if len(ids) < room:
            kind_index, after = kind_index + 1, None  # this kind is done
        else:
            after = ids[-1]
    if kind_index >= len(KINDS):
        done = SyncCursor(at.position, at.since)
        return SyncPage(changes=changes, next_cursor=cursors.encode(done), has_more=False)
    following = SyncCursor(at.position, at.since, kind_index, after)
    return SyncPage(changes=changes, next_cursor=cursors.encode(following), has_more=True)


async def _delta_page(
    session: AsyncSession, reader: Reader, at: SyncCursor, limit: int
) -> SyncPage:
    found = await changes_after(session, patient_id=reader.id, after=at.position, limit=limit + 1)
    has_more = len(found) > limit
    found = found[:limit]
    # One change per record, at the place of its last log row (all show the current state).
    last: dict[tuple[str, uuid.UUID], Change] = {}
    for change in found:
        if change.type not in BY_NAME:  # a type no longer synced: nothing to send
            continue
        last.pop((change.type, change.record_id), None)
        last[(change.type, change.record_id)] = change
    wanted: dict[str, list[uuid.UUID]] = defaultdict(list)
    for kind_name, record_id in last:
        wanted[kind_name].append(record_id)
    loaded = {
        name: await _load(session, reader, BY_NAME[name], ids) for name, ids in wanted.items()
    }
    changes = [_change(name, record_id, loaded[name]) for name, record_id in last]
    # Caught up: every change below the position is delivered as of now, so `since` is now.
    position = found[-1].position if found else at.position
    since = at.since if has_more else utcnow()
    following = SyncCursor(position, since)
    return SyncPage(changes=changes, next_cursor=cursors.encode(following), has_more=has_more)


async def sync(session: AsyncSession, *, reader: Reader, since: str | None, limit: int) -> SyncPage:
    """One page: of the snapshot (no cursor, or a snapshot cursor), else of changes."""
    if since is None:
        start = SyncCursor(await start_position(session), utcnow(), 0, None)
        return await _snapshot_page(session, reader, start, limit)
    at = cursors.decode(since, now=utcnow(), kinds=len(KINDS))
    if at.kind is not None:
        return await _snapshot_page(session, reader, at, limit)
    return await _delta_page(session, reader, at, limit)
