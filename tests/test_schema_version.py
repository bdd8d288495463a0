"""The readiness probe's migration head, read from the migration files without Alembic, is
Alembic's own answer; and the web app does not load what only other processes need."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.core.config import REPO_ROOT
from app.core.schema_version import head_revisions

MIGRATIONS = REPO_ROOT / "migrations"


def _alembic_heads(migrations_dir: Path) -> frozenset[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


def _migration(path: Path, revision: str, down: str) -> None:
    path.write_text(
        f"revision: str = {revision!r}\ndown_revision: str | None = {down}\n"
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n\n\n"
        "def downgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )


def test_the_head_is_alembics_head() -> None:
    assert head_revisions(MIGRATIONS) == _alembic_heads(MIGRATIONS)
    assert len(head_revisions(MIGRATIONS)) == 1


def test_branches_and_a_merge_give_alembics_heads(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (tmp_path / "script.py.mako").write_text("", encoding="utf-8")
    _migration(versions / "a.py", "aaa", "None")
    _migration(versions / "b.py", "bbb", "'aaa'")
    _migration(versions / "c.py", "ccc", "'aaa'")
    assert head_revisions(tmp_path) == _alembic_heads(tmp_path) == {"bbb", "ccc"}
    _migration(versions / "d.py", "ddd", "('bbb', 'ccc')")
    head_revisions.cache_clear()
    assert head_revisions(tmp_path) == _alembic_heads(tmp_path) == {"ddd"}


# What a web worker must not import: the migration tool (mestring migrate does that), the push
# senders (the reminder worker sends; on SQLite the in-process loop loads them when it starts).
NOT_IN_THE_WEB_WORKER = ("alembic", "aiohttp", "pywebpush", "procrastinate", "fhir")


@lru_cache(maxsize=1)
def _web_modules() -> frozenset[str]:
    """The top-level packages a fresh process holds once it has built the app."""
    script = (
        "import json, sys\n"
        "from app.core.config import Settings\n"
        "from app.main import create_app\n"
        "create_app(Settings(env='test', database_url='postgresql+asyncpg://u@127.0.0.1/x'))\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return frozenset(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", NOT_IN_THE_WEB_WORKER)
def test_the_web_app_leaves_out(module: str) -> None:
    assert {"fastapi", "sqlalchemy", "app"} <= _web_modules()  # the probe sees the imports
    assert module not in _web_modules()
