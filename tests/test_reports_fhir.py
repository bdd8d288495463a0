"""The FHIR export (issue 16, "FHIR R4 export"): `GET /v1/me/export?format=fhir` and the
therapist's `GET /v1/patients/{patient_id}/export?format=fhir`.

The bundle is held to FHIR R4 by the fhir.resources library (its R4B models, which the library
offers for R4-compatible content): every resource parses, every reference resolves inside the
bundle, and a round trip through the library gives the same JSON. Its content is held to the
JSON export of the same patient: every check-in and measure response is there, with its answers
and its score.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import time_machine
from fhir.resources.R4B.bundle import Bundle

from tests.factories import Api
from tests.privacy_helpers import NOW, register, seed_everything

BASE = "http://127.0.0.1:8000"  # MESTRING_PUBLIC_BASE_URL's default
PROFILE = f"{BASE}/fhir/StructureDefinition/bundle-export|1"


def _fhir(api: Api, url: str, headers: dict[str, str]) -> dict[str, Any]:
    response = api.client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    return body


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def assert_valid_r4(bundle: dict[str, Any]) -> None:
    """Parses with fhir.resources, survives its round trip unchanged, references resolve."""
    parsed = Bundle.model_validate(bundle)
    assert len(parsed.entry or []) == len(bundle["entry"])
    for entry, model in zip(bundle["entry"], parsed.entry or [], strict=True):
        assert model.resource is not None
        assert type(model.resource).__name__ == entry["resource"]["resourceType"]
    assert json.loads(parsed.model_dump_json()) == bundle
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    assert set(_references(bundle)) <= set(full_urls)
    canonicals = {f"{q['url']}|{q['version']}" for q in _by_type(bundle, "Questionnaire")}
    for response in _by_type(bundle, "QuestionnaireResponse"):
        assert response["questionnaire"] in canonicals


@time_machine.travel(NOW, tick=False)
def test_the_patients_bundle_is_valid_r4_and_holds_every_check_in_and_measure(api: Api) -> None:
    therapist = api.therapist()
    kari = register(api, therapist, "Kari Fhir")
    ola = register(api, therapist, "Ola Annen")
    seed_everything(api, therapist, kari)
    seed_everything(api, therapist, ola)
    export = api.client.get("/v1/me/export", headers=kari.headers).json()

    bundle = _fhir(api, "/v1/me/export?format=fhir", kari.headers)
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    assert bundle["meta"]["profile"] == [PROFILE]
    assert bundle["timestamp"] == "2026-11-16T10:00:00Z"
    assert_valid_r4(bundle)

    # A minimal Patient: the name the patient gave, no identifier, no email.
    [patient] = _by_type(bundle, "Patient")
    assert patient["id"] == str(kari.id)
    assert patient["name"] == [{"text": "Kari Fhir"}]
    assert "identifier" not in patient
    assert kari.email not in json.dumps(bundle)
    assert str(ola.id) not in json.dumps(bundle)

    # Every check-in and measure response, answers by linkId, exactly as stored.
    responses = {r["id"]: r for r in _by_type(bundle, "QuestionnaireResponse")}
    answered = export["checkins"] + export["measure_responses"]
    assert set(responses) == {record["id"] for record in answered}
    for record in answered:
        response = responses[record["id"]]
        assert response["status"] == "completed"
        assert response["subject"] == {"reference": f"urn:uuid:{kari.id}"}
        got = {i["linkId"]: int(i["answer"][0]["valueCoding"]["code"]) for i in response["item"]}
        assert got == record["answers"]

    # Each response's score: PHQ-9 and GAD-7 totals by LOINC, the RTW-SE mean by our own code.
    observations = _by_type(bundle, "Observation")
    scores = {
        o["derivedFrom"][0]["reference"].removeprefix("urn:uuid:"): o
        for o in observations
        if "derivedFrom" in o
    }
    assert set(scores) == set(responses)
    loinc = {"phq9": "44261-6", "gad7": "70274-6"}
    for measure in export["measure_responses"]:
        observation = scores[measure["id"]]
        assert observation["code"]["coding"][0]["system"] == "http://loinc.org"
        assert observation["code"]["coding"][0]["code"] == loinc[measure["measure"]]
        assert observation["valueInteger"] == measure["score"]
    for checkin in export["checkins"]:
        observation = scores[checkin["id"]]
        assert observation["code"]["coding"][0] == {
            "system": f"{BASE}/fhir/CodeSystem/mestring",
            "code": "rtw-se-mean",
            "display": "Return-to-work self-efficacy, mean item score",
        }
        assert observation["valueQuantity"]["value"] == checkin["score"]
        assert observation["effectiveDateTime"] == checkin["local_date"]

    # The questionnaires answered, each version once, canonical under the deployment's URL.
    questionnaires = _by_type(bundle, "Questionnaire")
    keys = {(q["url"], q["version"]) for q in questionnaires}
    assert len(keys) == len(questionnaires)
    assert {q["url"] for q in questionnaires} == {
        f"{BASE}/fhir/Questionnaire/{key}" for key in ("rtw-se", "phq9", "gad7")
    }
    for questionnaire in questionnaires:
        assert all(item["linkId"] and item["answerOption"] for item in questionnaire["item"])

    # The actual work grade per sick-leave period, as /v1/me/work-summary?by=period has it.
    periods = api.client.get("/v1/me/work-summary?by=period", headers=kari.headers).json()
    grades = [o for o in observations if o["code"]["coding"][0]["code"] == "actual-work-grade"]
    assert [o["effectivePeriod"]["start"] for o in grades] == [
        p["starts_on"] for p in periods["periods"]
    ]
    for observation, period in zip(grades, periods["periods"], strict=True):
        if period["actual_grade"] is None:
            assert "valueQuantity" not in observation
            assert observation["dataAbsentReason"]
        else:
            assert observation["valueQuantity"]["value"] == period["actual_grade"]
        assert observation["status"] == ("preliminary" if period["partial"] else "final")

    # The RTW plan as a CarePlan, one activity per stage.
    [care_plan] = _by_type(bundle, "CarePlan")
    stages = export["rtw_plan"]["current"]["body"]["stages"]
    assert [a["detail"]["scheduledPeriod"]["start"] for a in care_plan["activity"]] == [
        s["starts_on"] for s in stages
    ]
    assert care_plan["meta"]["versionId"] == str(export["rtw_plan"]["current"]["version"])


@time_machine.travel(NOW, tick=False)
def test_the_accept_header_asks_for_fhir_and_json_stays_the_default(api: Api) -> None:
    therapist = api.therapist()
    kari = register(api, therapist, "Kari Format")
    by_accept = _fhir(api, "/v1/me/export", kari.headers | {"Accept": "application/fhir+json"})
    assert by_accept["resourceType"] == "Bundle"
    assert_valid_r4(by_accept)  # a patient with nothing answered: the Patient alone
    assert [e["resource"]["resourceType"] for e in by_accept["entry"]] == ["Patient"]
    plain = api.client.get("/v1/me/export", headers=kari.headers)
    assert plain.headers["content-type"] == "application/json"
    assert plain.json()["schema_version"] == 1
    # format wins over Accept; an unknown format is refused.
    as_json = api.client.get(
        "/v1/me/export?format=json", headers=kari.headers | {"Accept": "application/fhir+json"}
    )
    assert as_json.json()["schema_version"] == 1
    bad = api.client.get("/v1/me/export?format=xml", headers=kari.headers)
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")


@time_machine.travel(NOW, tick=False)
def test_the_therapists_fhir_export_is_the_same_bundle_and_is_in_the_access_log(
    api: Api,
) -> None:
    therapist = api.therapist()
    stranger = api.therapist()
    kari = register(api, therapist, "Kari Klinikk")
    seed_everything(api, therapist, kari)
    mine = _fhir(api, "/v1/me/export?format=fhir", kari.headers)
    url = f"/v1/patients/{kari.id}/export?format=fhir"
    theirs = _fhir(api, url, therapist.headers)
    assert_valid_r4(theirs)
    strip = ("id", "timestamp")
    assert {k: v for k, v in theirs.items() if k not in strip} == {
        k: v for k, v in mine.items() if k not in strip
    }
    log = api.client.get("/v1/me/access-log", headers=kari.headers).json()["data"]
    assert any(
        entry["reader_id"] == str(therapist.id) and entry["kind"] == "export" for entry in log
    ), log
    # Not linked: 404 like a random id; the patient themself: 403; JSON is not offered here.
    assert api.client.get(url, headers=stranger.headers).status_code == 404
    assert api.client.get(url, headers=kari.headers).status_code == 403
    json_export = api.client.get(
        f"/v1/patients/{kari.id}/export?format=json", headers=therapist.headers
    )
    assert (json_export.status_code, json_export.json()["code"]) == (422, "validation_error")
