"""Request bodies and query parameters take values only in their published JSON type.

`0` is no boolean, `"7.5"` no number, `0` no date: a client that sends them gets a 422, never a
silent guess (issue 19). Request models are strict; the types a JSON client sends as text
(dates, times, ids, enum members) use the shared types of app/core/schemas.py, strict about the
text. The walk below fails for a request field that would refuse its own valid JSON text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.core.schemas import RequestModel
from app.main import app
from tests.factories import Api

TEXT_CARRIED = {"date", "datetime", "time", "timedelta", "uuid", "decimal", "enum"}


def _request_models() -> list[type[RequestModel]]:
    assert app.routes  # every router (and so every request model) is imported
    found: list[type[RequestModel]] = []
    todo = list(RequestModel.__subclasses__())
    while todo:
        model = todo.pop()
        found.append(model)
        todo += model.__subclasses__()
    return found


def _strict_text_nodes(node: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") in TEXT_CARRIED and node.get("strict") is not False:
            found.append(f"{path}: {node['type']}")
        for key, value in node.items():
            if key != "cls":
                found += _strict_text_nodes(value, path)
    elif isinstance(node, list | tuple):
        for value in node:
            found += _strict_text_nodes(value, path)
    return found


def test_text_carried_request_fields_use_the_shared_types() -> None:
    offenders: list[str] = []
    models = _request_models()
    assert len(models) > 20
    for model in models:
        offenders += _strict_text_nodes(model.__pydantic_core_schema__, model.__name__)
    assert offenders == [], "use IsoDate, IsoDateTime, EventDate, EventTime, Id or Strict(False)"


def test_a_number_is_no_date_in_a_query(api: Api) -> None:
    patient = api.patient()
    for bad in ("0", "1700000000", "2026-1-1", "20260101", "2026-01-01T00:00:00"):
        answer = api.client.get(f"/v1/me/checkins?to={bad}", headers=patient.headers)
        assert answer.status_code == 422, (bad, answer.text)
    assert (
        api.client.get("/v1/me/checkins?to=2026-01-01", headers=patient.headers).status_code == 200
    )


def test_booleans_and_numbers_only_as_json_types(api: Api) -> None:
    patient = api.patient()
    today = datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()
    for bad in (0, 1, "true", "false", None):
        answer = api.client.put(
            "/v1/me/consents", json={"employer_contact": bad}, headers=patient.headers
        )
        assert answer.status_code == 422, (bad, answer.text)
    assert (
        api.client.put(
            "/v1/me/consents", json={"employer_contact": True}, headers=patient.headers
        ).status_code
        == 200
    )
    for bad_hours in ("7.5", True, 7.3):
        answer = api.client.put(
            f"/v1/me/work-diary/{today}",
            json={"worked_hours": bad_hours},
            headers=patient.headers,
        )
        assert answer.status_code == 422, (bad_hours, answer.text)
        assert isinstance(answer.json()["detail"], list)  # refused by the parser
    answer = api.client.put(
        f"/v1/me/work-diary/{today}", json={"worked_hours": 7.5}, headers=patient.headers
    )
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["worked_hours"] == 7.5
    answer = api.client.put(
        "/v1/me/checkins/2026-01-05", json={"answers": {}, "mood": "5"}, headers=patient.headers
    )
    assert answer.status_code == 422


def test_unknown_query_parameters_are_refused(api: Api) -> None:
    therapist = api.therapist()
    answer = api.client.get("/v1/me/checkins?form=2026-01-01", headers=api.patient().headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", "form"]
    # Declared ones pass, including those a shared dependency declares (limit, cursor).
    answer = api.client.get("/v1/patients?limit=5&sort=name", headers=therapist.headers)
    assert answer.status_code == 200, answer.text
