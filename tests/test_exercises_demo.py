"""`mestring seed-demo` gives the demo patient a few weeks of homework, once."""

from __future__ import annotations

from app.seed import seed_demo
from tests.factories import Api


def test_seed_demo_homework_is_plausible_and_again_safe(api: Api) -> None:
    for _ in range(2):
        api.db(lambda s: seed_demo(s, hasher=api.services.hasher))
    therapist = api.login("therapist@demo.example.com", "demo-therapist-pass")
    patient = api.login("patient@demo.example.com", "demo-patient-pass")
    headers = {"Authorization": f"Bearer {therapist['access_token']}"}
    me = api.client.get(
        "/v1/me", headers={"Authorization": f"Bearer {patient['access_token']}"}
    ).json()
    body = api.client.get(f"/v1/patients/{me['id']}/adherence", headers=headers).json()
    kinds = sorted(item["exercise_kind"] for item in body["assignments"])
    assert kinds == ["attention_training", "detached_mindfulness", "worry_postponement"]
    assert 0.4 <= body["rate"] <= 0.95
    logs = api.client.get(
        f"/v1/patients/{me['id']}/exercise-logs", params={"limit": 200}, headers=headers
    ).json()
    assert 20 <= logs["count"] <= 80
