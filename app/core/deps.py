"""Process-wide services on app.state and the Annotated aliases handlers depend on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine, session_factory
from app.core.pagination import MAX_LIMIT
from app.core.security import PasswordHasher, TokenCodec


@dataclass(slots=True)
class Services:
    """What a process builds once: settings, engine, session factory, hashing, tokens."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hasher: PasswordHasher
    tokens: TokenCodec

    @classmethod
    def build(cls, settings: Settings) -> Services:
        """Create the engine and helpers for `settings` (nothing connects yet)."""
        engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
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


async def _session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]


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
    # Behind a proxy, uvicorn's --proxy-headers puts the forwarded address here.
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(_client_address)]
