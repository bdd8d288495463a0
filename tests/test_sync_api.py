"""GET /v1/me/sync over HTTP: snapshot in pages, then deltas; tombstones; cursors."""

from __future__ import annotations

from typing import Any

from tests.factories import Actor, Api
from tests.sync_helpers import apply, exercise_log, sync_all, sync_page


def _log(api: Api, patient: Actor, **overrides: Any) -> dict[str, Any]:
    response = api.client.post(
        "/v1/me/exercise-logs", json=exercise_log(**overrides), headers=patient.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_snapshot_then_delta_shows_what_the_own_endpoints_show(api: Api) -> None:
    patient = api.patient()
    logs = [_log(api, patient) for _ in range(3)]
    changes, cursor = sync_all(api, patient)
    state: dict[tuple[str, str], Any] = {}
    apply(state, changes)
    assert state == {("exercise_log", log["id"]): log for log in logs}
    # Nothing new: an empty page and the same position.
    page = sync_page(api, patient, cursor)
    assert page["changes"] == []
    assert page["has_more"] is False
    day = api.client.get("/v1/me/checkins", headers=patient.headers)
    assert day.status_code == 200
