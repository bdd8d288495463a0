"""Issue 11 item 4: an outage answers 503 `database_unavailable` with Retry-After, so the app can
tell it from a bug (which stays a 500)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.security import TokenCodec
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Api


def _unreachable(backend: str, tmp_path: Path) -> Settings:
    if backend == "postgresql":
        return make_settings("postgresql://nobody@127.0.0.1:1/none")
    return make_settings(f"sqlite:///{tmp_path}")  # a directory: the file cannot be opened


def _bearer(settings: Settings) -> dict[str, str]:
    token = TokenCodec(settings).encode_access(
        user_id=uuid.uuid4(), session_id=uuid.uuid4(), jti="x", issued_at=datetime.now(UTC)
    )
    return {"Authorization": f"Bearer {token}"}


def _assert_outage(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "database_unavailable"
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert int(response.headers["retry-after"]) >= 1


def test_an_unreachable_database_is_a_503_not_a_500(backend: str, tmp_path: Path) -> None:
    settings = _unreachable(backend, tmp_path)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        _assert_outage(client.get("/v1/me", headers=_bearer(settings)))
        _assert_outage(
            client.post("/v1/auth/token", data={"username": "a@b.example.com", "password": "x"})
        )
        assert client.get("/healthz").status_code == 200  # the process itself is fine


def test_a_pool_timeout_is_a_503(api: Api, settings: Settings) -> None:
    small = settings.model_copy(update={"db_pool_size": 1, "db_pool_timeout_seconds": 0.2})
    app = create_app(small)
    with TestClient(app, raise_server_exceptions=False) as client:
        patient = Api(client).patient()
        engine = app.state.services.engine

        async def take_all() -> list[AsyncConnection]:
            return [await engine.connect()]  # the pool's one connection (no overflow)

        async def give_back(held: list[AsyncConnection]) -> None:
            for connection in held:
                await connection.close()

        assert client.portal is not None
        held = client.portal.call(take_all)
        try:
            _assert_outage(client.get("/v1/me", headers=patient.headers))
        finally:
            client.portal.call(give_back, held)
        assert client.get("/v1/me", headers=patient.headers).status_code == 200


def test_a_failing_statement_is_still_a_500(api: Api) -> None:
    """Not every database error is an outage: a statement that fails is a bug."""
    from sqlalchemy import text

    app = create_app(api.services.settings)

    async def broken() -> None:
        async with app.state.services.sessions() as session:
            await session.execute(text("SELECT no_such_column FROM users"))

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "retry-after" not in response.headers
