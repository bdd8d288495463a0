"""The worklist's SQL path against the pure functions, figure for figure, on a hand-built caseload.

Every worklist row (flags and adherence computed in the database, app.dashboard.worklist_sql)
must equal the patient's detail summary (computed by the pure rules in Python,
app.dashboard.summary.flags_of and app.exercises.adherence.compute); the order must be the one
the flags define (most urgent first, then name, then id), on every page of a keyset walk.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from app.dashboard.schemas import FLAGS
from tests.checkin_helpers import relogin, seed_scores
from tests.dashboard_helpers import NOW, assign, log_att
from tests.factories import Actor, Api
from tests.test_dashboard_worklist import TODAY, build_caseload


def _patch(api: Api, therapist: Actor, assignment: dict[str, Any], **body: Any) -> None:
    changed = api.client.patch(
        f"/v1/assignments/{assignment['id']}",
        json=body,
        headers=therapist.headers,
    )
    assert changed.status_code == 200, changed.text


def _more(api: Api, therapist: Actor) -> None:
    """Cases the one-flag caseload leaves out: weekly doses, pauses, time zones, silence
    since the link, the patient's own rule parameters."""
    # Hilde: ATT 3 a week from 4 November, paused 9-11 November, then twice a day; logs linked
    # and unlinked, several on one day
    hilde = api.patient(therapist, name="Hilde")
    seed_scores(api, hilde, {TODAY - timedelta(days=d): 4.2 for d in range(5)})
    weekly = assign(
        api,
        therapist,
        hilde,
        exercise_kind="attention_training",
        times_per_week=3,
        starts_on="2026-11-04",
    )
    _patch(api, therapist, weekly, paused=True, effective_from="2026-11-09")
    _patch(api, therapist, weekly, paused=False, times_per_day=2, effective_from="2026-11-12")
    for at in (
        "2026-11-03T08:00:00Z",
        "2026-11-03T18:00:00Z",
        "2026-11-05T08:00:00Z",
        "2026-11-10T08:00:00Z",
        "2026-11-13T08:00:00Z",
        "2026-11-16T07:00:00Z",
        "2026-11-16T19:00:00Z",
        "2026-11-18T07:00:00Z",
    ):
        log_att(api, hilde, at)
    # Ivar in New York: a check-in every day of his week but "today" is still the 18th there;
    # ATT once a day ending yesterday
    ivar = api.patient(therapist, name="Ivar", timezone="America/New_York")
    seed_scores(api, ivar, {TODAY - timedelta(days=d): 3.5 for d in range(1, 4)})
    assign(
        api,
        therapist,
        ivar,
        exercise_kind="attention_training",
        times_per_day=1,
        starts_on="2026-11-05",
        ends_on="2026-11-17",
    )
    log_att(api, ivar, "2026-11-16T15:00:00Z")
    # Jon: linked ten days ago and never checked in -> no_checkin_7d; Kari linked four days
    # ago, never checked in -> no_checkin_3d
    with time_machine.travel("2026-11-08T09:00:00Z", tick=False):
        api.patient(therapist, name="Jon")
    with time_machine.travel("2026-11-14T09:00:00Z", tick=False):
        api.patient(therapist, name="Kari")
    relogin(api, therapist)
    # Lars: his own rule, 14 days, at least 5 check-ins, low below 4.0 -> low_rtw_se at 3.9
    lars = api.patient(therapist, name="Lars")
    seed_scores(api, lars, {TODAY - timedelta(days=d): 3.9 for d in range(0, 14, 2)})
    rule = {
        "window_days": 14,
        "min_checkins": 5,
        "low_threshold": 4.0,
        "drop_threshold": 0.8,
        "cooldown_days": 14,
        "enabled": True,
    }
    put = api.client.put(
        f"/v1/patients/{lars.id}/booster-rule", json=rule, headers=therapist.headers
    )
    assert put.status_code == 200, put.text
    # Mona: check-ins long before the rule's window, in it, and one dated after today (stored
    # as is): the latest is the last one, and the window's low test counts the middle one only
    mona = api.patient(therapist, name="Mona")
    seed_scores(api, mona, {TODAY - timedelta(days=d): 1.0 for d in (20, 1, -2)})


def _walk(api: Api, therapist: Actor, **params: Any) -> list[dict[str, Any]]:
    """Every row, two at a time, following the cursors."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/v1/patients", params=query, headers=therapist.headers)
        assert page.status_code == 200, page.text
        found += page.json()["data"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


def _urgency(row: dict[str, Any]) -> str:
    return "".join("0" if flag in row["flags"] else "1" for flag in FLAGS)


@time_machine.travel(NOW, tick=False)
def test_every_row_equals_the_pure_summary_and_sorts_by_its_flags(api: Api) -> None:
    therapist, _ = build_caseload(api)
    _more(api, therapist)
    listed = _walk(api, therapist)
    assert len(listed) == 13
    for row in listed:
        detail = api.client.get(f"/v1/patients/{row['patient_id']}", headers=therapist.headers)
        assert detail.status_code == 200, detail.text
        assert detail.json()["summary"] == row, row["display_name"]
    expected = sorted(
        listed, key=lambda r: (_urgency(r), r["display_name"].casefold(), r["patient_id"])
    )
    assert [r["display_name"] for r in listed] == [r["display_name"] for r in expected]
    flags = {r["display_name"]: r["flags"] for r in listed}
    assert flags["Jon"] == ["no_checkin_7d"]
    assert flags["Kari"] == ["no_checkin_3d"]
    assert "low_rtw_se" in flags["Lars"]
    for flag in FLAGS:
        only = _walk(api, therapist, flag=flag)
        assert [r["patient_id"] for r in only] == [
            r["patient_id"] for r in listed if flag in r["flags"]
        ]
    by_name = _walk(api, therapist, sort="name")
    assert [r["display_name"] for r in by_name] == sorted(
        (r["display_name"] for r in listed), key=str.casefold
    )
    by_checkin = _walk(api, therapist, sort="last_checkin")
    days = [r["last_checkin_on"] or "" for r in by_checkin]
    assert days == sorted(days)


@time_machine.travel(NOW, tick=False)
def test_risk_and_measure_rows_equal_the_pure_summary(api: Api) -> None:
    from tests.test_dashboard_worklist_risk import build as build_risk

    therapist, _, _ = build_risk(api)
    listed = _walk(api, therapist)
    assert {r["display_name"]: r["flags"] for r in listed}["Lise"] == ["measure_overdue"]
    for row in listed:
        detail = api.client.get(f"/v1/patients/{row['patient_id']}", headers=therapist.headers)
        assert detail.status_code == 200, detail.text
        assert detail.json()["summary"] == row, row["display_name"]
