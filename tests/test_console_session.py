"""The console's sign-in and session: the API's login service and session table (issue 18)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import auth_session_table
from tests.console_helpers import csrf_of, https, sign_in, signed_in
from tests.factories import Api
from tests.mfa_helpers import enrol, wrong_code


def _sessions(api: Api, user_id: uuid.UUID) -> int:
    """The user's live sessions in the API's session table."""

    async def work(session: AsyncSession) -> int:
        query = select(func.count()).where(
            auth_session_table.c.user_id == user_id, auth_session_table.c.revoked_at.is_(None)
        )
        return int(await session.scalar(query) or 0)

    return api.db(work)


def _cookie_header(answer: object) -> str:
    headers = answer.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith("mestring_console=")]
    return found[0] if found else ""


def test_pages_need_a_session(api: Api) -> None:
    client = https(api.client)
    for path in ("/console/", "/console/worklist", "/console/invitations"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/console/login"
    # A forged cookie is no session either.
    client.cookies.set("mestring_console", "0" * 32 + "." + "1" * 32 + ".abc", path="/console")
    assert client.get("/console/worklist", follow_redirects=False).status_code == 303


def test_sign_in_opens_a_session_of_the_api_table(api: Api) -> None:
    therapist = api.therapist()
    before = _sessions(api, therapist.id)
    answer = sign_in(api, therapist)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/worklist"
    cookie = _cookie_header(answer)
    parts = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in parts
    assert "secure" in parts
    assert "samesite=strict" in parts
    assert "path=/console" in parts
    assert f"max-age={30 * 86400}" in parts
    value = cookie.split(";")[0].split("=", 1)[1]
    assert therapist.email not in value
    assert "@" not in value
    assert _sessions(api, therapist.id) == before + 1
    page = api.client.get("/console/worklist")
    assert page.status_code == 200
    assert api.client.get("/console/", follow_redirects=False).headers["location"] == (
        "/console/worklist"
    )


def test_wrong_password_and_unknown_email_get_the_same_form(api: Api) -> None:
    therapist = api.therapist()
    wrong = sign_in(api, therapist, password="not the password")
    api.client.cookies.clear()
    therapist.email = "nobody.at.all@clinic.example.com"
    unknown = sign_in(api, therapist)
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert 'role="alert"' in answer.text
        assert 'id="login-form"' in answer.text
        assert _cookie_header(answer) == ""


def test_a_patient_is_refused_and_keeps_no_session(api: Api) -> None:
    patient = api.patient()
    before = _sessions(api, patient.id)
    answer = sign_in(api, patient)
    assert answer.status_code == 403
    assert 'role="alert"' in answer.text
    assert 'id="login-form"' in answer.text
    assert _cookie_header(answer) == ""
    assert _sessions(api, patient.id) == before


def test_failed_sign_ins_are_throttled_with_the_api(api: Api) -> None:
    therapist = api.therapist()
    statuses = [sign_in(api, therapist, password="wrong wrong").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    throttled = sign_in(api, therapist)  # even the right password waits now
    assert throttled.status_code == 429
    assert "retry-after" in throttled.headers
    assert 'role="alert"' in throttled.text
    # The very same counter as the API's login.
    api_answer = api.client.post(
        "/v1/auth/token", data={"username": therapist.email, "password": therapist.password}
    )
    assert api_answer.status_code == 429


def test_two_step_login_asks_for_the_code(api: Api) -> None:
    therapist = api.therapist()
    secret, codes = enrol(api, therapist)
    without = sign_in(api, therapist)
    assert without.status_code == 401
    assert 'role="alert"' in without.text
    assert _cookie_header(without) == ""
    api.client.cookies.clear()
    wrong = sign_in(api, therapist, totp=wrong_code(secret))
    assert wrong.status_code == 401
    assert _cookie_header(wrong) == ""
    api.client.cookies.clear()
    # (the TOTP code of this step was spent by the enrolment: a recovery code goes the same way)
    withcode = sign_in(api, therapist, totp=codes[0])
    assert withcode.status_code == 303
    assert _cookie_header(withcode)


def test_password_change_and_disabling_end_the_console_session(api: Api) -> None:
    therapist = api.therapist()
    client = signed_in(api, therapist)
    assert client.get("/console/worklist").status_code == 200
    changed = client.post(
        "/v1/me/password",
        json={"current_password": therapist.password, "new_password": "a new and long secret 9"},
        headers=therapist.headers,
    )
    assert changed.status_code == 204, changed.text
    assert client.get("/console/worklist", follow_redirects=False).status_code == 303

    other = api.therapist()
    admin = api.admin()
    client = signed_in(api, other)
    assert client.get("/console/worklist").status_code == 200
    disabled = client.patch(
        f"/v1/admin/users/{other.id}", json={"disabled": True}, headers=admin.headers
    )
    assert disabled.status_code == 200, disabled.text
    assert client.get("/console/worklist", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_and_needs_its_token(api: Api) -> None:
    therapist = api.therapist()
    client = signed_in(api, therapist)
    live = _sessions(api, therapist.id)
    refused = client.post("/console/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert 'role="alert"' in refused.text
    forged = client.post("/console/logout", data={"csrf_token": "x" * 64}, follow_redirects=False)
    assert forged.status_code == 403
    assert _sessions(api, therapist.id) == live
    token = csrf_of(client.get("/console/worklist").text)
    out = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/console/login"
    assert _sessions(api, therapist.id) == live - 1
    assert client.get("/console/worklist", follow_redirects=False).status_code == 303


def test_sign_in_form_needs_its_token(api: Api) -> None:
    therapist = api.therapist()
    client = https(api.client)
    client.get("/console/login")
    answer = client.post(
        "/console/login",
        data={"email": therapist.email, "password": therapist.password},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert _cookie_header(answer) == ""


def test_console_headers(api: Api) -> None:
    client = https(api.client)
    page = client.get("/console/login")
    csp = page.headers["content-security-policy"]
    for part in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ):
        assert part in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text
    assert " style=" not in page.text
    assert " onclick" not in page.text
    # htmx keeps no copy of a page (patient names) in localStorage, injects no style.
    assert '"historyCacheSize": 0' in page.text
    assert '"includeIndicatorStyles": false' in page.text
    # The API keeps its own policy.
    assert client.get("/healthz").headers.get("content-security-policy") == (
        "frame-ancestors 'none'"
    )
    static = client.get("/console/static/htmx-2.0.11.min.js")
    assert static.status_code == 200
    assert static.headers["cache-control"] == "public, max-age=31536000, immutable"
