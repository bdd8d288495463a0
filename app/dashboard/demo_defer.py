"""The bulk seed's keys and indexes, set aside for the load and put back before it commits.

On PostgreSQL, `app.dashboard.demo_write` copies millions of rows in one transaction. Each
row's foreign keys checked one lookup at a time, and each row added to every index of its
table (random UUID keys land on random pages), cost more than the rows themselves. So, inside
the seed's transaction, the foreign keys of the seeded tables, their primary keys and unique
constraints that no foreign key depends on, and their other indexes are dropped; after the
last COPY they are added again -- a foreign key then validates in one join, an index is built
in one sort. The definitions are read from the live catalogue (`pg_get_constraintdef`,
`pg_get_indexdef`) just before the drop, so they are put back exactly as they were. A failure
anywhere (a row that breaks a key included) rolls the drops back with everything else.
The drops lock the seeded tables, and `users`, against readers too until the seed commits:
`seed-demo --patients` is for a fresh database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Memory for building the indexes again (the server's default is 64 MB).
BUILD_MEMORY = "256MB"

# Constraints of the seeded tables: every foreign key, and the primary keys and unique
# constraints of tables no foreign key points at (users' and assignments' stay).
_CONSTRAINTS = text(
    """
    SELECT c.conrelid::regclass::text, quote_ident(c.conname), c.contype::text,
           pg_get_constraintdef(c.oid)
    FROM pg_constraint AS c
    WHERE c.conrelid::regclass::text = ANY(:tables)
      AND (c.contype = 'f'
           OR (c.contype IN ('p', 'u')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint AS r
                               WHERE r.contype = 'f' AND r.confrelid = c.conrelid)))
    ORDER BY c.contype = 'f' DESC, c.conrelid::regclass::text, c.conname
    """
)

# Indexes of the seeded tables that no constraint owns.
_INDEXES = text(
    """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index AS i
    WHERE i.indrelid::regclass::text = ANY(:tables)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c
                      WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
    ORDER BY i.indrelid::regclass::text, i.indexrelid::regclass::text
    """
)


@dataclass(slots=True)
class Deferred:
    """What was dropped, to be added again in reverse order."""

    constraints: list[tuple[str, str, str, str]] = field(default_factory=list)
    indexes: list[tuple[str, str]] = field(default_factory=list)

    async def drop(self, session: AsyncSession, tables: list[str]) -> None:
        """Read the definitions of `tables`' keys and indexes and drop them (foreign keys
        first, then the keys they might lean on, then the plain indexes)."""
        found = await session.execute(_CONSTRAINTS, {"tables": tables})
        self.constraints = [(t, n, k, d) for t, n, k, d in found.all()]
        self.indexes = [(n, d) for n, d in (await session.execute(_INDEXES, {"tables": tables}))]
        for table, name, _kind, _definition in self.constraints:
            await session.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        for name, _definition in self.indexes:
            await session.execute(text(f"DROP INDEX {name}"))

    async def restore(self, session: AsyncSession) -> None:
        """Build the indexes and keys again from their definitions: plain indexes, then the
        primary keys and unique constraints, then the foreign keys (each validated in one
        pass over its table). This backend builds them alone, no parallel workers: its CPU is
        what `bench/seed.py` measures, and on two cores there is little to share."""
        await session.execute(text(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'"))
        await session.execute(text("SET LOCAL max_parallel_maintenance_workers = 0"))
        await session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        for _name, definition in self.indexes:
            await session.execute(text(definition))
        for table, name, _kind, definition in reversed(self.constraints):
            await session.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
        self.constraints, self.indexes = [], []
