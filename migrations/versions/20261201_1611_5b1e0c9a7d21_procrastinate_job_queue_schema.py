"""procrastinate's job-queue schema (PostgreSQL only)

Revision ID: 5b1e0c9a7d21
Revises: cf053a7fd059
Create Date: 2026-12-01 21:45:00

The worker (`mestring worker`, issue 17) runs on procrastinate, whose tables, types, functions
and triggers are all named `procrastinate_*`. Its schema is applied here from a frozen copy
(`migrations/sql/procrastinate-3.10.0-schema.sql`, the package's `sql/schema.sql` of the pinned
version), so `mestring migrate` is the one way a database gets it. Upgrading procrastinate
means a new migration applying its files from `procrastinate/sql/migrations/` since 3.10.0.
The drift check ignores these objects (migrations/env.py). SQLite has no worker queue: the
same tasks run in-process there.
"""

from collections.abc import Sequence
from pathlib import Path

from alembic import op
from sqlalchemy.util import await_only

revision: str = '5b1e0c9a7d21'
down_revision: str | None = 'cf053a7fd059'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = Path(__file__).resolve().parent.parent / "sql" / "procrastinate-3.10.0-schema.sql"


def _run_script(sql: str) -> None:
    # Many statements with dollar-quoted bodies: sent as one simple-protocol script by the
    # driver itself (SQLAlchemy would prepare it as one statement).
    driver = op.get_bind().connection.dbapi_connection.driver_connection
    await_only(driver.execute(sql))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run_script(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _run_script(
        """
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
            procrastinate_jobs, procrastinate_workers CASCADE;
        DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
            procrastinate_job_status CASCADE;
        DO $$ DECLARE f record; BEGIN
          FOR f IN SELECT oid::regprocedure AS sig FROM pg_proc
                   WHERE proname LIKE 'procrastinate\\_%' LOOP
            EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE';
          END LOOP;
        END $$;
        """
    )
