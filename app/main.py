"""create_app(): middleware, exception handlers, routers — nothing else."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.api import api_router
from app.console.router import console_router
from app.console.static_files import console_static
from app.core.config import Settings, get_settings
from app.core.deps import Services
from app.core.dispatch import TELEMETRY_OFF, install_fast_dispatch
from app.core.handlers import install_error_handlers
from app.core.location import LocationMiddleware
from app.core.logging import configure_logging
from app.core.metrics import HttpMetrics
from app.core.middleware import RequestContextMiddleware
from app.core.openapi import ContractAPI, operation_id
from app.core.query import refuse_unknown_query
from app.idempotency.middleware import IdempotencyMiddleware
from app.ops.router import router as ops_router
from app.privacy.audit import AccessAuditMiddleware
from app.reminders.inprocess import maybe_running
from app.throttle.service import build_throttle


def freeze_startup_heap() -> None:
    """Move everything built at start-up out of the cyclic collector's view (issue 12).

    The imported modules, routes, schemas and models live as long as the process; left in
    the oldest generation, every full collection walked them all — about 250 ms of one request
    in twenty on the worklist (`gc.callbacks` timing, 100 patients). Frozen, a full collection
    walks only what requests allocate.
    """
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app for `settings` (the environment's when omitted)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    services = Services.build(settings)
    metrics = HttpMetrics()
    throttle = build_throttle(settings.redis_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.env != "test":  # tests build hundreds of apps: frozen ones would stay
            freeze_startup_heap()
        async with maybe_running(services):  # reminders on SQLite (issue 17)
            yield
        await throttle.close()
        await services.engine.dispose()

    docs = settings.env != "production" or settings.docs_in_production
    app = ContractAPI(
        title="Mestring API",
        version="1.0.0",
        summary="Between MCT sessions: homework, RTW self-efficacy, graded return to work.",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        generate_unique_id_function=operation_id,
        dependencies=[Depends(refuse_unknown_query)],
        telemetry=TELEMETRY_OFF,
    )
    app.state.services = services
    app.state.metrics = metrics
    app.state.throttle = throttle
    install_error_handlers(app)
    # Innermost first. The audit step writes its access-log rows, then the idempotency step
    # stores the answer and commits: data, access log and stored answer in one transaction.
    app.add_middleware(AccessAuditMiddleware)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(LocationMiddleware)  # on replays too: outside the stored answer
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        metrics=metrics,
        trusted_proxies=settings.trusted_proxies(),
        hsts_seconds=settings.hsts_max_age(),
        db_retry_after=settings.db_retry_after_seconds,
    )  # outermost
    app.include_router(ops_router)
    app.include_router(api_router)
    # The clinician console (issue 18): HTML pages outside the OpenAPI schema, over the same
    # services; its static files are a mount, not a route.
    app.include_router(console_router)
    app.mount("/console/static", console_static(), name="console-static")
    install_fast_dispatch(app)  # issue 12: an index of the routes before FastAPI's scan
    return app


app = create_app()
