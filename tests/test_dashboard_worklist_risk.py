"""The worklist shows risk above everything, missed measures, and the latest PHQ-9 and GAD-7
(issue 15; order rules in docs/notes/issue-15.md "For the worklist")."""

from __future__ import annotations

from datetime import date
from typing import Any

import time_machine

from tests.checkin_helpers import relogin, seed_scores
from tests.factories import Actor, Api
from tests.measure_helpers import answer, schedule

TODAY = date(2026, 11, 18)
NOW = "2026-11-18T10:00:00Z"


def rows(api: Api, therapist: Actor, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/v1/patients", params=params, headers=therapist.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def names(listed: list[dict[str, Any]]) -> list[str]:
    return [row["display_name"] for row in listed]


def build(api: Api) -> tuple[Actor, dict[str, Actor], dict[str, Any]]:
    """Six patients of one therapist, in care since 10 November.

    Ola: a self-harm answer on the 16th, never acknowledged -> risk, overdue (24 h).
    Per: a self-harm answer today at 08:00 -> risk, not overdue.
    Kari: a self-harm answer today at 09:00 and never a check-in -> risk + no_checkin_7d.
    Anna: never a check-in -> no_checkin_7d only.
    Lise: GAD-7 every 14 days from 29 October, the occurrence of 12 November unanswered ->
      measure_overdue only.
    Nils: a self-harm answer on the 16th that the therapist acknowledged -> no flag.
    """
    with time_machine.travel("2026-11-10T08:00:00Z", tick=False):
        therapist = api.therapist()
        everyone = ("Ola", "Per", "Kari", "Anna", "Lise", "Nils")
        p = {n: api.patient(therapist, name=n) for n in everyone}
        gad7 = {"measure": "gad7", "every_days": 14, "starts_on": "2026-10-29"}
        schedule(api, therapist, p["Lise"], gad7).raise_for_status()
    for name in ("Ola", "Per", "Lise", "Nils"):
        seed_scores(api, p[name], {TODAY: 5.0})
    answered: dict[str, Any] = {}
    with time_machine.travel("2026-11-16T09:00:00Z", tick=False):
        for name in ("Ola", "Nils"):
            relogin(api, p[name])
        relogin(api, therapist)
        answered["Ola"] = answer(api, p["Ola"], "phq9", 20, "2026-11-16T08:55:00Z", item9=2)
        answered["Nils"] = answer(api, p["Nils"], "phq9", 12, "2026-11-16T08:55:00Z", item9=1)
        acked = api.client.post(
            f"/v1/risk-alerts/{answered['Nils']['risk_alert']['id']}/acknowledge",
            json={"action_taken": "met_patient"},
            headers=therapist.headers,
        )
        assert acked.status_code == 200, acked.text
    for name, at in (("Per", "2026-11-18T08:00:00Z"), ("Kari", "2026-11-18T09:00:00Z")):
        with time_machine.travel(at, tick=False):
            relogin(api, p[name])
            answered[name] = answer(api, p[name], "phq9", 7, at, item9=1)
    with time_machine.travel(NOW, tick=False):
        relogin(api, therapist)
    return therapist, p, answered


@time_machine.travel(NOW, tick=False)
def test_risk_sorts_above_everything_overdue_then_oldest(api: Api) -> None:
    therapist, _, _ = build(api)
    listed = rows(api, therapist)
    # Kari's younger alert puts her after Per although she also raises no_checkin_7d; Anna's
    # no_checkin_7d alone comes after every risk row.
    assert names(listed) == ["Ola", "Per", "Kari", "Anna", "Lise", "Nils"]
    assert {r["display_name"]: r["flags"] for r in listed} == {
        "Ola": ["risk"],
        "Per": ["risk"],
        "Kari": ["risk", "no_checkin_7d"],
        "Anna": ["no_checkin_7d"],
        "Lise": ["measure_overdue"],
        "Nils": [],
    }
    # One row at a time through the cursor gives the same order.
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/v1/patients", params=params, headers=therapist.headers).json()
        seen += names(page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == names(listed)
    assert names(rows(api, therapist, flag="risk")) == ["Ola", "Per", "Kari"]
    assert names(rows(api, therapist, flag="measure_overdue")) == ["Lise"]


@time_machine.travel(NOW, tick=False)
def test_risk_counts_and_measure_columns(api: Api) -> None:
    therapist, p, answered = build(api)
    by_name = {r["display_name"]: r for r in rows(api, therapist)}
    ola, per, nils, anna = (by_name[n] for n in ("Ola", "Per", "Nils", "Anna"))
    assert ola["risk_alerts"] == {
        "unacknowledged": 1,
        "overdue": 1,
        "oldest_at": "2026-11-16T09:00:00Z",
    }
    assert (per["risk_alerts"]["unacknowledged"], per["risk_alerts"]["overdue"]) == (1, 0)
    assert nils["risk_alerts"] == {"unacknowledged": 0, "overdue": 0, "oldest_at": None}
    assert ola["phq9"] == {
        "score": 20.0,
        "band": "severe",
        "answered_at": answered["Ola"]["answered_at"],
        "change_from_first": 0.0,
        "illustrative": True,
    }
    assert (nils["phq9"]["score"], nils["phq9"]["band"]) == (12.0, "moderate")
    assert (ola["gad7"], anna["phq9"], anna["gad7"]) == (None, None, None)
    # The patient detail shows the same summary.
    detail = api.client.get(f"/v1/patients/{p['Ola'].id}", headers=therapist.headers)
    assert detail.status_code == 200, detail.text
    assert detail.json()["summary"] == ola


@time_machine.travel(NOW, tick=False)
def test_acknowledging_takes_the_patient_off_the_top_at_once(api: Api) -> None:
    therapist, _, answered = build(api)
    done = api.client.post(
        f"/v1/risk-alerts/{answered['Ola']['risk_alert']['id']}/acknowledge",
        json={"action_taken": "met_patient"},
        headers=therapist.headers,
    )
    assert done.status_code == 200, done.text
    listed = rows(api, therapist)
    assert names(listed)[:3] == ["Per", "Kari", "Anna"]
    assert {r["display_name"]: r["flags"] for r in listed}["Ola"] == []


@time_machine.travel(NOW, tick=False)
def test_a_new_answer_raises_risk_in_the_same_request_cycle(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist, name="Siri")
    seed_scores(api, patient, {TODAY: 5.0})
    assert rows(api, therapist)[0]["flags"] == []
    answer(api, patient, "phq9", 3, NOW, item9=1)
    row = rows(api, therapist)[0]
    assert (row["flags"], row["risk_alerts"]["unacknowledged"]) == (["risk"], 1)
    assert (row["phq9"]["score"], row["phq9"]["band"]) == (3.0, "minimal")
    assert date.fromisoformat(row["local_date"]) == TODAY
