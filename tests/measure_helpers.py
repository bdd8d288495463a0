"""Helpers for measure and risk-alert tests: answers that sum to a score, and the HTTP calls."""

from __future__ import annotations

import uuid
from typing import Any

from tests.factories import Actor, Api

NOW = "2026-11-18T10:00:00Z"  # Wednesday 18 November 2026, 11:00 in Oslo
ITEMS = {"phq9": 9, "gad7": 7}


def answers(measure: str, total: int, *, item9: int = 0) -> dict[str, int]:
    """Answers (0..3) to every item of `measure` summing to `total`; PHQ-9's item 9 as given."""
    fixed = [item9] if measure == "phq9" else []
    free = ITEMS[measure] - len(fixed)
    rest, values = total - sum(fixed), []
    for i in range(free):
        value = min(3, -(-rest // (free - i)))  # spread evenly, rounded up
        values.append(value)
        rest -= value
    assert rest == 0, "the total does not fit"
    return {f"{measure}_{i}": v for i, v in enumerate([*values, *fixed], 1)}


def body(
    measure: str,
    total: int,
    answered_at: str = NOW,
    *,
    item9: int = 0,
    response_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": response_id or str(uuid.uuid4()),
        "answers": answers(measure, total, item9=item9),
        "answered_at": answered_at,
    }


def post(api: Api, patient: Actor, measure: str, payload: dict[str, Any]) -> Any:
    return api.client.post(
        f"/v1/me/measures/{measure}/responses", json=payload, headers=patient.headers
    )


def answer(
    api: Api, patient: Actor, measure: str, total: int, answered_at: str = NOW, *, item9: int = 0
) -> dict[str, Any]:
    response = post(api, patient, measure, body(measure, total, answered_at, item9=item9))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def schedule(api: Api, therapist: Actor, patient: Actor, *entries: dict[str, Any]) -> Any:
    return api.client.put(
        f"/v1/patients/{patient.id}/measure-schedule",
        json={"schedules": list(entries)},
        headers=therapist.headers,
    )


def put_on_call(api: Api, therapist: Actor, on_call: bool = True) -> None:
    admin = api.admin()
    response = api.client.put(
        f"/v1/admin/users/{therapist.id}/on-call", json={"on_call": on_call}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["on_call"] is on_call
