"""GET /v1/patients (the worklist) and GET /v1/patients/{id}: flags, numbers, paging, logging."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import time_machine
from sqlalchemy import func, select

from app.privacy.models import AccessLogEntry
from tests.checkin_helpers import seed_scores
from tests.dashboard_helpers import NOW, assign, counted, log_att
from tests.factories import Actor, Api

TODAY = date(2026, 11, 18)
NAMES = ("Anna", "Bjørn", "Cecilie", "Dag", "Eva", "Frida", "Geir")


def build_caseload(api: Api) -> tuple[Actor, dict[str, Actor]]:
    """Seven patients, each built to raise exactly one flag."""
    therapist = api.therapist()
    p = {name: api.patient(therapist, name=name) for name in NAMES}
    # Anna: last check-in three days ago (fine score) -> no_checkin_3d
    seed_scores(api, p["Anna"], {TODAY - timedelta(days=3): 5.0})
    # Bjørn: 3.0, 3.2 and 3.4 this week, 4.0 the week before -> low_rtw_se, change -0.8
    seed_scores(
        api,
        p["Bjørn"],
        {
            TODAY: 3.0,
            TODAY - timedelta(days=1): 3.4,
            TODAY - timedelta(days=2): 3.2,
            TODAY - timedelta(days=8): 4.0,
        },
    )
    # Cecilie: ATT once a day since 12 Nov; 12-17 Nov are due (6), done twice; nothing done
    # today is not a debt -> 2 / 6 -> low_adherence
    seed_scores(api, p["Cecilie"], {TODAY: 5.0})
    assign(
        api,
        therapist,
        p["Cecilie"],
        exercise_kind="attention_training",
        times_per_day=1,
        starts_on="2026-11-12",
    )
    for day in (13, 14):
        log_att(api, p["Cecilie"], f"2026-11-{day}T08:00:00Z")
    # Dag: asked for a booster; worked 15 h on a 50 % plan last week -> booster_open
    seed_scores(api, p["Dag"], {TODAY: 5.0})
    asked = api.client.post("/v1/me/booster-requests", json={}, headers=p["Dag"].headers)
    assert asked.status_code == 201, asked.text
    # (the stage's review on 16 November was held, so no review is due)
    plan = {
        "stages": [
            {"starts_on": "2026-11-02", "sick_leave_percent": 50, "reviewed_on": "2026-11-16"}
        ]
    }
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=p["Dag"].headers).is_success
    for day in range(9, 14):
        written = api.client.put(
            f"/v1/me/work-diary/2026-11-{day:02d}",
            json={"worked_hours": 3},
            headers=p["Dag"].headers,
        )
        assert written.status_code == 201, written.text
    # Eva: back at work since 18 August -> the 3-month follow-up is due today -> follow_up_due
    seed_scores(api, p["Eva"], {TODAY: 5.0})
    api.client.put(
        f"/v1/patients/{p['Eva'].id}/rtw-completion",
        json={"rtw_completed_on": "2026-08-18"},
        headers=therapist.headers,
    )
    # Frida: last check-in eight days ago -> no_checkin_7d (not also no_checkin_3d)
    seed_scores(api, p["Frida"], {TODAY - timedelta(days=8): 5.0})
    # Geir: a stage from 2 November whose review (16 November) has not been held -> review_due
    seed_scores(api, p["Geir"], {TODAY: 5.0})
    plan = {"stages": [{"starts_on": "2026-11-02", "sick_leave_percent": 100}]}
    assert api.client.put("/v1/me/rtw-plan", json=plan, headers=p["Geir"].headers).is_success
    return therapist, p


def rows(api: Api, therapist: Actor, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/v1/patients", params=params, headers=therapist.headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


@time_machine.travel(NOW, tick=False)
def test_each_patient_raises_their_flag_with_hand_computed_numbers(api: Api) -> None:
    therapist, _ = build_caseload(api)
    other = api.therapist()
    stranger = api.patient(other, name="Aaron")
    listed = rows(api, therapist)
    by_name = {row["display_name"]: row for row in listed}
    assert set(by_name) == set(NAMES)
    assert {name: row["flags"] for name, row in by_name.items()} == {
        "Anna": ["no_checkin_3d"],
        "Bjørn": ["low_rtw_se"],
        "Cecilie": ["low_adherence"],
        "Dag": ["booster_open"],
        "Eva": ["follow_up_due"],
        "Frida": ["no_checkin_7d"],
        "Geir": ["review_due"],
    }
    anna, bjorn, cecilie, dag, eva, frida, _ = (by_name[n] for n in NAMES)
    assert (anna["last_checkin_on"], anna["rtw_se_mean_7d"], anna["rtw_se_band"]) == (
        "2026-11-15",
        5.0,
        "high",
    )
    assert (bjorn["rtw_se_mean_7d"], bjorn["rtw_se_checkins_7d"]) == (3.2, 3)
    assert (bjorn["rtw_se_band"], bjorn["rtw_se_change_7d"]) == ("low", -0.8)
    assert (bjorn["rtw_se_rule_mean"], bjorn["illustrative"]) == (3.2, True)
    assert (cecilie["adherence_7d"], cecilie["adherence_28d"]) == (0.333, 0.333)
    assert frida["last_checkin_on"] == "2026-11-10"
    assert anna["adherence_7d"] is None
    assert dag["booster_requests"] == {"open": 1, "scheduled": 0}
    # 15 h over the five weekdays of a 50 % plan: 15 / 37.5 = 40
    assert dag["work_week"] == {
        "week": "2026-W46",
        "week_start": "2026-11-09",
        "actual_grade": 40,
        "planned_grade": 50,
        "above_plan": False,
        "complete": True,
    }
    assert (eva["follow_ups_due"], eva["local_date"]) == (1, "2026-11-18")
    # The other therapist sees only their own patient.
    assert [r["patient_id"] for r in rows(api, other)] == [str(stranger.id)]


@time_machine.travel(NOW, tick=False)
def test_numbers_agree_with_the_detail_endpoints(api: Api) -> None:
    therapist, p = build_caseload(api)
    listed = {row["display_name"]: row for row in rows(api, therapist)}
    for name in ("Bjørn", "Cecilie"):
        base = f"/v1/patients/{p[name].id}"
        detail = api.client.get(base, headers=therapist.headers)
        assert detail.status_code == 200, detail.text
        body = detail.json()
        assert body["summary"] == listed[name]
        assert (body["display_name"], body["employer_contact"]["employer_contact"]) == (name, False)
        checkins = api.client.get(f"{base}/checkins/summary", headers=therapist.headers).json()
        assert checkins["mean_7d"] == body["summary"]["rtw_se_mean_7d"]
        assert checkins["last_checkin_on"] == body["summary"]["last_checkin_on"]
        for days, field in ((7, "adherence_7d"), (28, "adherence_28d")):
            # the days before today, and today
            window = {"from": str(TODAY - timedelta(days=days)), "to": str(TODAY)}
            adherence = api.client.get(
                f"{base}/adherence", params=window, headers=therapist.headers
            ).json()
            assert adherence["rate"] == body["summary"][field]


@time_machine.travel(NOW, tick=False)
def test_sorting_filtering_and_cursor_paging(api: Api) -> None:
    therapist, p = build_caseload(api)
    # Eva now also low, (5 + 2 + 2) / 3 = 3: low_rtw_se and follow_up_due
    seed_scores(api, p["Eva"], {TODAY - timedelta(days=d): 2.0 for d in (1, 2)})
    names = [r["display_name"] for r in rows(api, therapist)]
    # The most urgent flag first: 7 days silent, 3 days silent, low RTW-SE (Eva's second flag
    # puts her before Bjørn), low adherence, an open request, a due review.
    assert names == ["Frida", "Anna", "Eva", "Bjørn", "Cecilie", "Dag", "Geir"]
    by_name = [r["display_name"] for r in rows(api, therapist, sort="name")]
    assert by_name == list(NAMES)
    by_checkin = [r["display_name"] for r in rows(api, therapist, sort="last_checkin")]
    assert by_checkin == ["Frida", "Anna", "Bjørn", "Cecilie", "Dag", "Eva", "Geir"]
    low = [r["display_name"] for r in rows(api, therapist, flag="low_rtw_se")]
    assert low == ["Eva", "Bjørn"]
    silent = [r["display_name"] for r in rows(api, therapist, flag="no_checkin_7d")]
    assert silent == ["Frida"]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"sort": "name", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get("/v1/patients", params=params, headers=therapist.headers).json()
        seen += [r["display_name"] for r in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (list(NAMES), 4)
    wrong = api.client.get(
        "/v1/patients",
        params={"sort": "flags", "cursor": page_cursor(api, therapist)},
        headers=therapist.headers,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_cursor")
    too_many = api.client.get("/v1/patients", params={"limit": 201}, headers=therapist.headers)
    assert too_many.status_code == 422


def page_cursor(api: Api, therapist: Actor) -> str:
    page = api.client.get(
        "/v1/patients", params={"sort": "name", "limit": 1}, headers=therapist.headers
    ).json()
    cursor: str = page["next_cursor"]
    return cursor


@time_machine.travel(NOW, tick=False)
def test_a_worklist_page_logs_one_access_row_per_listed_patient(api: Api) -> None:
    therapist, p = build_caseload(api)

    def worklist_rows(session: Any) -> Any:
        return session.scalar(
            select(func.count()).where(AccessLogEntry.kind == "worklist")  # type: ignore[arg-type]
        )

    before = api.db(worklist_rows)
    page = rows(api, therapist, sort="name", limit=3)
    assert len(page) == 3
    assert api.db(worklist_rows) - before == 3
    anna = api.client.get("/v1/me/access-log", headers=p["Anna"].headers).json()["data"]
    assert [entry["kind"] for entry in anna] == ["worklist"]
    eva = api.client.get("/v1/me/access-log", headers=p["Eva"].headers).json()["data"]
    assert "worklist" not in [entry["kind"] for entry in eva]


@time_machine.travel(NOW, tick=False)
def test_the_worklist_runs_the_same_statements_for_2_and_20_patients(api: Api) -> None:
    small, large = api.therapist(), api.therapist()
    for n in range(2):
        patient = api.patient(small)
        seed_scores(api, patient, {TODAY - timedelta(days=d): 4.0 for d in range(n + 1)})
    for n in range(20):
        patient = api.patient(large)
        seed_scores(api, patient, {TODAY - timedelta(days=d): 3.0 for d in range(10 * n + 1)})
        if n % 3 == 0:
            assign(
                api,
                large,
                patient,
                exercise_kind="attention_training",
                times_per_day=2,
                starts_on="2026-11-10",
            )
            log_att(api, patient, "2026-11-17T08:00:00Z")
    sizes = []
    for therapist in (small, large):
        with counted(api) as statements:
            assert len(rows(api, therapist, limit=200)) in (2, 20)
        sizes.append(len(statements))
    # auth 1, time zones 1, flags and page 1, the page's 28-day adherence 1, the page's other
    # figures 7 (one value per patient 1: questionnaire, booster counts, risk alerts, latest
    # barriers and status check, first and latest measures, plan; check-ins 1, diary 1,
    # follow-ups 1, measures due 1, meetings soon 1, goals reached 1), access log 1
    assert sizes == [12, 12]


@time_machine.travel(NOW, tick=False)
def test_low_rtw_se_uses_the_patients_own_rule_parameters(api: Api) -> None:
    therapist = api.therapist()
    patient = api.patient(therapist, name="Hege")
    # Two check-ins at 3.0 this week: below 3.7, but fewer than the default 3 check-ins.
    seed_scores(api, patient, {TODAY: 3.0, TODAY - timedelta(days=1): 3.0})
    url = f"/v1/patients/{patient.id}/booster-rule"

    def rule(**params: Any) -> None:
        body = {
            "window_days": 7,
            "min_checkins": 3,
            "low_threshold": 3.7,
            "drop_threshold": 0.8,
            "cooldown_days": 14,
            "enabled": True,
            **params,
        }
        assert api.client.put(url, json=body, headers=therapist.headers).status_code == 200

    def hege() -> dict[str, Any]:
        (found,) = rows(api, therapist)
        return found

    assert "low_rtw_se" not in hege()["flags"]
    rule(min_checkins=2)
    assert "low_rtw_se" in hege()["flags"]
    rule(min_checkins=2, low_threshold=2.5)  # 3.0 is not below 2.5
    assert "low_rtw_se" not in hege()["flags"]
    # A 14-day window also takes in last week's 1.0: (3 + 3 + 1) / 3 = 2.333333 < 2.5
    seed_scores(api, patient, {TODAY - timedelta(days=10): 1.0})
    rule(min_checkins=2, low_threshold=2.5, window_days=14)
    row = hege()
    assert "low_rtw_se" in row["flags"]
    assert (row["rtw_se_rule_mean"], row["rtw_se_mean_7d"]) == (2.333333, 3.0)


def test_a_therapist_without_patients_gets_an_empty_worklist(api: Api) -> None:
    # No linked patient means no time zone to compute "today" in (it was an empty SQL CASE: 500).
    therapist = api.therapist()
    for params in ({}, {"flag": "risk"}, {"sort": "name"}, {"sort": "last_checkin"}):
        answer = api.client.get("/v1/patients", params=params, headers=therapist.headers)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"data": [], "count": 0, "next_cursor": None}


def test_an_empty_cursor_is_the_first_page_as_on_every_other_list(api: Api) -> None:
    # Found by the deep fuzz (issue 19): `?cursor=` built the keyset statement (a cursor was
    # given) but bound no key (an empty one is falsy): 500. Every other list reads an empty
    # cursor as none.
    therapist = api.therapist()
    api.patient(therapist, name="Hege")
    api.patient(therapist, name="Dag")
    for sort in ("flags", "name", "last_checkin"):
        plain = api.client.get("/v1/patients", params={"sort": sort}, headers=therapist.headers)
        empty = api.client.get(
            "/v1/patients", params={"sort": sort, "cursor": ""}, headers=therapist.headers
        )
        assert (plain.status_code, empty.status_code) == (200, 200), (sort, empty.text)
        assert empty.json() == plain.json()
        assert empty.json()["count"] == 2
