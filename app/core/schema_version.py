"""Is the database at the code's migration head? Asked by the readiness probe.

Read without Alembic: the web worker never migrates (`mestring migrate` does), and importing
Alembic and every migration script only to learn the head costs a worker ~10 MB of resident
memory (issue 12). The head is read from the migration files' own `revision` and
`down_revision` assignments (a parse, no import); `tests/test_schema_version.py` holds it equal
to Alembic's answer.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

VERSION_TABLE = "alembic_version"


def _assigned(tree: ast.Module, name: str) -> object:
    for node in tree.body:
        target = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            only = node.targets[0]
            target, value = (only.id if isinstance(only, ast.Name) else None), node.value
        if target == name and value is not None:
            return ast.literal_eval(value)
    raise ValueError(f"the migration assigns no {name}")


def _down(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"unexpected down_revision {value!r}")


@lru_cache(maxsize=4)
def head_revisions(migrations_dir: Path) -> frozenset[str]:
    """The revision ids a fully migrated database is at: those no other migration follows."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in sorted((migrations_dir / "versions").glob("*.py")):
        tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
        revision = _assigned(tree, "revision")
        if not isinstance(revision, str):
            raise ValueError(f"{script.name}: revision is not a string")
        revisions.add(revision)
        followed.update(_down(_assigned(tree, "down_revision")))
    return frozenset(revisions - followed)


def _current(connection: Connection) -> frozenset[str]:
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return frozenset(row[0] for row in rows)


async def is_migrated(connection: AsyncConnection, migrations_dir: Path) -> bool:
    """True when the database's revision is the code's head."""
    current = await connection.run_sync(_current)
    return current == head_revisions(migrations_dir)
