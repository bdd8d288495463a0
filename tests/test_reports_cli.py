"""`mestring report`: the operations person's cron job prints the same report as the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
import time_machine
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings, get_settings
from tests.conftest import SECRET
from tests.factories import Api
from tests.report_caseload import EXPECTED, NOW, caseload


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MESTRING_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MESTRING_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_cli_prints_the_apis_report(api: Api, env: None) -> None:
    with time_machine.travel(NOW, tick=False):
        admin = api.admin()
        a, _, _ = caseload(api)
        over_http = api.client.get(
            "/v1/reports/outcomes", params={"period": "2026-11"}, headers=admin.headers
        )
        as_csv = api.client.get(
            "/v1/reports/outcomes",
            params={"period": "2026-11", "format": "csv"},
            headers=admin.headers,
        )
        printed = CliRunner().invoke(cli, ["report", "--period", "2026-11"])
        printed_csv = CliRunner().invoke(cli, ["report", "--period", "2026-11", "--format", "csv"])
        own = CliRunner().invoke(
            cli, ["report", "--period", "2026-11", "--therapist-id", str(a.id)]
        )
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == over_http.json()
    assert {f["key"]: f["value"] for f in json.loads(printed.output)["figures"]} == EXPECTED
    assert printed_csv.exit_code == 0, printed_csv.output
    assert printed_csv.output == as_csv.text.replace("\r\n", "\n")
    assert own.exit_code == 0, own.output
    figures = {f["key"]: f["value"] for f in json.loads(own.output)["figures"]}
    assert (json.loads(own.output)["scope"], figures["patients.active"]) == ("therapist", 12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "(invalid_period)"),
        (["--period", "2099-Q1"], "(period_not_started)"),
        (["--period", "2026-11", "--therapist-id", str(uuid.uuid4())], "(therapist_not_found)"),
        (["--period", "2026-11", "--format", "xml"], "--format must be json or csv"),
    ],
)
def test_the_cli_refuses(api: Api, env: None, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["report", *args])
    assert result.exit_code == 1
    assert message in result.output
