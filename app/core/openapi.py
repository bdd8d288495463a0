"""Conventions of the published contract, applied to every route without per-route code.

Operation ids are `<domain>.<handler>` (`checkins.put_checkin`, `dashboard.worklist`): the
domain is the package the handler lives in, the handler its function name. They are part of the
contract (generated clients name their functions after them): `openapi/operation-ids.txt` lists
every id ever published and a test fails when one disappears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """`<domain>.<handler>`: the handler's package under `app/` and its function name."""
    parts = route.endpoint.__module__.split(".")
    domain = parts[1] if len(parts) > 2 and parts[0] == "app" else parts[-1]
    return f"{domain}.{route.name}"


def operation_ids(document: dict[str, Any]) -> list[str]:
    """Every operation id of an OpenAPI document, in path order."""
    return [
        operation["operationId"]
        for path_item in document["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def read_published_ids(path: Path) -> list[str]:
    """The ids listed in `path` (one per line; blank lines and `#` comments skipped)."""
    if not path.exists():
        return []
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def render_published_ids(published: list[str], current: list[str]) -> str:
    """The id list grown by the ids new in `current`; an id once published is never dropped."""
    ids = sorted(set(published) | set(current))
    return ID_FILE_HEADER + "".join(f"{operation}\n" for operation in ids)


ID_FILE_HEADER = (
    "# Every operation id the API has published: generated clients name their functions after\n"
    "# them, so an id is never renamed or dropped (tests/test_openapi.py checks). New ids are\n"
    "# added by `.venv/bin/mestring export-openapi`.\n"
)
