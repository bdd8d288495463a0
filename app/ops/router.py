"""Liveness and readiness (outside /v1, no auth), and metrics (token or network)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from app.core.deps import ServicesDep
from app.core.errors import ServiceUnavailable
from app.core.schema_version import is_migrated
from app.core.schemas import error_responses
from app.ops.access import MetricsReader

router = APIRouter(tags=["operations"])
log = logging.getLogger("mestring.ops")


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=error_responses(503))
async def readyz(services: ServicesDep) -> Health:
    """The database answers and carries every migration."""
    try:
        async with services.engine.connect() as connection:
            migrated = await is_migrated(connection, services.settings.migrations_dir)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("database unreachable", extra={"error": type(exc).__name__})
        raise ServiceUnavailable("The database is not reachable.", code="db_unreachable") from exc
    if not migrated:
        raise ServiceUnavailable("The database is not migrated.", code="db_not_migrated")
    return Health(status="ready")


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def metrics(request: Request, _reader: MetricsReader) -> Response:
    """Prometheus text format, for a configured token or network only (app/ops/access.py)."""
    return Response(
        request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
