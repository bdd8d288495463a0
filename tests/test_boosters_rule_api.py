"""The booster rule as it runs inside each check-in write."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.boosters.models import booster_request_table
from app.boosters.rule import RuleParams
from app.boosters.rule_service import evaluate_after_checkin, params_for_patients
from app.checkins.models import checkin_table
from app.core.config import Settings
from app.main import create_app
from tests.checkin_helpers import answers, relogin, seed_scores
from tests.factories import Actor, Api
from tests.test_boosters_requests import events

NOW = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)  # 10:00 in Oslo
TODAY = date(2027, 3, 20)


def put_today(api: Api, patient: Actor, value: int) -> Any:
    return api.client.put(
        f"/v1/me/checkins/{TODAY.isoformat()}",
        json={"answers": answers(value)},
        headers=patient.headers,
    )


def requests_of(api: Api, patient: Actor) -> list[dict[str, Any]]:
    body = api.client.get("/v1/me/booster-requests", headers=patient.headers).json()
    return list(body["data"])


def test_three_low_days_open_one_request_and_rewriting_the_day_opens_no_second(
    api: Api,
) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(api.therapist())
        seed_scores(api, patient, {TODAY - timedelta(days=2): 3.0, TODAY - timedelta(days=1): 3.0})
        first = put_today(api, patient, 3)
        assert first.status_code == 201
        opened = first.json()["booster_request"]
        assert opened["source"] == "checkin_rule"
        assert opened["status"] == "open"
        assert opened["reason"] == (
            "7-day mean 3 < 3.7 (3 check-ins); no baseline yet for version 1"
        )
        again = put_today(api, patient, 2)
        assert again.status_code == 200
        assert again.json()["booster_request"] is None
        assert [r["id"] for r in requests_of(api, patient)] == [opened["id"]]


def test_two_checkins_are_too_few(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient()
        seed_scores(api, patient, {TODAY - timedelta(days=1): 1.0})
        assert put_today(api, patient, 1).json()["booster_request"] is None
        assert requests_of(api, patient) == []


def test_drop_from_baseline_while_the_mean_stays_moderate(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient()
        seed_scores(api, patient, {TODAY - timedelta(days=20 - i): 5.5 for i in range(7)})
        seed_scores(api, patient, {TODAY - timedelta(days=d): 4.5 for d in (2, 1)})
        saved = put_today(api, patient, 4).json()
        # (4.5 + 4.5 + 4.0) / 3 = 4.333333; baseline 5.5; drop 1.166667 ≥ 0.8 (shown as compared)
        assert saved["band"] == "moderate"
        assert saved["booster_request"]["reason"] == (
            "7-day mean 4.333333 is 1.166667 below the baseline 5.5 (drop ≥ 0.8) (3 check-ins)"
        )


def test_the_reason_shows_the_numbers_as_compared(api: Api) -> None:
    # Issue 10: baseline 4.675, drop 0.805 -- the reason says 4.675, not a rounded 4.67.
    with time_machine.travel(NOW, tick=False):
        patient = api.patient()
        seed_scores(api, patient, {TODAY - timedelta(days=20 - i): 4.675 for i in range(7)})
        seed_scores(api, patient, {TODAY - timedelta(days=d): 3.805 for d in (2, 1)})
        saved = put_today(api, patient, 4).json()  # (3.805 + 3.805 + 4) / 3 = 3.87
        assert saved["booster_request"]["reason"] == (
            "7-day mean 3.87 is 0.805 below the baseline 4.675 (drop ≥ 0.8) (3 check-ins)"
        )


@pytest.mark.parametrize(("resolved_days_ago", "opens"), [(13, False), (14, True)])
def test_cooldown_after_a_resolved_request(api: Api, resolved_days_ago: int, opens: bool) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient()
        # Resolved at 23:30 Oslo time on the day `resolved_days_ago` back (22:30 UTC).
        day = TODAY - timedelta(days=resolved_days_ago)
        resolved = datetime(day.year, day.month, day.day, 22, 30, tzinfo=UTC)

        async def add(session: AsyncSession) -> None:
            await session.execute(
                insert(booster_request_table).values(
                    id=uuid.uuid4(),
                    patient_id=patient.id,
                    source="patient",
                    status="completed",
                    created_at=resolved - timedelta(days=3),
                    updated_at=resolved,
                    resolved_at=resolved,
                )
            )
            await session.commit()

        api.db(add)
        seed_scores(api, patient, {TODAY - timedelta(days=d): 2.0 for d in (2, 1)})
        saved = put_today(api, patient, 2).json()
        assert (saved["booster_request"] is not None) is opens
        assert len(requests_of(api, patient)) == (2 if opens else 1)


def test_an_open_patient_request_suppresses_the_rule(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient()
        own = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
        assert own.status_code == 201
        seed_scores(api, patient, {TODAY - timedelta(days=d): 1.0 for d in (2, 1)})
        assert put_today(api, patient, 1).json()["booster_request"] is None
        assert [r["source"] for r in requests_of(api, patient)] == ["patient"]


def test_a_scheduled_request_suppresses_the_rule_and_a_second_patient_request(
    api: Api,
) -> None:
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        own = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers).json()
        scheduled = api.client.patch(
            f"/v1/booster-requests/{own['id']}",
            json={"status": "scheduled", "scheduled_for": "2027-03-25T09:00:00Z"},
            headers=therapist.headers,
        )
        assert scheduled.status_code == 200, scheduled.text
        # One active request at a time: the rule opens nothing while one is scheduled ...
        seed_scores(api, patient, {TODAY - timedelta(days=d): 1.0 for d in (2, 1)})
        assert put_today(api, patient, 1).json()["booster_request"] is None
        # ... and the patient's second request is a 409 pointing at the scheduled one.
        again = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
        assert again.status_code == 409
        assert again.json() == {
            "detail": "A booster request is already scheduled.",
            "code": "booster_request_open",
            "open_request_id": own["id"],
            "request_status": "scheduled",
        }
        assert [r["status"] for r in requests_of(api, patient)] == ["scheduled"]
        # Once it is completed, the rule may open a new one (no cool-down was set here).
        api.client.put(
            f"/v1/patients/{patient.id}/booster-rule",
            json={
                "window_days": 7,
                "min_checkins": 3,
                "low_threshold": 3.7,
                "drop_threshold": 0.8,
                "cooldown_days": 0,
                "enabled": True,
            },
            headers=therapist.headers,
        )
        api.client.patch(
            f"/v1/booster-requests/{own['id']}",
            json={"status": "completed"},
            headers=therapist.headers,
        )
        assert put_today(api, patient, 1).json()["booster_request"]["source"] == "checkin_rule"


def test_therapist_overrides_the_rule_per_patient(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient, other = api.patient(therapist), api.patient(therapist)
        url = f"/v1/patients/{patient.id}/booster-rule"
        defaults = api.client.get(url, headers=therapist.headers).json()
        assert defaults == {
            "window_days": 7,
            "min_checkins": 3,
            "low_threshold": 3.7,
            "drop_threshold": 0.8,
            "cooldown_days": 14,
            "enabled": True,
            "overridden": False,
            "updated_at": None,
        }
        params = {
            "window_days": 3,
            "min_checkins": 2,
            "low_threshold": 4.5,
            "drop_threshold": 1.0,
            "cooldown_days": 7,
            "enabled": True,
        }
        written = api.client.put(url, json=params, headers=therapist.headers)
        assert written.status_code == 200
        assert written.json()["overridden"] is True
        assert api.client.get(url, headers=therapist.headers).json()["low_threshold"] == 4.5
        for actor in (patient, other):
            seed_scores(api, actor, {TODAY - timedelta(days=1): 4.0})
        # (4 + 4) / 2 = 4 < 4.5 with the override; the other patient keeps the defaults.
        assert put_today(api, patient, 4).json()["booster_request"]["reason"] == (
            "3-day mean 4 < 4.5 (2 check-ins); no baseline yet for version 1"
        )
        assert put_today(api, other, 4).json()["booster_request"] is None
        bad = api.client.put(url, json={**params, "min_checkins": 4}, headers=therapist.headers)
        assert bad.status_code == 422


def test_a_disabled_rule_opens_nothing(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        params = {
            "window_days": 7,
            "min_checkins": 3,
            "low_threshold": 3.7,
            "drop_threshold": 0.8,
            "cooldown_days": 14,
            "enabled": False,
        }
        api.client.put(
            f"/v1/patients/{patient.id}/booster-rule", json=params, headers=therapist.headers
        )
        seed_scores(api, patient, {TODAY - timedelta(days=d): 1.0 for d in (2, 1)})
        assert put_today(api, patient, 1).json()["booster_request"] is None
        assert requests_of(api, patient) == []


def _resolved_request(api: Api, patient: Actor, resolved: datetime) -> None:
    async def add(session: AsyncSession) -> None:
        await session.execute(
            insert(booster_request_table).values(
                id=uuid.uuid4(),
                patient_id=patient.id,
                source="patient",
                status="completed",
                created_at=resolved - timedelta(days=3),
                updated_at=resolved,
                resolved_at=resolved,
            )
        )
        await session.commit()

    api.db(add)


def test_the_cooldown_counts_the_patients_local_days_not_utc_days(api: Api) -> None:
    # Issue 21: resolved at 23:30 UTC on 6 March, which is 00:30 on 7 March in Oslo. On 20 March
    # that is 13 local days ago (still cooling down); counted in UTC dates it would be 14 (a
    # new request). The rule counts the patient's days.
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        _resolved_request(api, patient, datetime(2027, 3, 6, 23, 30, tzinfo=UTC))
        seed_scores(api, patient, {TODAY - timedelta(days=d): 2.0 for d in (2, 1)})
        assert put_today(api, patient, 2).json()["booster_request"] is None
        assert len(requests_of(api, patient)) == 1


@pytest.mark.parametrize(("earlier", "fires"), [(3, False), (4, True)])
def test_the_drop_rule_needs_seven_check_ins_on_the_version(
    api: Api, earlier: int, fires: bool
) -> None:
    # Issue 21: `earlier` check-ins of 6.0 weeks ago, then 4.0 on the last three days. The
    # window mean 4 is not low. With 3 earlier ones there are 6 check-ins: no baseline, no drop
    # (a baseline of 6 would be (3 x 6 + 3 x 4) / 6 = 5, a drop of 1 that fires). With 4 the
    # first seven give the baseline (4 x 6 + 3 x 4) / 7 = 5.142857 and a drop of 1.142857.
    with time_machine.travel(NOW, tick=False):
        patient = api.patient()
        seed_scores(api, patient, {TODAY - timedelta(days=20 - i): 6.0 for i in range(earlier)})
        seed_scores(api, patient, {TODAY - timedelta(days=d): 4.0 for d in (2, 1)})
        opened = put_today(api, patient, 4).json()["booster_request"]
        if not fires:
            assert opened is None
            assert requests_of(api, patient) == []
        else:
            assert opened["reason"] == (
                "7-day mean 4 is 1.142857 below the baseline 5.142857 (drop ≥ 0.8) (3 check-ins)"
            )


def test_the_clinic_defaults_come_from_the_settings(settings: Settings) -> None:
    # Issue 21 (mutation survivors): every MESTRING_BOOSTER_* setting reaches the rule; the
    # test settings are the defaults, so other values are needed to tell them apart.
    custom = settings.model_copy(
        update={
            "booster_window_days": 5,
            "booster_min_checkins": 2,
            "booster_low_threshold": 4.2,
            "booster_drop_threshold": 1.1,
            "booster_cooldown_days": 9,
            "booster_enabled": False,
        }
    )
    with TestClient(create_app(custom)) as client:
        own = Api(client)
        therapist = own.therapist()
        patient = own.patient(therapist)
        read = client.get(f"/v1/patients/{patient.id}/booster-rule", headers=therapist.headers)
        assert read.json() == {
            "window_days": 5,
            "min_checkins": 2,
            "low_threshold": 4.2,
            "drop_threshold": 1.1,
            "cooldown_days": 9,
            "enabled": False,
            "overridden": False,
            "updated_at": None,
        }


def test_an_override_is_stored_once_replaced_and_read_back_with_its_time(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient, other = api.patient(therapist), api.patient(therapist)
        url = f"/v1/patients/{patient.id}/booster-rule"
        params = {
            "window_days": 3,
            "min_checkins": 2,
            "low_threshold": 4.5,
            "drop_threshold": 1.0,
            "cooldown_days": 7,
            "enabled": True,
        }
        first = api.client.put(url, json=params, headers=therapist.headers)
        assert first.status_code == 200, first.text
        assert (first.json()["overridden"], first.json()["updated_at"]) == (
            True,
            "2027-03-20T09:00:00Z",
        )
        again = api.client.put(url, json={**params, "cooldown_days": 21}, headers=therapist.headers)
        assert again.status_code == 200, again.text  # the upsert's second write replaces
        read = api.client.get(url, headers=therapist.headers).json()
        assert read == {
            **params,
            "cooldown_days": 21,
            "overridden": True,
            "updated_at": "2027-03-20T09:00:00Z",
        }

        async def in_force(session: AsyncSession) -> dict[uuid.UUID, RuleParams]:
            return await params_for_patients(
                session, patient_ids=[patient.id, other.id], defaults=RuleParams()
            )

        found = api.db(in_force)
        assert found == {
            patient.id: RuleParams(3, 2, 4.5, 1.0, 21, True),
            other.id: RuleParams(),
        }


def test_the_patients_export_says_who_set_the_rule_and_when(api: Api) -> None:
    # `updated_by` is shown only in the patient's export; the first write inserts it, a later
    # write (the upsert) replaces it and the time.
    params = {
        "window_days": 3,
        "min_checkins": 2,
        "low_threshold": 4.5,
        "drop_threshold": 1.0,
        "cooldown_days": 7,
        "enabled": True,
    }

    def exported(patient: Actor) -> Any:
        response = api.client.get("/v1/me/export", headers=patient.headers)
        assert response.status_code == 200, response.text
        rule = response.json()["booster_rule"]
        return (rule["updated_by"], rule["updated_at"], rule["cooldown_days"])

    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        url = f"/v1/patients/{patient.id}/booster-rule"
        assert api.client.put(url, json=params, headers=therapist.headers).status_code == 200
        assert exported(patient) == (str(therapist.id), "2027-03-20T09:00:00Z", 7)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        colleague = api.therapist()
        api.link(patient, colleague)  # a second therapist takes over the patient
        relogin(api, patient)
        later = {**params, "cooldown_days": 21}
        assert api.client.put(url, json=later, headers=colleague.headers).status_code == 200
        assert exported(patient) == (str(colleague.id), "2027-03-20T10:00:00Z", 21)
        read = api.client.get(url, headers=colleague.headers).json()
        assert read["updated_at"] == "2027-03-20T10:00:00Z"


def test_the_baseline_is_the_patients_own_first_seven_by_date(api: Api) -> None:
    # Issue 21 (mutation survivors). Stored out of order: three 3.0s from 10-12 days ago
    # first, then seven 6.0s from 30-24 days ago. The baseline is the first seven *by date*
    # (6.0), not the first seven stored ((3 x 3 + 4 x 6) / 7 = 4.714286, a drop of 0.714286
    # that would not fire). Another patient with only this window's check-ins has no baseline
    # at all: the first patient's check-ins are never theirs.
    with time_machine.travel(NOW, tick=False):
        patient, other = api.patient(), api.patient()
        seed_scores(api, patient, {TODAY - timedelta(days=d): 3.0 for d in (12, 11, 10)})
        seed_scores(api, patient, {TODAY - timedelta(days=d): 6.0 for d in range(30, 23, -1)})
        for actor in (patient, other):
            seed_scores(api, actor, {TODAY - timedelta(days=d): 4.0 for d in (2, 1)})
        assert put_today(api, patient, 4).json()["booster_request"]["reason"] == (
            "7-day mean 4 is 2 below the baseline 6 (drop ≥ 0.8) (3 check-ins)"
        )
        assert put_today(api, other, 4).json()["booster_request"] is None


def test_the_window_holds_the_patients_own_check_ins_of_its_days_only(api: Api) -> None:
    # Issue 21 (mutation survivors of the run of 2 December, rule_service.py). The 7-day
    # window is today and the 6 days before it (window_start = today - 6). Three patients:
    # - `inside`: 1.0 exactly on the window's first day, then 4.0 yesterday and 4 today:
    #   (1 + 4 + 4) / 3 = 3 < 3.7, three check-ins: it fires (a window one day short would
    #   hold two check-ins, too few);
    # - `recent`: 5.0 yesterday and 5 today, with three 1.0s 20-18 days ago: those are outside
    #   the window, so two check-ins, too few (all history would make (3 + 10) / 5 = 2.6; the
    #   pure rule cuts the window again, so the statement's lower bound is only a read bound);
    # - `neighbour`: 5.0 on the three days before yesterday and 5 today, mean 5 — while
    #   `inside`'s 1.0 and `recent`'s 1.0s are someone else's.
    with time_machine.travel(NOW, tick=False):
        inside, recent, neighbour = api.patient(), api.patient(), api.patient()
        seed_scores(api, inside, {TODAY - timedelta(days=6): 1.0, TODAY - timedelta(days=1): 4.0})
        seed_scores(api, recent, {TODAY - timedelta(days=d): 1.0 for d in (20, 19, 18)})
        seed_scores(api, recent, {TODAY - timedelta(days=1): 5.0})
        seed_scores(api, neighbour, {TODAY - timedelta(days=d): 5.0 for d in (4, 3, 2)})
        assert put_today(api, neighbour, 5).json()["booster_request"] is None
        assert put_today(api, recent, 5).json()["booster_request"] is None
        assert put_today(api, inside, 4).json()["booster_request"]["reason"] == (
            "7-day mean 3 < 3.7 (3 check-ins); no baseline yet for version 1"
        )
        assert requests_of(api, neighbour) == requests_of(api, recent) == []


def test_another_patients_open_request_does_not_suppress_the_rule(api: Api) -> None:
    # Issue 21 (mutation survivor): the active-request check is the patient's own.
    with time_machine.travel(NOW, tick=False):
        waiting, patient = api.patient(), api.patient()
        own = api.client.post("/v1/me/booster-requests", json={}, headers=waiting.headers)
        assert own.status_code == 201
        seed_scores(api, patient, {TODAY - timedelta(days=d): 1.0 for d in (2, 1)})
        opened = put_today(api, patient, 1).json()["booster_request"]
        assert opened is not None
        assert opened["source"] == "checkin_rule"
        assert [r["source"] for r in requests_of(api, waiting)] == ["patient"]


def test_a_request_the_rule_opens_is_the_systems_and_dated_by_the_callers_clock(api: Api) -> None:
    # Issue 21 (mutation survivors): the request's first event names the system as its actor,
    # and the request carries the `now` its caller passes (the demo seed replays back-dated
    # check-ins with their own times), not the clock's.
    with time_machine.travel(NOW, tick=False):
        patient = api.patient()
        yesterday = TODAY - timedelta(days=1)
        seed_scores(api, patient, {yesterday - timedelta(days=d): 1.0 for d in (2, 1, 0)})
        then = NOW - timedelta(days=1)

        async def work(session: AsyncSession) -> Any:
            questionnaire = await session.scalar(
                select(checkin_table.c.questionnaire_id)
                .where(checkin_table.c.patient_id == patient.id)
                .limit(1)
            )
            assert questionnaire is not None
            _, opened = await evaluate_after_checkin(
                session,
                patient_id=patient.id,
                today=yesterday,
                timezone="Europe/Oslo",
                questionnaire_id=questionnaire,
                questionnaire_version=1,
                defaults=RuleParams(),
                now=then,
            )
            await session.commit()
            return opened

        opened = api.db(work)
        assert opened is not None
        assert opened.created_at == then
        assert events(api, str(opened.id)) == [(None, "open", None, "system")]
