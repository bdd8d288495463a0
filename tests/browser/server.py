"""The real app served by uvicorn in a thread on 127.0.0.1, on a PostgreSQL database built by
the real migrations and seeded with the demo (`mestring seed-demo`'s own function)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.models import Role, User
from app.accounts.schemas import UserCreate
from app.boosters.requests import create_patient_request
from app.boosters.schemas import BoosterRequestCreate
from app.care import service as care
from app.care.schemas import CareLinkCreate
from app.core.config import Settings
from app.core.deps import Services
from app.core.migrate import upgrade
from app.main import create_app
from app.seed import seed_demo
from tests.conftest import drop_database, make_database, make_settings

T = TypeVar("T")
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class LiveServer:
    """Where the app answers, and a way to reach its database through the services."""

    base_url: str
    settings: Settings

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def db(self, work: Callable[[Services, AsyncSession], Awaitable[T]]) -> T:
        """Run `work` in a session of its own (its own engine and event loop)."""

        async def runner() -> T:
            services = Services.build(self.settings)
            try:
                async with services.sessions() as session:
                    return await work(services, session)
            finally:
                await services.engine.dispose()

        return asyncio.run(runner())

    def user(
        self, role: Role, *, email: str, password: str, name: str, locale: Literal["nb", "en"]
    ) -> User:
        data = UserCreate(email=email, password=password, display_name=name, locale=locale)
        return self.db(
            lambda s, db: accounts.create_user(db, hasher=s.hasher, data=data, role=role)
        )

    def link(self, *, patient: User, therapist: User) -> None:
        data = CareLinkCreate(patient_id=patient.id, therapist_id=therapist.id)
        self.db(lambda s, db: care.link_patient(db, data=data))

    def booster_request(self, patient: User) -> uuid.UUID:
        """The patient asks for a booster session (the app's own path); the request's id."""
        data = BoosterRequestCreate(reason="A hard week at work")
        created = self.db(
            lambda s, db: create_patient_request(
                db, patient_id=patient.id, timezone=patient.timezone, data=data
            )
        )
        return created.id


@contextmanager
def live_server(tmp: Path) -> Iterator[LiveServer]:
    """A migrated, demo-seeded PostgreSQL database and the app serving it; both gone after."""
    url, name = make_database("postgresql", tmp)
    try:
        upgrade(url)
        settings = make_settings(url)
        LiveServer("", settings).db(lambda s, db: seed_demo(db, hasher=s.hasher))
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=0,  # the system picks a free port; read back below
            log_config=None,
            access_log=False,
            proxy_headers=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="live-server", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError("the live server did not start (see the log above)")
                time.sleep(0.05)
            port = server.servers[0].sockets[0].getsockname()[1]
            yield LiveServer(f"http://127.0.0.1:{port}", settings)
        finally:
            server.should_exit = True
            thread.join(timeout=STARTUP_SECONDS)
    finally:
        drop_database("postgresql", name)
