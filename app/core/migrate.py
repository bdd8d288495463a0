"""Running Alembic from code: `mestring migrate`, the readiness probe and the tests use this."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import REPO_ROOT


def alembic_config(database_url: str, migrations_dir: Path | None = None) -> Config:
    """An Alembic config aimed at `database_url`."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(migrations_dir or REPO_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` (runs its own event loop; call from sync code)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Undo migrations down to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


@lru_cache(maxsize=4)
def head_revisions(migrations_dir: Path) -> frozenset[str]:
    """The revision ids a fully migrated database is at."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


async def is_migrated(connection: AsyncConnection, migrations_dir: Path) -> bool:
    """True when the database's Alembic revision is the code's head."""

    def _current(sync_connection: object) -> frozenset[str]:
        context = MigrationContext.configure(sync_connection)  # type: ignore[arg-type]
        return frozenset(context.get_current_heads())

    current = await connection.run_sync(_current)
    return current == head_revisions(migrations_dir)
