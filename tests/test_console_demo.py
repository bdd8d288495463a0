"""The console over `mestring seed-demo`: what the browser tests start from (issue 18)."""

from __future__ import annotations

import re

from app.seed import seed_demo
from tests.console_helpers import signed_in
from tests.factories import Actor, Api


def _demo_therapist(api: Api) -> Actor:
    api.db(lambda session: seed_demo(session, hasher=api.services.hasher))
    tokens = api.login("therapist@demo.example.com", "demo-therapist-pass")
    claims = api.services.tokens.decode_access(tokens["access_token"])
    assert claims is not None
    from app.accounts.models import Role

    return Actor(
        claims.user_id,
        "therapist@demo.example.com",
        "demo-therapist-pass",
        Role.therapist,
        tokens["access_token"],
        tokens["refresh_token"],
    )


def test_the_demo_patient_is_flagged_with_an_open_booster_request(api: Api) -> None:
    therapist = _demo_therapist(api)
    client = signed_in(api, therapist)
    page = client.get("/console/worklist")
    assert page.status_code == 200, page.text
    row = re.search(r'<tr data-patient-id="([^"]+)">(.*?)</tr>', page.text, re.S)
    assert row is not None
    assert "Per Pasient" in row.group(2)
    assert 'data-flag="booster_open"' in row.group(2)
    patient = client.get(f"/console/patients/{row.group(1)}")
    assert patient.status_code == 200, patient.text
    assert 'class="booster-request"' in patient.text
    assert 'data-status="open"' in patient.text
    for section in ("summary", "charts", "homework", "checkins", "work", "boosters"):
        assert f'id="{section}"' in patient.text
