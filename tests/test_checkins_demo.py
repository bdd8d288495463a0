"""`mestring seed-demo` gives the demo patient a month of check-ins and a dip-opened request."""

from __future__ import annotations

from tests.factories import Api


def test_seed_demo_writes_a_month_with_a_dip_that_opened_a_request(api: Api) -> None:
    from app.seed import seed_demo

    for _ in range(2):  # again-safe
        api.db(lambda session: seed_demo(session, hasher=api.services.hasher))
    patient = api.login("patient@demo.example.com", "demo-patient-pass")
    headers = {"Authorization": f"Bearer {patient['access_token']}"}
    listed = api.client.get("/v1/me/checkins", headers=headers).json()
    assert listed["count"] == 28  # the default list: the last 28 days
    requests = api.client.get("/v1/me/booster-requests", headers=headers).json()["data"]
    assert [(r["source"], r["status"]) for r in requests] == [("checkin_rule", "open")]
    assert requests[0]["reason"].startswith("7-day mean ")
    therapist = api.login("therapist@demo.example.com", "demo-therapist-pass")
    seen = api.client.get(
        "/v1/booster-requests", headers={"Authorization": f"Bearer {therapist['access_token']}"}
    ).json()
    assert seen["count"] == 1
