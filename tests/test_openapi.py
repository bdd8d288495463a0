"""openapi/openapi.json is what the app generates (run `mestring export-openapi` after changes).

Operation ids are part of the contract: short (`<domain>.<handler>`), unique, and never renamed
or dropped once published in openapi/operation-ids.txt.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.cli import render_openapi
from app.core.config import REPO_ROOT
from app.core.openapi import operation_ids, read_published_ids, render_published_ids
from app.main import create_app
from tests.conftest import make_settings

IDS_FILE = REPO_ROOT / "openapi" / "operation-ids.txt"
SHORT_ID = re.compile(r"^[a-z]+\.[a-z][a-z0-9_]*$")
# FastAPI's defaults end in the path and method: token_v1_auth_token_post.
DEFAULT_LOOKING = re.compile(r"(_v\d+_|_(get|post|put|patch|delete|head|options)$)")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(make_settings("sqlite:///unused.db")).openapi()


def test_checked_in_openapi_is_current(document: dict[str, Any]) -> None:
    generated = render_openapi(document)
    stored = (REPO_ROOT / "openapi" / "openapi.json").read_text()
    assert json.loads(stored) == json.loads(generated), "run: .venv/bin/mestring export-openapi"
    assert stored == generated


def test_operation_ids_are_short_and_unique(document: dict[str, Any]) -> None:
    ids = operation_ids(document)
    assert len(ids) > 50
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert [i for i in ids if not SHORT_ID.match(i)] == []
    assert [i for i in ids if DEFAULT_LOOKING.search(i)] == []


def test_no_published_operation_id_is_renamed_or_dropped(document: dict[str, Any]) -> None:
    current = set(operation_ids(document))
    published = read_published_ids(IDS_FILE)
    gone = sorted(set(published) - current)
    assert gone == [], f"breaking change: published operation ids no longer exist: {gone}"
    new = sorted(current - set(published))
    assert new == [], f"unlisted new ids (run .venv/bin/mestring export-openapi): {new}"
    assert IDS_FILE.read_text() == render_published_ids(published, []), "keep the file sorted"


def test_the_id_list_only_grows(tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(render_published_ids(["b.old", "a.kept"], ["a.kept", "c.new"]))
    assert read_published_ids(ids_file) == ["a.kept", "b.old", "c.new"]


def test_component_names_are_type_names(document: dict[str, Any]) -> None:
    names = document["components"]["schemas"]
    assert [n for n in names if not re.match(r"^[A-Z][A-Za-z0-9_]*$", n)] == []
    assert [n for n in names if n.startswith("Body_")] == []


def _enums(node: Any, path: str = "") -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list) and len(node["enum"]) > 1:
            found.append((path, node["enum"]))
        for key, value in node.items():
            found += _enums(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _enums(value, f"{path}/{index}")
    return found


def test_each_value_set_is_one_named_component(document: dict[str, Any]) -> None:
    enums = _enums(document)
    inline = [path for path, _ in enums if not path.startswith("/components/schemas/")]
    inline += [path for path, _ in enums if path.count("/") != 3]
    assert inline == [], "enums must be $refs to named components"
    sets = [frozenset(values) for _, values in enums]
    assert len(sets) == len(set(sets)), "one component per value set"
    band = document["components"]["schemas"]["CheckinSummary"]["properties"]["band"]
    assert {"$ref": "#/components/schemas/Band"} in band["anyOf"]
    assert document["components"]["schemas"]["Band"]["enum"] == ["low", "moderate", "high"]
