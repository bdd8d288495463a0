"""Helpers for the sync tests: page through GET /v1/me/sync, apply what it sends."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Actor, Api


def sync_page(api: Api, patient: Actor, since: str | None = None, limit: int | None = None) -> Any:
    params: dict[str, Any] = {}
    if since is not None:
        params["since"] = since
    if limit is not None:
        params["limit"] = limit
    response = api.client.get("/v1/me/sync", params=params, headers=patient.headers)
    assert response.status_code == 200, response.text
    return response.json()


def sync_all(
    api: Api, patient: Actor, since: str | None = None, limit: int | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Every change until `has_more` is false: (changes in order, the last cursor)."""
    changes: list[dict[str, Any]] = []
    for _ in range(1000):
        page = sync_page(api, patient, since, limit)
        changes += page["changes"]
        since = page["next_cursor"]
        if not page["has_more"]:
            assert since is not None
            return changes, since
    raise AssertionError("sync never finished")


def apply(state: dict[tuple[str, str], Any], changes: list[dict[str, Any]]) -> None:
    """What a phone does: upserts replace, tombstones remove."""
    for change in changes:
        key = (change["type"], change["id"])
        if change["op"] == "upsert":
            assert change["data"] is not None
            state[key] = change["data"]
        else:
            assert change["data"] is None
            state.pop(key, None)


def recent(minutes: int = 30) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def exercise_log(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "exercise_kind": "detached_mindfulness",
        "started_at": recent(),
        "duration_seconds": 300,
        "detachment_before": 20,
        "detachment_after": 70,
    }
    body.update(overrides)
    return body


def next_changes(api: Api, patient: Actor, since: str, *, limit: int | None = None) -> Any:
    """The first page after `since` that has changes, waiting up to 30 s for them.

    On PostgreSQL a reader sees a change only once every transaction that began before it
    ended, on the whole server (app/sync/log.py): other databases' transactions on a shared
    test server can hold it back for a moment."""
    deadline = time.monotonic() + 30
    while True:
        page = sync_page(api, patient, since, limit)
        if page["changes"] or time.monotonic() > deadline:
            return page
        time.sleep(0.05)


def changes_until(
    api: Api, patient: Actor, since: str, done: Callable[[list[dict[str, Any]]], bool]
) -> tuple[list[dict[str, Any]], str]:
    """Sync from `since` until `done(changes so far)` (waiting up to 30 s, see next_changes)."""
    deadline, changes = time.monotonic() + 30, []
    while True:
        page = sync_page(api, patient, since)
        changes += page["changes"]
        since = page["next_cursor"]
        if not page["has_more"] and (done(changes) or time.monotonic() > deadline):
            return changes, since
        time.sleep(0.05)


def settle(api: Api, *, seconds: float = 120) -> None:
    """Wait until every write transaction begun before now has ended, on the whole server.

    On PostgreSQL a sync read returns only changes below the oldest running transaction
    (app/sync/log.py): while another database's transaction on a shared test server is open, a
    sync that reports `has_more: false` may still owe this test its own earlier writes, which
    would then arrive in a later page. After `settle` they are all readable. SQLite: nothing
    to wait for (its writers are serialised)."""

    async def work(session: AsyncSession) -> None:
        if session.get_bind().dialect.name != "postgresql":
            return
        mine = int(await session.scalar(text("SELECT pg_current_xact_id()::text::bigint")) or 0)
        await session.commit()
        horizon = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
        deadline = time.monotonic() + seconds
        while int(await session.scalar(text(horizon)) or 0) <= mine:
            await session.rollback()
            assert time.monotonic() < deadline, "a transaction elsewhere stayed open"
            await asyncio.sleep(0.05)

    api.db(work)
