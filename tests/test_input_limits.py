"""Size limits: bodies over 64 KiB, unbounded strings, oversized pages."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.factories import Api


def test_body_over_64_kib_is_413(api: Api) -> None:
    patient = api.patient()
    response = api.client.put(
        "/v1/me/consents",
        content=b'{"employer_contact": true, "employer_contact_note": "' + b"x" * 70_000 + b'"}',
        headers=patient.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def _request_schemas(schema: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media.get("schema", {}).get("$ref", "")
                if ref:
                    names.add(ref.rsplit("/", 1)[1])
    return names


def _unbounded_strings(
    node: Any, components: dict[str, Any], path: str, seen: set[str]
) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                found += _unbounded_strings(components[name], components, name, seen)
            return found
        bounded = "maxLength" in node or "enum" in node or "const" in node or "format" in node
        if node.get("type") == "string" and not bounded:
            found.append(path)
        branches = node.get("anyOf", [])
        if any(isinstance(b, dict) and b.get("type") == "number" for b in branches):
            # A decimal that may also arrive as a numeric string: its digits are bounded.
            node = {k: v for k, v in node.items() if k != "anyOf"}
        for key, value in node.items():
            found += _unbounded_strings(value, components, f"{path}.{key}", seen)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _unbounded_strings(value, components, f"{path}[{index}]", seen)
    return found


def test_every_string_a_client_sends_has_a_maximum_length(settings: Settings) -> None:
    schema = create_app(settings).openapi()
    components = schema["components"]["schemas"]
    unbounded: list[str] = []
    for name in _request_schemas(schema):
        unbounded += _unbounded_strings(components[name], components, name, set())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} ?{parameter['name']}"
                unbounded += _unbounded_strings(parameter["schema"], components, where, set())
    assert unbounded == []


def test_page_size_is_capped_at_200(client: TestClient) -> None:
    schema = client.app.openapi()  # type: ignore[attr-defined]
    limits = [
        parameter["schema"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "limit"
    ]
    assert limits
    assert all(item.get("maximum") == 200 for item in limits)


def test_streamed_body_over_64_kib_is_413(api: Api) -> None:
    patient = api.patient()

    def chunks() -> Any:
        yield b'{"employer_contact": true, "employer_contact_note": "'
        for _ in range(20):
            yield b"x" * 4096
        yield b'"}'

    response = api.client.put(
        "/v1/me/consents",
        content=chunks(),
        headers=patient.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    history = api.client.get("/v1/me/consents", headers=patient.headers).json()["history"]
    assert history == []


def test_nul_characters_are_refused_everywhere(api: Api) -> None:
    """Found by the fuzzer: a NUL in a login name reached PostgreSQL and came back a 500."""
    patient = api.patient()
    form = api.client.post(
        "/v1/auth/token",
        content=b"username=a%00b&password=whatever",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 422
    assert form.json()["code"] == "validation_error"
    body = api.client.put(
        "/v1/me/consents",
        content=b'{"employer_contact": true, "employer_contact_note": "a\\u0000b"}',
        headers=patient.headers | {"Content-Type": "application/json"},
    )
    assert body.status_code == 422
    query = api.client.get(
        "/v1/me/access-log", params={"cursor": "a\x00b"}, headers=patient.headers
    )
    assert query.status_code == 422
    assert api.client.get("/v1/me/consents", headers=patient.headers).json()["history"] == []


def test_the_text_percent_zero_zero_is_not_a_nul(api: Api) -> None:
    """Issue 11 item 15: "100%00 sure" is a valid note; only the NUL character itself is refused
    (raw, JSON-escaped, or percent-encoded where percent-encoding means something)."""
    patient = api.patient()

    def note(json_text: bytes) -> int:
        response = api.client.put(
            "/v1/me/consents",
            content=b'{"employer_contact": true, "employer_contact_note": "' + json_text + b'"}',
            headers=patient.headers | {"Content-Type": "application/json"},
        )
        return response.status_code

    backslash = b"\\\\"  # JSON for one backslash: two backslash bytes
    nul_escape = b"\\u0000"  # JSON for the NUL character: backslash, u, 0000
    assert note(b"100%00 sure") == 200
    assert note(b"a " + backslash + b"u0000 b") == 200  # a backslash, then the text u0000
    assert note(b"a " + backslash + nul_escape + b" b") == 422  # a backslash, then a NUL
    assert note(b"a " + nul_escape + b" b") == 422
    assert note(b"a \x00 b") == 422  # the raw byte
    notes = {
        h["employer_contact_note"]
        for h in api.client.get("/v1/me/consents", headers=patient.headers).json()["history"]
    }
    assert notes == {"100%00 sure", "a \\u0000 b"}
    # In a form body %00 is the NUL itself, so the login form still refuses it.
    form = api.client.post(
        "/v1/auth/token",
        content=b"username=100%00&password=whatever",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 422


def test_forged_cursors_are_422_on_every_keyset_list(api: Api) -> None:
    """A cursor with a time lacking its offset failed in the UTC column type (a 500)."""
    from app.core.pagination import encode_cursor

    therapist = api.therapist()
    patient = api.patient(therapist)
    naive = encode_cursor("2026-01-01T00:00:00", "6f0d3c56-5b1c-4c4e-9a55-8f4a1f1f0c11")
    for actor, url in (
        (therapist, "/v1/invitations"),
        (therapist, "/v1/booster-requests"),
        (patient, "/v1/me/access-log"),
        (patient, "/v1/me/exercise-logs"),
    ):
        for cursor in (naive, "e30", encode_cursor("not a time", "x")):
            response = api.client.get(url, params={"cursor": cursor}, headers=actor.headers)
            assert response.status_code == 422, (url, cursor, response.text)
            assert response.json()["code"] == "invalid_cursor"
