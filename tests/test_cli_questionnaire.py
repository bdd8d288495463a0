"""`mestring load-questionnaire FILE.json`: validated, added as the next version, old ones kept."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import get_settings
from app.core.db import async_url
from app.core.migrate import upgrade
from app.instruments.models import questionnaire_version_table
from app.main import create_app
from tests.checkin_helpers import answers
from tests.conftest import SECRET, make_settings
from tests.factories import Api

LABELS = {str(v): f"label {v}" for v in range(1, 7)}


def definition(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "key": "rtw-se",
        "title": {"nb": "Lisensiert", "en": "Licensed"},
        "scale": {"min": 1, "max": 6, "labels": {"nb": LABELS, "en": LABELS}},
        "items": [
            {"id": f"q{i}", "text": {"nb": f"spørsmål {i}", "en": f"item {i}"}, "reverse": i == 2}
            for i in range(1, 12)
        ],
        "metadata": {"illustrative": False, "licence": "Clinic licence 2027"},
    }
    base.update(changes)
    return base


@pytest.fixture
def env(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    upgrade(empty_database)
    monkeypatch.setenv("MESTRING_DATABASE_URL", empty_database)
    monkeypatch.setenv("MESTRING_SECRET_KEY", SECRET)
    monkeypatch.setenv("MESTRING_ARGON2_MEMORY_KIB", "8192")
    get_settings.cache_clear()
    yield empty_database
    get_settings.cache_clear()


def versions(url: str, key: str = "rtw-se") -> list[tuple[int, int]]:
    async def read() -> list[tuple[int, int]]:
        engine = create_async_engine(async_url(url))
        q = questionnaire_version_table.c
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(q.version, q.definition).where(q.key == key).order_by(q.version)
            )
            result = [(row.version, len(row.definition["items"])) for row in rows]
        await engine.dispose()
        return result

    return asyncio.run(read())


def test_a_valid_file_becomes_the_next_version(env: str, tmp_path: Path) -> None:
    file = tmp_path / "rtw.json"
    file.write_text(json.dumps(definition()), encoding="utf-8")
    result = CliRunner().invoke(cli, ["load-questionnaire", str(file)])
    assert result.exit_code == 0, result.output
    assert "loaded rtw-se version 2 (11 items" in result.output
    assert versions(env) == [(1, 11), (2, 11)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps(definition(items=[])), "items"),
        (json.dumps(definition(key="other")), "key"),
        (
            json.dumps(definition(items=[{"id": "a", "text": {"nb": "x", "en": "y"}}] * 2)),
            "unique",
        ),
        (
            json.dumps(definition(scale={"min": 1, "max": 6, "labels": {"nb": LABELS, "en": {}}})),
            "labels",
        ),
        (json.dumps(definition(items=[{"id": "a", "text": {"nb": "x"}}])), "items.0.text.en"),
        ("{not json", "json"),
    ],
)
def test_a_bad_file_exits_non_zero_and_adds_nothing(
    env: str, tmp_path: Path, content: str, message: str
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["load-questionnaire", str(file)])
    assert result.exit_code == 1
    assert "not a valid questionnaire definition" in result.output
    assert message.lower() in result.output.lower()
    assert versions(env) == [(1, 11)]


def test_a_missing_file_is_a_clear_error(env: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["load-questionnaire", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_a_new_version_is_used_at_once_and_old_answers_keep_theirs(
    env: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(env))
    with TestClient(app) as client:
        api = Api(client)
        with time_machine.travel(datetime(2027, 6, 2, 9, tzinfo=UTC), tick=False):
            patient = api.patient()
            old = client.put(
                "/v1/me/checkins/2027-06-01", json={"answers": answers(4)}, headers=patient.headers
            )
            assert old.json()["questionnaire_version"] == 1
            file = tmp_path / "rtw.json"
            file.write_text(json.dumps(definition()), encoding="utf-8")
            assert CliRunner().invoke(cli, ["load-questionnaire", str(file)]).exit_code == 0
            current = client.get("/v1/questionnaires/rtw-se", headers=patient.headers).json()
            assert (current["version"], current["title"], current["illustrative"]) == (
                2,
                "Lisensiert",
                False,
            )
            stale = client.put(
                "/v1/me/checkins/2027-06-02", json={"answers": answers(4)}, headers=patient.headers
            )
            assert stale.status_code == 422
            # q2 is reverse-scored: 10 x 4 + (7 - 6) = 41 / 11 = 3.727273
            new = {f"q{i}": 6 if i == 2 else 4 for i in range(1, 12)}
            fresh = client.put(
                "/v1/me/checkins/2027-06-02", json={"answers": new}, headers=patient.headers
            )
            assert fresh.status_code == 201
            assert (fresh.json()["questionnaire_version"], fresh.json()["score"]) == (2, 3.727273)
            listed = client.get(
                "/v1/me/checkins", params={"from": "2027-06-01"}, headers=patient.headers
            ).json()
            assert [(c["questionnaire_version"], c["score"]) for c in listed["data"]] == [
                (1, 4.0),
                (2, 3.727273),
            ]


def _phq9_file(tmp_path: Path, change: Any = None) -> Path:
    shipped = Path(__file__).resolve().parents[1] / "app/instruments/definitions/phq9.json"
    data = json.loads(shipped.read_text(encoding="utf-8"))
    for item in data["items"]:
        item["text"] = {"nb": f"Klinikkens tekst {item['id']}", "en": f"Clinic text {item['id']}"}
    data["metadata"] = {"illustrative": False, "licence": "Official wording, loaded by the clinic"}
    if change is not None:
        change(data)
    file = tmp_path / "phq9.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    return file


def test_a_clinic_loads_official_phq9_wording_as_version_2(env: str, tmp_path: Path) -> None:
    app = create_app(make_settings(env))
    with TestClient(app) as client:
        api = Api(client)
        with time_machine.travel(datetime(2027, 6, 2, 9, tzinfo=UTC), tick=False):
            patient = api.patient(locale="en")
            payload = {"answers": {f"phq9_{i}": 1 for i in range(1, 10)}}
            before = client.post(
                "/v1/me/measures/phq9/responses",
                json={**payload, "id": str(uuid.uuid4()), "answered_at": "2027-06-02T08:00:00Z"},
                headers=patient.headers,
            )
            assert before.json()["questionnaire_version"] == 1
            result = CliRunner().invoke(cli, ["load-questionnaire", str(_phq9_file(tmp_path))])
            assert result.exit_code == 0, result.output
            assert "loaded phq9 version 2 (9 items" in result.output
            current = client.get("/v1/questionnaires/phq9", headers=patient.headers).json()
            assert (current["version"], current["illustrative"]) == (2, False)
            assert current["items"][8]["text"] == "Clinic text phq9_9"
            after = client.post(
                "/v1/me/measures/phq9/responses",
                json={**payload, "id": str(uuid.uuid4()), "answered_at": "2027-06-02T08:30:00Z"},
                headers=patient.headers,
            ).json()
            # Same ids, same scoring: the same answers give the same score, band and alert.
            assert (after["questionnaire_version"], after["score"], after["band"]) == (
                2,
                9.0,
                "mild",
            )
            assert after["risk_alert"] is not None
            history = client.get("/v1/me/measures/phq9/responses", headers=patient.headers)
            assert [
                (r["questionnaire_version"], r["illustrative"]) for r in history.json()["data"]
            ] == [(2, False), (1, True)]
    assert versions(env, "phq9") == [(1, 9), (2, 9)]
    assert versions(env, "rtw-se") == [(1, 11)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["alerts"].clear(), "keeps its alert rules"),
        (lambda d: d["bands"][1].update(min=6), "keeps its bands"),
        (lambda d: d["items"][8].update(id="suicide_item"), "has the items"),
        (lambda d: d.update(key="phq-9"), "key"),
    ],
)
def test_a_phq9_file_that_changes_its_scoring_is_refused(
    env: str, tmp_path: Path, change: Any, message: str
) -> None:
    result = CliRunner().invoke(cli, ["load-questionnaire", str(_phq9_file(tmp_path, change))])
    assert result.exit_code == 1
    assert "not a valid questionnaire definition" in result.output
    assert message in result.output
    assert versions(env, "phq9") == [(1, 9)]
