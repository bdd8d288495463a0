"""FHIR R4 resources of the patient's export, as pure functions of loaded records.

Nothing here reads the database or the clock. Choices (docs/notes/issue-16.md, "FHIR export"):

- Every resource is addressed in the bundle by `urn:uuid:<id>` and referenced the same way,
  so references resolve inside the bundle without a FHIR server.
- Canonical URLs live under the deployment's base URL (`MESTRING_PUBLIC_BASE_URL`):
  `<base>/fhir/Questionnaire/<key>` (its `version` is the instrument version),
  `<base>/fhir/CodeSystem/<key>-answers` (an instrument's answer scale),
  `<base>/fhir/CodeSystem/mestring` (our own codes: the RTW-SE mean, the actual work grade),
  `<base>/fhir/StructureDefinition/<type>-export|1` (our profiles, in `meta.profile`).
- PHQ-9 and GAD-7 totals carry their LOINC codes (44261-6, 70274-6) and the questionnaires
  their panel codes (44249-1, 69737-5); no standard code exists for the RTW-SE mean or for the
  welfare office's actual work grade, so those use our own code system.
- Answers are `valueCoding`s of the instrument's scale, with the number as the coding's
  `ordinalValue` extension (FHIR's way of giving a coded answer its score).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

PROFILE_VERSION = "1"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# LOINC: the questionnaire panels and their total scores (loinc.org/44249-1, 44261-6, 69737-5,
# 70274-6).
PANEL_CODES: Mapping[str, tuple[str, str]] = {
    "phq9": ("44249-1", "PHQ-9 quick depression assessment panel"),
    "gad7": ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)"),
}
TOTAL_CODES: Mapping[str, tuple[str, str]] = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad7": ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
}
OWN_SCORE_CODES: Mapping[str, tuple[str, str]] = {
    "rtw-se": ("rtw-se-mean", "Return-to-work self-efficacy, mean item score"),
}
Resource = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Instrument:
    """One questionnaire version as loaded (`definition` in the instrument format)."""

    id: uuid.UUID
    key: str
    version: int
    definition: Mapping[str, Any]
    current: bool  # no newer version of the same key exists


@dataclass(frozen=True, slots=True)
class Answered:
    """A check-in or a measure response: answers by item id and the scored result."""

    id: uuid.UUID
    questionnaire_id: uuid.UUID
    authored: datetime  # when the answers were last saved
    answers: Mapping[str, int]
    score: float
    effective: date | datetime  # what the answers are about: a check-in's local date, a
    # measure's moment of answering


def _own_score(instrument: Instrument) -> tuple[str, str]:
    return f"{instrument.key}-score", f"{instrument.key} score"


def ref(resource_id: uuid.UUID) -> str:
    """How every resource is addressed, and referenced, inside the bundle."""
    return f"urn:uuid:{resource_id}"


def derived_id(source: uuid.UUID, what: str) -> uuid.UUID:
    """A resource derived from a record gets an id that stays the same from export to export."""
    return uuid.uuid5(source, what)


def instant(moment: datetime) -> str:
    """A FHIR dateTime in UTC, with `Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def meta(base_url: str, resource_type: str) -> dict[str, Any]:
    profile = f"{base_url}/fhir/StructureDefinition/{resource_type.lower()}-export"
    return {"profile": [f"{profile}|{PROFILE_VERSION}"]}


def own_coding(base_url: str, code: str, display: str) -> dict[str, Any]:
    return {"system": f"{base_url}/fhir/CodeSystem/mestring", "code": code, "display": display}


def questionnaire_url(base_url: str, key: str) -> str:
    return f"{base_url}/fhir/Questionnaire/{key}"


def localized(value: Mapping[str, str] | None, locale: str) -> str | None:
    """A definition's text in the patient's locale (English for anything but nb)."""
    if value is None:
        return None
    return value.get("nb") if locale == "nb" else value.get("en")


def answer_coding(base_url: str, instrument: Instrument, value: int, locale: str) -> Resource:
    """One scale value as a coding of the instrument's answer scale, its score attached."""
    labels = instrument.definition["scale"]["labels"]
    coding: Resource = {
        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": value}],
        "system": f"{base_url}/fhir/CodeSystem/{instrument.key}-answers",
        "code": str(value),
    }
    display = (labels.get("nb") if locale == "nb" else labels.get("en") or {}).get(str(value))
    if display:
        coding["display"] = display
    return coding


def patient(patient_id: uuid.UUID, *, display_name: str, locale: str, base_url: str) -> Resource:
    """The patient as little as the bundle needs: the name they gave, their language. No
    identifier: the product holds none the patient gave (the email is a login, not a record
    identifier), and a resource id is no identifier."""
    return {
        "resourceType": "Patient",
        "id": str(patient_id),
        "meta": meta(base_url, "Patient"),
        "name": [{"text": display_name}],
        "communication": [
            {
                "language": {
                    "coding": [{"system": "urn:ietf:bcp:47", "code": locale}],
                    "text": locale,
                },
                "preferred": True,
            }
        ],
    }


def questionnaire(instrument: Instrument, *, locale: str, base_url: str) -> Resource:
    """One instrument version: items by their ids, each a choice of the scale's values."""
    definition = instrument.definition
    scale = definition["scale"]
    options = [
        {"valueCoding": answer_coding(base_url, instrument, value, locale)}
        for value in range(int(scale["min"]), int(scale["max"]) + 1)
    ]
    resource: Resource = {
        "resourceType": "Questionnaire",
        "id": str(instrument.id),
        "meta": meta(base_url, "Questionnaire"),
        "url": questionnaire_url(base_url, instrument.key),
        "version": str(instrument.version),
        "name": instrument.key.replace("-", "_").upper(),
        "title": localized(definition.get("title"), locale),
        "status": "active" if instrument.current else "retired",
        "subjectType": ["Patient"],
        "item": [
            {
                "linkId": item["id"],
                "text": localized(item.get("text"), locale),
                "type": "choice",
                "required": True,
                "answerOption": options,
            }
            for item in definition["items"]
        ],
    }
    if instrument.key in PANEL_CODES:
        code, display = PANEL_CODES[instrument.key]
        resource["code"] = [{"system": LOINC, "code": code, "display": display}]
    return resource


def questionnaire_response(
    answered: Answered, instrument: Instrument, *, patient_ref: str, locale: str, base_url: str
) -> Resource:
    """One check-in or measure response, its answers by `linkId` in the instrument's order."""
    order = [item["id"] for item in instrument.definition["items"]]
    ids = [item_id for item_id in order if item_id in answered.answers]
    ids += sorted(set(answered.answers) - set(order))  # never drop an answer
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(answered.id),
        "meta": meta(base_url, "QuestionnaireResponse"),
        "questionnaire": f"{questionnaire_url(base_url, instrument.key)}|{instrument.version}",
        "status": "completed",
        "subject": {"reference": patient_ref},
        "authored": instant(answered.authored),
        "item": [
            {
                "linkId": item_id,
                "answer": [
                    {
                        "valueCoding": answer_coding(
                            base_url, instrument, int(answered.answers[item_id]), locale
                        )
                    }
                ],
            }
            for item_id in ids
        ],
    }


def score_observation(
    answered: Answered, instrument: Instrument, *, patient_ref: str, base_url: str
) -> Resource:
    """The scored result of one response: a PHQ-9/GAD-7 total (LOINC, an integer) or the
    RTW-SE mean (our code, two decimals), derived from its QuestionnaireResponse. A check-in's
    result is effective on its local date (a check-in for yesterday is about yesterday)."""
    if instrument.key in TOTAL_CODES:
        code, display = TOTAL_CODES[instrument.key]
        coding = {"system": LOINC, "code": code, "display": display}
        value: Resource = {"valueInteger": round(answered.score)}
    else:
        coding = own_coding(base_url, *OWN_SCORE_CODES.get(instrument.key, _own_score(instrument)))
        value = {
            "valueQuantity": {
                "value": round(answered.score, 2),
                "unit": "score",
                "system": UCUM,
                "code": "{score}",
            }
        }
    return {
        "resourceType": "Observation",
        "id": str(derived_id(answered.id, "score")),
        "meta": meta(base_url, "Observation"),
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {"coding": [coding]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": (
            instant(answered.effective)
            if isinstance(answered.effective, datetime)
            else answered.effective.isoformat()
        ),
        "derivedFrom": [{"reference": ref(answered.id)}],
        **value,
    }
