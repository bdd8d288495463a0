"""The planned handler (app/core/handler.py, app/core/solver.py) answers as FastAPI's own.

Each request is sent twice: once as the app runs (the planned handler) and once with a
dependency override registered, which hands every route back to FastAPI's own handler. The
status, the JSON and the headers (less the request id) must be the same.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi import Depends, FastAPI
from fastapi.security import SecurityScopes

from app.core.config import Settings
from app.core.dispatch import FastDispatch
from app.core.handler import LeanEndpoint
from app.core.solver import Plan
from app.main import create_app
from tests.checkin_helpers import answers
from tests.conftest import SECRET
from tests.factories import Api

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Oslo
DAY = "2027-03-10"


def _unused() -> None:  # registered as an override only to switch the planned handler off
    return None


def _planned(app: FastAPI, method: str, path: str) -> LeanEndpoint | None:
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, FastDispatch)
    chosen = dispatch.choose(
        {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    )
    assert chosen is not None
    return chosen[0].lean


def _answer(response: Any) -> tuple[int, Any, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k.lower() != "x-request-id"}
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, body, headers


def test_the_phone_routes_are_planned(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", secret_key=SECRET))
    for method, path in (
        ("PUT", f"/v1/me/checkins/{DAY}"),
        ("POST", "/v1/me/exercise-logs"),
        ("GET", "/v1/me/today"),
    ):
        assert _planned(app, method, path) is not None, (method, path)
    # Not a JSON route: FastAPI's handler keeps it.
    assert _planned(app, "GET", "/metrics") is None


def test_what_is_not_planned_keeps_fastapis_handler() -> None:
    app = FastAPI()

    def sync_dependency() -> int:
        return 1

    async def scoped(scopes: SecurityScopes) -> list[str]:
        return scopes.scopes

    @app.get("/sync")
    async def with_sync(value: int = Depends(sync_dependency)) -> int:
        return value

    @app.get("/scoped")
    async def with_scopes(value: list[str] = Depends(scoped)) -> list[str]:
        return value

    @app.get("/fine")
    async def fine() -> int:
        return 1

    plans = {
        route.path: Plan.of(route.dependant)  # type: ignore[attr-defined]
        for route in app.routes
        if route.path in ("/sync", "/scoped", "/fine")  # type: ignore[attr-defined]
    }
    assert plans["/sync"] is None
    assert plans["/scoped"] is None
    assert plans["/fine"] is not None


def _both(api: Api, method: str, path: str, **kwargs: Any) -> None:
    app: Any = api.client.app
    assert _planned(app, method, path.partition("?")[0]) is not None
    planned = api.client.request(method, path, **kwargs)
    app.dependency_overrides[_unused] = _unused
    try:
        fastapis = api.client.request(method, path, **kwargs)
    finally:
        app.dependency_overrides.clear()
    assert _answer(planned) == _answer(fastapis), (method, path)


def test_the_same_answers_as_fastapis_handler(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        therapist = api.therapist()
        auth = patient.headers
        checkin = f"/v1/me/checkins/{DAY}"
        body = {"answers": answers(4), "mood": 5}
        assert api.client.put(checkin, json=body, headers=auth).status_code == 201
        _both(api, "PUT", checkin, json=body, headers=auth)  # 200, replaced
        _both(api, "PUT", checkin, json={"answers": answers(7)}, headers=auth)  # 422
        _both(api, "PUT", checkin, json={"mood": 3, "extra": 1}, headers=auth)  # 422, two
        _both(api, "PUT", checkin, content=b"{not json", headers=auth)  # 422 json_invalid
        _both(api, "PUT", checkin, content=b"", headers=auth)  # 422 missing
        _both(
            api, "PUT", checkin, content=b'{"a": 1}', headers={**auth, "content-type": "text/plain"}
        )
        _both(api, "PUT", checkin + "?x=1", json=body, headers=auth)  # unknown query
        _both(api, "PUT", checkin, json=body)  # 401
        _both(api, "PUT", checkin, json=body, headers=therapist.headers)  # 403
        log = {
            "id": str(uuid.uuid4()),
            "exercise_kind": "attention_training",
            "started_at": (NOW - timedelta(minutes=20)).isoformat(),
            "duration_seconds": 700,
            "phases_completed": ["selective", "switching", "divided"],
            "self_focus_before": 2,
            "self_focus_after": 0,
        }
        assert api.client.post("/v1/me/exercise-logs", json=log, headers=auth).status_code == 201
        _both(api, "POST", "/v1/me/exercise-logs", json=log, headers=auth)  # 200, the retry
        keyed = {**auth, "Idempotency-Key": "key-1"}
        fresh = {**log, "id": str(uuid.uuid4())}
        assert api.client.post("/v1/me/exercise-logs", json=fresh, headers=keyed).is_success
        _both(api, "POST", "/v1/me/exercise-logs", json=fresh, headers=keyed)  # replayed
        bad_key = {**auth, "Idempotency-Key": "bad key"}
        _both(api, "POST", "/v1/me/exercise-logs", json={"id": 1}, headers=bad_key)  # header+body
        _both(api, "GET", "/v1/me/today", headers=auth)
        _both(api, "GET", "/v1/me/today?day=1", headers=auth)


@pytest.mark.parametrize("path", ["/v1/me/checkins", "/v1/me/exercise-logs?limit=0"])
def test_reads_with_query_parameters_answer_the_same(api: Api, path: str) -> None:
    patient = api.patient()
    _both(api, "GET", path, headers=patient.headers)
