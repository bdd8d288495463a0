"""Conventions of the published contract, applied to every route without per-route code.

Operation ids are `<domain>.<handler>` (`checkins.put_checkin`, `dashboard.worklist`): the
domain is the package the handler lives in, the handler its function name. They are part of the
contract (generated clients name their functions after them): `openapi/operation-ids.txt` lists
every id ever published and a test fails when one disappears.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute

from app.core.dispatch import LeanStackAPI
from app.core.location import LOCATION


class ContractAPI(LeanStackAPI):
    """FastAPI whose OpenAPI document is refined once by the contract's conventions."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            document = super().openapi()
            document.setdefault("components", {}).setdefault("schemas", {}).update(EXTRA_SCHEMAS)
            name_enums(document)
            name_keys(document)
            document_headers(document)
            self.openapi_schema = document
        return self.openapi_schema


# Schemas that answers of another media type than JSON refer to (`$ref` in a route's
# `responses`), which FastAPI cannot collect from a response model: name -> JSON schema.
EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {
    "FhirBundle": {
        "title": "FhirBundle",
        "description": "A FHIR R4 Bundle of type collection (application/fhir+json); each "
        "entry's resource is a FHIR resource (docs/notes/issue-16-fhir.md).",
        "type": "object",
        "required": ["resourceType", "type", "entry"],
        "properties": {
            "resourceType": {"type": "string", "const": "Bundle"},
            "id": {"type": "string"},
            "type": {"type": "string", "const": "collection"},
            "timestamp": {"type": "string"},
            "entry": {"type": "array", "items": {"$ref": "#/components/schemas/FhirEntry"}},
        },
    },
    "FhirEntry": {
        "title": "FhirEntry",
        "type": "object",
        "required": ["fullUrl", "resource"],
        "properties": {
            "fullUrl": {"type": "string"},
            "resource": {"$ref": "#/components/schemas/FhirResource"},
        },
    },
    "FhirResource": {
        "title": "FhirResource",
        "description": "Any FHIR R4 resource, named by its resourceType.",
        "type": "object",
        "required": ["resourceType"],
        "properties": {"resourceType": {"type": "string"}, "id": {"type": "string"}},
        "additionalProperties": True,
    },
}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "Our id of this request (quote it when reporting a problem); a client's "
        "own X-Request-ID is logged beside it, never instead of it.",
        "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "required": True,
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key (nothing was done again).",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "Location": {
        "description": "The URL of what was created.",
        "schema": {"type": "string"},
        "required": True,
    },
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with: `Bearer`.",
        "schema": {"type": "string"},
        "required": True,
    },
}
_HEADER_REF = "#/components/headers/"


def document_headers(document: dict[str, Any]) -> None:
    """Every answer's X-Request-ID; Retry-After on 429 and 503; WWW-Authenticate on 401;
    Location on the 201 of a route that declared a URL template; and Idempotent-Replayed on the
    answers of operations that take an Idempotency-Key."""
    document.setdefault("components", {})["headers"] = HEADERS
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            keyed = any(
                p.get("in") == "header" and p.get("name", "").lower() == "idempotency-key"
                for p in operation.get("parameters", [])
            )
            located = operation.pop(LOCATION, None) is not None
            for status, response in operation.get("responses", {}).items():
                names = ["X-Request-ID"]
                names += ["Location"] if located and status == "201" else []
                names += ["Retry-After"] if status in {"429", "503"} else []
                names += ["WWW-Authenticate"] if status == "401" else []
                names += ["Idempotent-Replayed"] if keyed else []
                headers = response.setdefault("headers", {})
                for name in names:
                    headers.setdefault(name, {"$ref": _HEADER_REF + name})


def name_keys(document: dict[str, Any]) -> None:
    """A map whose keys follow one pattern says so with `propertyNames` (what generators read)."""

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            patterns = node.get("patternProperties")
            if (
                isinstance(patterns, dict)
                and len(patterns) == 1
                and "additionalProperties" not in node
            ):
                ((pattern, values),) = node["patternProperties"].items()
                del node["patternProperties"]
                node["propertyNames"] = {"pattern": pattern}
                node["additionalProperties"] = values
            for value in node.values():
                visit(value)

    visit(document.get("components", {}))
    visit(document.get("paths", {}))


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


# One named component per value set, so a generated client has one enum type per set. A value
# set not listed here still becomes one component, named after its first use.
ENUM_NAMES: dict[frozenset[str], str] = {
    frozenset(values.split()): name
    for name, values in {
        "AccessReason": "care_link risk_escalation job_support",
        "AlertAction": "called_patient met_patient referred_emergency scheduled_session other",
        "AlertBriefStatus": "open acknowledged",
        "AlertFilter": "unacknowledged acknowledged all",
        "AlertStatus": "open overdue acknowledged",
        "AnsweredByRole": "patient therapist",
        "AssignmentStatus": "scheduled active paused ended",
        "Attendee": "patient therapist counsellor",
        "Audience": "manager colleagues welfare_office gp other",
        "AttentionPhase": "selective switching divided",
        "Band": "low moderate high",
        "BoosterDecision": "scheduled declined completed cancelled",
        "BoosterSource": "patient checkin_rule follow_up",
        "BoosterStatus": "open scheduled completed declined cancelled",
        "CommunicationEntryStatus": "draft ready done",
        "ContactChannel": "phone meeting email letter message other",
        "ContactMethod": "phone meeting message",
        "ContactPurpose": "adjustments return_plan job_search other",
        "CounsellorFlag": "no_diary_7d grade_below_plan joint_meeting_due",
        "DayType": "work vacation leave",
        "DevicePlatform": "web android ios",
        "DosePeriod": "day week",
        "DueStatus": "due overdue",
        "EmploymentKind": "same_employer new_employer",
        "EmploymentStatus": "planned active ended",
        "FollowUpReason": "full_return new_job",
        "FollowUpStatus": "pending answered cancelled",
        "GoalChoice": "active reached dropped",
        "GoalStatus": "proposed active reached dropped",
        "HowMuch": "nothing on_sick_leave kind_of_problem diagnosis",
        "InvitationStatus": "pending used expired revoked",
        "JobSupportStatus": "proposed accepted declined ended",
        "Locale": "nb en",
        "LogFieldType": "integer boolean text phases",
        "MeasureKey": "phq9 gad7",
        "MeetingChange": "planned cancelled",
        "MeetingStatus": "planned held cancelled",
        "ParticipantRole": "manager welfare_office gp job_counsellor therapist other",
        "ReliableChange": "improved deteriorated no_reliable_change",
        "ReportFormat": "json csv",
        "ReportScope": "clinic therapist",
        "ScoringMethod": "sum mean",
        "SuggestionStatus": "open accepted dismissed",
        "SummaryBy": "week period",
        "SyncOp": "upsert delete",
        "Weekday": "mon tue wed thu fri sat sun",
        "WorklistFlag": "risk no_checkin_7d no_checkin_3d low_rtw_se measure_overdue "
        "low_adherence booster_open follow_up_due review_due",
        "WorklistSort": "flags name last_checkin",
    }.items()
}
_REF = "#/components/schemas/"


def _pascal(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


def name_enums(document: dict[str, Any]) -> None:
    """Replace every inline enum of two or more values by a `$ref` to one component per set."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    by_values: dict[frozenset[str], str] = {
        frozenset(schema["enum"]): name
        for name, schema in schemas.items()
        if "enum" in schema and "properties" not in schema
    }

    def lift(node: Any, hint: str) -> Any:
        if isinstance(node, list):
            return [lift(item, hint) for item in node]
        if not isinstance(node, dict):
            return node
        enum = node.get("enum")
        if isinstance(enum, list) and len(enum) > 1 and all(isinstance(v, str) for v in enum):
            values = frozenset(enum)
            name = by_values.get(values) or ENUM_NAMES.get(values) or _pascal(hint)
            while name in schemas and frozenset(schemas[name].get("enum", ())) != values:
                name += "Value"
            by_values[values] = name
            schemas.setdefault(name, {"type": "string", "enum": enum, "title": name})
            rest = {k: v for k, v in node.items() if k not in {"enum", "type", "title"}}
            return {"$ref": _REF + name, **rest}
        return {key: lift(value, hint) for key, value in node.items()}

    for name in sorted(schemas):
        schema = schemas[name]
        if "enum" in schema and "properties" not in schema:
            continue
        for prop, value in schema.get("properties", {}).items():
            schema["properties"][prop] = lift(value, f"{name}_{prop}")
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    hint = f"{operation.get('operationId', '')}_{parameter['name']}"
                    parameter["schema"] = lift(parameter["schema"], hint)
