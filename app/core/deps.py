"""Process-wide services on app.state and the Annotated aliases handlers depend on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.core.config import Settings
from app.core.db import AppSession, create_engine, session_factory
from app.core.middleware import client_address_of
from app.core.pagination import MAX_LIMIT
from app.core.security import PasswordHasher, TokenCodec


@dataclass(slots=True)
class Services:
    """What a process builds once: settings, engine, session factory, hashing, tokens."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AppSession]
    hasher: PasswordHasher
    tokens: TokenCodec

    @classmethod
    def build(cls, settings: Settings) -> Services:
        """Create the engine and helpers for `settings` (nothing connects yet)."""
        engine = create_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            pool_timeout=settings.db_pool_timeout_seconds,
        )
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            hasher=PasswordHasher(settings),
            tokens=TokenCodec(settings),
        )


async def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(_services)]


async def _session(request: Request) -> AppSession:
    # Straight from app.state, not through ServicesDep: every request resolves this one, and
    # each dependency node costs FastAPI a walk per request (issue 12).
    services: Services = request.app.state.services
    session = services.sessions()
    # Closed as `async with session:` would close it, on the request's own exit stack: where
    # and when FastAPI closed it when this was a generator dependency (after the answer is
    # sent; the held-answer middlewares still use it). The session's __aexit__ runs close()
    # to completion even if the request is cancelled. A plain coroutine spares FastAPI's
    # generator machinery (~100 Python calls per request, issue 12).
    request.scope["fastapi_inner_astack"].push_async_exit(session.__aexit__)
    return session


SessionDep = Annotated[AppSession, Depends(_session)]


async def _settings(services: ServicesDep) -> Settings:
    return services.settings


async def _hasher(services: ServicesDep) -> PasswordHasher:
    return services.hasher


async def _tokens(services: ServicesDep) -> TokenCodec:
    return services.tokens


SettingsDep = Annotated[Settings, Depends(_settings)]
HasherDep = Annotated[PasswordHasher, Depends(_hasher)]
TokensDep = Annotated[TokenCodec, Depends(_tokens)]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (at most 200).")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
]


async def _client_address(request: Request) -> str:
    # Worked out once per request by RequestContextMiddleware (peer, or X-Forwarded-For when
    # the peer is a trusted proxy); throttling and the request log use the same value.
    return client_address_of(request.scope)


ClientAddress = Annotated[str, Depends(_client_address)]


async def _user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


# The raw User-Agent (services bound and clean it before storing anything).
UserAgent = Annotated[str | None, Depends(_user_agent)]
