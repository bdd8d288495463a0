"""Driving the console in-process: sign in through its form, post forms with their token."""

from __future__ import annotations

import re
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from tests.factories import Actor, Api

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def https(client: TestClient) -> TestClient:
    """The console's cookies are Secure outside development: speak https to the test app."""
    client.base_url = httpx2.URL("https://testserver")
    return client


def csrf_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no csrf_token on the page"
    return found.group(1)


def sign_in(
    api: Api, actor: Actor, *, password: str | None = None, totp: str = ""
) -> httpx2.Response:
    client = https(api.client)
    page = client.get("/console/login")
    assert page.status_code == 200, page.text
    return client.post(
        "/console/login",
        data={
            "csrf_token": csrf_of(page.text),
            "email": actor.email,
            "password": password or actor.password,
            "totp": totp,
        },
        follow_redirects=False,
    )


def signed_in(api: Api, actor: Actor) -> TestClient:
    """The client, now carrying `actor`'s console cookie."""
    api.client.cookies.clear()
    answer = sign_in(api, actor)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console/worklist"
    return api.client


def post_form(
    client: TestClient, page_url: str, action: str, data: dict[str, Any]
) -> httpx2.Response:
    """GET `page_url` for a token, then POST `data` to `action` with it."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(
        action, data={"csrf_token": csrf_of(page.text), **data}, follow_redirects=False
    )
