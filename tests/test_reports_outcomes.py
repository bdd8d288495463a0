"""GET /v1/reports/outcomes: an admin downloads last month's report as CSV, small cells
suppressed, its figures those of a caseload computed by hand (tests/report_caseload.py; the
test that closes the report part of issue 16); a therapist reads only their own caseload."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine

from tests.checkin_helpers import relogin
from tests.factories import Api
from tests.race_helpers import sent
from tests.report_caseload import EXPECTED, NOW, caseload
from tests.report_helpers import date_links


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["key"]: row for row in csv.DictReader(io.StringIO(text))}


def test_an_admin_downloads_last_months_report_as_csv(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        admin = api.admin()
        caseload(api)
        response = api.client.get(
            "/v1/reports/outcomes",
            params={"period": "2026-11"},
            headers={**admin.headers, "Accept": "text/csv"},
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = _rows(response.text)
    assert rows["report.period"]["label"] == "2026-11"
    assert rows["report.as_of"]["label"] == "2026-11-30"
    assert rows["report.scope"]["label"] == "clinic"
    assert "fewer than 5 patients" in rows["report.suppression_rule"]["label"]
    figures = {k: v for k, v in rows.items() if not k.startswith("report.")}
    assert list(figures) == list(EXPECTED)
    for key, value in EXPECTED.items():
        row = figures[key]
        if value is None:
            assert (row["value"], row["n"], row["share"], row["suppressed"]) == (
                "",
                "",
                "",
                "true",
            ), key
        else:
            assert (float(row["value"]), row["suppressed"]) == (value, "false"), key
    # Counts of patients carry their own count as n; statistics the count they are over.
    assert figures["rtw.end.none"]["n"] == "6"
    assert figures["rtwse.baseline_mean"]["n"] == "6"
    assert figures["boosters.requests"]["n"] == "6"
    assert figures["sessions.completed.q3"]["n"] == "14"
    assert figures["rtw.end.none"]["of"] == "patients.active"
    assert figures["rtw.end.none"]["share"] == "0.429"  # 6 / 14
    # Nothing about a person: no id, no name.
    for p in ("Patient", "@clinic.example.com"):
        assert p not in response.text


def test_json_is_the_same_report(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        admin = api.admin()
        a, _, _ = caseload(api)
        clinic = api.client.get(
            "/v1/reports/outcomes", params={"period": "2026-11"}, headers=admin.headers
        )
        csv_form = api.client.get(
            "/v1/reports/outcomes",
            params={"period": "2026-11", "format": "csv"},
            headers=admin.headers,
        )
        a = relogin(api, a)
        own = api.client.get(
            "/v1/reports/outcomes", params={"period": "2026-Q4"}, headers=a.headers
        )
    assert clinic.status_code == 200, clinic.text
    body = clinic.json()
    assert (body["period"], body["first_day"], body["last_day"]) == (
        "2026-11",
        "2026-11-01",
        "2026-11-30",
    )
    assert (body["complete"], body["scope"], body["suppression"]["threshold"]) == (
        True,
        "clinic",
        5,
    )
    assert {f["key"]: f["value"] for f in body["figures"]} == EXPECTED
    assert csv_form.headers["content-type"].startswith("text/csv")
    # Therapist A's caseload over the quarter, as of today (1 December): P1-P12.
    assert own.status_code == 200, own.text
    report = own.json()
    assert (report["scope"], report["complete"], report["as_of"]) == (
        "therapist",
        False,
        "2026-12-01",
    )
    figures = {f["key"]: f for f in report["figures"]}
    assert figures["patients.active"]["value"] == 12
    assert figures["rtw.end.none"]["value"] == 6  # P6-P11


def test_a_therapist_reads_only_their_own_caseload(api: Api) -> None:
    admin, a, b = api.admin(), api.therapist(), api.therapist()
    url = "/v1/reports/outcomes"
    other = api.client.get(
        url, params={"period": "2026-11", "therapist_id": str(b.id)}, headers=a.headers
    )
    unknown = api.client.get(
        url,
        params={"period": "2026-11", "therapist_id": "00000000-0000-4000-8000-000000000000"},
        headers=admin.headers,
    )
    not_a_therapist = api.client.get(
        url, params={"period": "2026-11", "therapist_id": str(admin.id)}, headers=admin.headers
    )
    assert other.status_code == unknown.status_code == not_a_therapist.status_code == 404
    assert other.json() == unknown.json() == not_a_therapist.json()
    assert other.json()["code"] == "therapist_not_found"
    own = api.client.get(
        url, params={"period": "2026-11", "therapist_id": str(a.id)}, headers=a.headers
    )
    by_admin = api.client.get(
        url, params={"period": "2026-11", "therapist_id": str(a.id)}, headers=admin.headers
    )
    assert own.status_code == by_admin.status_code == 200
    assert own.json() == by_admin.json()
    assert own.json()["scope"] == "therapist"


@pytest.mark.parametrize(
    ("period", "status", "code"),
    [
        ("2026-13", 422, "validation_error"),
        ("2026-Q5", 422, "validation_error"),
        ("26-11", 422, "validation_error"),
        ("2099-01", 422, "period_not_started"),
    ],
)
def test_a_period_that_is_not_one(api: Api, period: str, status: int, code: str) -> None:
    admin = api.admin()
    response = api.client.get(
        "/v1/reports/outcomes", params={"period": period}, headers=admin.headers
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


def test_the_same_statements_whatever_the_caseload(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        admin = api.admin()
        therapist = api.therapist()
        small = api.patient(therapist)
        date_links(api, small, since=date(2026, 9, 1))
        params = {"period": "2026-11"}

        def statements() -> int:
            with sent(api.client) as seen:
                response = api.client.get(
                    "/v1/reports/outcomes", params=params, headers=admin.headers
                )
            assert response.status_code == 200, response.text
            # Every report statement reads the caseload from care_links; the caller's session
            # check (one or two statements, as the session's last use is refreshed) does not.
            return sum("care_links" in statement for statement in seen)

        one = statements()
        caseload(api)
        many = statements()
    assert one == many, (one, many)
    assert many == 9
