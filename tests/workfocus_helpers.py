"""Helpers for the work-focused therapy tests: barriers answers and common calls."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import Actor, Api

NOW = "2026-11-18T10:00:00Z"  # Wednesday 18 November 2026, 11:00 in Oslo
TODAY = "2026-11-18"
ITEMS = (
    "coping_tasks",
    "coping_day",
    "illness_unclear",
    "illness_work_harm",
    "symptoms_mental",
    "symptoms_physical",
    "manager_dialogue",
    "support",
    "conflict",
    "harassment",
    "rest_first",
    "lose_face",
    "function_back",
    "shame",
    "always_capable",
)
# coping 2,3 | illness 0,1 | symptoms 4,2 | workplace 1,2,3,0 | beliefs 4,3,0,1,2
WORKED = dict(zip(ITEMS, (2, 3, 0, 1, 4, 2, 1, 2, 3, 0, 4, 3, 0, 1, 2), strict=True))


def ratings(value: int = 1, **changes: int) -> dict[str, int]:
    """Every item rated `value`, with the given items changed."""
    return {item: value for item in ITEMS} | changes


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def put_barriers(api: Api, patient: Actor, day: str, answers: dict[str, int], **extra: Any) -> Any:
    return api.client.put(
        f"/v1/me/barriers/{day}", json={"answers": answers, **extra}, headers=patient.headers
    )


def access_log(api: Api, patient: Actor) -> list[tuple[str, int]]:
    entries = api.client.get("/v1/me/access-log", headers=patient.headers).json()["data"]
    return [(entry["kind"], entry["records"]) for entry in entries]
