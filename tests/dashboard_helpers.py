"""Helpers for the dashboard tests: assignments, logs and statement counting."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from tests.factories import Actor, Api

NOW = "2026-11-18T10:00:00Z"  # Wednesday 18 November 2026, 11:00 in Oslo (ISO week 47)


def assign(api: Api, therapist: Actor, patient: Actor, **body: Any) -> dict[str, Any]:
    response = api.client.post(
        f"/v1/patients/{patient.id}/assignments", json=body, headers=therapist.headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def log_att(api: Api, patient: Actor, started_at: str) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "exercise_kind": "attention_training",
        "started_at": started_at,
        "duration_seconds": 700,
        "phases_completed": ["selective", "switching", "divided"],
        "self_focus_before": 2,
        "self_focus_after": 0,
    }
    response = api.client.post("/v1/me/exercise-logs", json=body, headers=patient.headers)
    assert response.status_code == 201, response.text


@contextmanager
def counted(api: Api) -> Iterator[list[str]]:
    """Collect the SQL statements the app sends (transaction control left out)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not sql.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(sql)

    engine = api.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
