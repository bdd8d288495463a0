"""`mestring seed-demo`: a counsellor the demo patient accepted, who sees the work side."""

from __future__ import annotations

import time_machine

from tests.dashboard_helpers import NOW
from tests.factories import Api


@time_machine.travel(NOW, tick=False)
def test_the_demo_counsellor_sees_the_demo_patient_and_nothing_more(api: Api) -> None:
    from app.seed import seed_demo

    api.db(lambda session: seed_demo(session, hasher=api.services.hasher))
    api.db(lambda session: seed_demo(session, hasher=api.services.hasher))  # again-safe
    tokens = api.login("counsellor@demo.example.com", "demo-counsellor-pass")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    rows = api.client.get("/v1/job-support/patients", headers=headers).json()["data"]
    assert [row["display_name"] for row in rows] == ["Per Pasient"]
    row = rows[0]
    assert row["employment"]["employer"] == "Fjordbyen Bakeri"
    assert row["next_joint_meeting_on"] is not None
    assert "joint_meeting_due" not in row["flags"]
    base = f"/v1/patients/{row['patient_id']}"
    contacts = api.client.get(f"{base}/employer-contacts", headers=headers).json()
    assert contacts["count"] == 1
    assert api.client.get(f"{base}/rtw-plan", headers=headers).status_code == 200
    assert api.client.get(f"{base}/checkins", headers=headers).status_code == 403
