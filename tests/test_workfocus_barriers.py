"""The barriers check: the instrument as data, the summary worked out by hand, and the routes.

Hand-computed example (answers in tests/workfocus_helpers.WORKED, 0-4 each):
coping 2, 3 -> mean 2.5; illness 0, 1 -> 0.5; symptoms 4, 2 -> 3.0; workplace 1, 2, 3, 0 ->
6 / 4 = 1.5; beliefs 4, 3, 0, 1, 2 -> 10 / 5 = 2.0. All 15 items sum to 28: mean 28 / 15 =
1.866667. Rated 3-4: coping_day, symptoms_mental, conflict, rest_first, lose_face. Conflict is
rated 3, harassment 0: workplace rating 3, so the workplace rule fires (at least 3; issue 13).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.instruments.definition import InstrumentDefinition
from app.instruments.models import questionnaire_version_table
from app.workfocus.barrier_rules import summarise, workplace_conflict, workplace_rating
from tests.factories import Api
from tests.workfocus_helpers import NOW, TODAY, WORKED, access_log, put_barriers, ratings

SHIPPED = Path(__file__).resolve().parents[1] / "app/instruments/definitions/barriers.json"


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return data


def test_the_summary_by_hand() -> None:
    result = summarise(InstrumentDefinition.model_validate(shipped()), WORKED)
    assert result.domains == {
        "coping": 2.5,
        "illness": 0.5,
        "symptoms": 3.0,
        "workplace": 1.5,
        "beliefs": 2.0,
    }
    assert result.score == 1.866667
    assert result.highlighted == (
        "coping_day",
        "symptoms_mental",
        "conflict",
        "rest_first",
        "lose_face",
    )
    assert result.workplace_rating == 3


@pytest.mark.parametrize(
    ("conflict", "harassment", "rating", "flag"),
    [(0, 0, 0, False), (2, 2, 2, False), (3, 0, 3, True), (0, 4, 4, True), (1, 3, 3, True)],
)
def test_the_workplace_rule(conflict: int, harassment: int, rating: int, flag: bool) -> None:
    answers = ratings(conflict=conflict, harassment=harassment)
    assert workplace_rating(answers) == rating
    assert workplace_conflict(rating) is flag
    assert workplace_conflict(None) is False


def test_a_loaded_version_keeps_what_the_flag_rests_on() -> None:
    data = shipped()
    without_rule = data | {"alerts": []}
    with pytest.raises(ValidationError, match="keeps its alert rules"):
        InstrumentDefinition.model_validate(without_rule)
    with pytest.raises(ValidationError, match="highlights answers of 3"):
        InstrumentDefinition.model_validate(data | {"highlight_at_least": 4})
    five = {str(v): f"v{v}" for v in range(6)}
    with pytest.raises(ValidationError, match="scale from 0 to 4"):
        InstrumentDefinition.model_validate(
            data | {"scale": {"min": 0, "max": 5, "labels": {"nb": five, "en": five}}}
        )
    # Wording only: new texts load, and the locked parts are filled in when left out.
    reworded = {k: v for k, v in data.items() if k not in ("alerts", "highlight_at_least")}
    reworded["title"] = {"nb": "Hindringer", "en": "Barriers"}
    loaded = InstrumentDefinition.model_validate(reworded)
    assert loaded.highlight_at_least == 3
    assert [rule.id for rule in loaded.alerts] == ["workplace_conflict"]


def test_the_seeded_version_equals_the_shipped_file(api: Api) -> None:
    async def stored(session: AsyncSession) -> Any:
        q = questionnaire_version_table.c
        return await session.scalar(select(q.definition).where(q.key == "barriers", q.version == 1))

    assert api.db(stored) == shipped()


def test_the_definition_in_the_callers_locale(api: Api) -> None:
    nb, en = api.patient(locale="nb"), api.therapist(locale="en")
    mine = api.client.get("/v1/questionnaires/barriers", headers=nb.headers).json()
    assert (mine["key"], mine["version"], mine["locale"], mine["illustrative"]) == (
        "barriers",
        1,
        "nb",
        True,
    )
    assert [d["id"] for d in mine["domains"]] == [
        "coping",
        "illness",
        "symptoms",
        "workplace",
        "beliefs",
    ]
    assert (mine["scale"]["min"], mine["scale"]["max"]) == (0, 4)
    theirs = api.client.get("/v1/questionnaires/barriers", headers=en.headers).json()
    assert theirs["domains"][3]["title"] == "The workplace"


@time_machine.travel(NOW, tick=False)
def test_a_check_is_written_replaced_and_read_by_both_sides(api: Api) -> None:
    therapist = api.therapist(locale="en")
    patient = api.patient(therapist, locale="nb")
    notes = {"workplace": "Uenighet med en kollega"}
    first = put_barriers(api, patient, TODAY, WORKED, notes=notes)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["score"], body["workplace_rating"], body["workplace_conflict"]) == (
        1.866667,
        3,
        True,
    )
    workplace = next(d for d in body["domains"] if d["id"] == "workplace")
    assert workplace == {
        "id": "workplace",
        "title": "Arbeidsplassen",
        "score": 1.5,
        "items_rated_high": ["conflict"],
        "note": "Uenighet med en kollega",
    }
    assert body["highlighted"] == [
        "coping_day",
        "symptoms_mental",
        "conflict",
        "rest_first",
        "lose_face",
    ]
    again = put_barriers(api, patient, TODAY, ratings(1))
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["workplace_conflict"]) == (body["id"], False)
    assert again.json()["notes"] == {}
    assert put_barriers(api, patient, "2026-11-11", ratings(2)).status_code == 201
    mine = api.client.get("/v1/me/barriers", headers=patient.headers).json()
    assert [(c["local_date"], c["score"]) for c in mine["data"]] == [
        (TODAY, 1.0),
        ("2026-11-11", 2.0),
    ]
    theirs = api.client.get(f"/v1/patients/{patient.id}/barriers", headers=therapist.headers)
    assert theirs.status_code == 200
    assert theirs.json()["data"][0]["domains"][3]["title"] == "The workplace"
    assert access_log(api, patient) == [("barriers", 2)]
    stranger = api.therapist()
    hidden = api.client.get(f"/v1/patients/{patient.id}/barriers", headers=stranger.headers)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "patient_not_found")


@time_machine.travel(NOW, tick=False)
def test_bad_checks_are_refused_and_nothing_is_stored(api: Api) -> None:
    patient = api.patient()
    cases = [
        ("2026-11-19", ratings(), {}, "barriers_date_future"),
        ("2026-11-10", ratings(), {}, "barriers_date_too_old"),
        (TODAY, {k: v for k, v in ratings().items() if k != "shame"}, {}, "answers_mismatch"),
        (TODAY, ratings() | {"extra": 1}, {}, "answers_mismatch"),
        (TODAY, ratings(), {"notes": {"hobbies": "x"}}, "unknown_domain"),
    ]
    for day, answers, extra, code in cases:
        response = put_barriers(api, patient, day, answers, **extra)
        assert (response.status_code, response.json()["code"]) == (422, code), day
    assert put_barriers(api, patient, TODAY, ratings(5)).status_code == 422
    assert (
        put_barriers(api, patient, TODAY, ratings(), notes={"coping": "x" * 1001}).status_code
        == 422
    )
    assert api.client.get("/v1/me/barriers", headers=patient.headers).json()["count"] == 0
