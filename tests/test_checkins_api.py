"""Check-ins through HTTP: the questionnaire, writing a day, date windows, lists, summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from tests.checkin_helpers import ITEM_IDS, answers, seed_scores
from tests.factories import Api

NOW = datetime(2027, 1, 9, 23, 30, tzinfo=UTC)  # 00:30 on 10 January in Oslo


def test_questionnaire_in_the_callers_locale(api: Api) -> None:
    nb, en = api.patient(locale="nb"), api.therapist(locale="en")
    norsk = api.client.get("/v1/questionnaires/rtw-se", headers=nb.headers).json()
    english = api.client.get("/v1/questionnaires/rtw-se", headers=en.headers).json()
    assert norsk["id"] == english["id"]
    assert (norsk["version"], norsk["locale"], english["locale"]) == (1, "nb", "en")
    assert [item["id"] for item in norsk["items"]] == ITEM_IDS
    assert norsk["items"][0]["text"] == "Jeg tror jeg kommer til å klare å gå tilbake til jobb."
    assert english["items"][0]["text"] == "I believe I will manage to go back to work."
    assert norsk["scale"]["min"] == 1
    assert norsk["scale"]["max"] == 6
    assert norsk["scale"]["labels"][0] == {"value": 1, "text": "Helt uenig"}
    assert english["scale"]["labels"][5] == {"value": 6, "text": "Totally agree"}
    assert norsk["illustrative"] is True


def test_write_then_replace_the_same_day(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        url = "/v1/me/checkins/2027-01-10"
        body = {"answers": answers(3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5), "mood": 4, "note": "ok"}
        first = api.client.put(url, json=body, headers=patient.headers)
        assert first.status_code == 201, first.text
        saved = first.json()
        # 40 / 11 = 3.636364
        assert (saved["score"], saved["band"], saved["created"]) == (3.636364, "low", True)
        assert saved["booster_request"] is None
        assert (saved["mood"], saved["worry_minutes"], saved["note"]) == (4, None, "ok")
        assert saved["questionnaire_version"] == 1
        again = api.client.put(
            url, json={"answers": answers(5), "worry_minutes": 30}, headers=patient.headers
        )
        assert again.status_code == 200
        assert (again.json()["score"], again.json()["band"]) == (5.0, "high")
        assert again.json()["created"] is False
        assert again.json()["mood"] is None
        assert again.json()["created_at"] == saved["created_at"]
        listed = api.client.get("/v1/me/checkins", headers=patient.headers).json()
        assert listed["count"] == 1
        assert listed["data"][0]["worry_minutes"] == 30
        assert listed["data"][0]["answers"] == answers(5)
        assert listed["data"][0]["questionnaire_version"] == 1


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"answers": {k: v for k, v in answers(4).items() if k != "rtw11"}}, None),
        ({"answers": {**answers(4), "rtw12": 4}}, None),
        ({"answers": {**answers(4), "rtw01": 7}}, None),
        ({"answers": {**answers(4), "rtw01": 0}}, None),
        ({"answers": {**answers(4), "rtw01": 3.5}}, "answers"),
        ({"answers": {**answers(4), "rtw01": "4"}}, "answers"),
        ({"answers": answers(4), "mood": 11}, "mood"),
        ({"answers": answers(4), "worry_minutes": 1441}, "worry_minutes"),
        ({"answers": answers(4), "worry_minutes": -1}, "worry_minutes"),
        ({"answers": answers(4), "note": "x" * 501}, "note"),
        ({"answers": answers(4), "extra": 1}, "extra"),
    ],
)
def test_bad_check_ins_are_422_and_nothing_is_stored(
    api: Api, body: dict[str, object], where: str | None
) -> None:
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(timezone="Europe/Oslo")
        # The patient's own date (10 January in Oslo while it is still 9 January in UTC),
        # not the host's: the body alone must be what is refused.
        response = api.client.put("/v1/me/checkins/2027-01-10", json=body, headers=patient.headers)
        assert response.status_code == 422, response.text
        if where is None:
            assert response.json()["code"] == "answers_mismatch"
        else:
            assert where in str(response.json()["detail"])
        assert api.client.get("/v1/me/checkins", headers=patient.headers).json()["count"] == 0


def test_local_date_window_in_two_time_zones(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        oslo = api.patient(timezone="Europe/Oslo")  # 00:30, 10 January
        la = api.patient(timezone="America/Los_Angeles")  # 15:30, 9 January
        cases = [
            (oslo, "2027-01-10", 201),
            (oslo, "2027-01-11", "checkin_date_future"),
            (oslo, "2027-01-08", 201),
            (oslo, "2027-01-07", "checkin_date_too_old"),
            (la, "2027-01-10", "checkin_date_future"),
            (la, "2027-01-09", 201),
            (la, "2027-01-07", 201),
            (la, "2027-01-06", "checkin_date_too_old"),
        ]
        for actor, day, expected in cases:
            response = api.client.put(
                f"/v1/me/checkins/{day}", json={"answers": answers(4)}, headers=actor.headers
            )
            if isinstance(expected, int):
                assert response.status_code == expected, (day, response.text)
            else:
                assert response.status_code == 422, (day, response.text)
                assert response.json()["code"] == expected
        listed = api.client.get(
            "/v1/me/checkins", params={"from": "2027-01-01"}, headers=oslo.headers
        ).json()
        assert [c["local_date"] for c in listed["data"]] == ["2027-01-08", "2027-01-10"]


def test_summary_means_baseline_streak(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist, timezone="Europe/Oslo")
        today = date(2027, 1, 10)
        # Days -29..-23: the first seven (baseline: (5+5+5+5+5+6+4)/7 = 5.0).
        first = [5.0, 5.0, 5.0, 5.0, 5.0, 6.0, 4.0]
        scores = {today - timedelta(days=29 - i): s for i, s in enumerate(first)}
        # Days -20 and -10 (inside 28 days, outside 7), then -3..-1 (a streak up to yesterday).
        scores[today - timedelta(days=20)] = 4.0
        scores[today - timedelta(days=10)] = 3.0
        scores.update({today - timedelta(days=d): 3.5 for d in (3, 2, 1)})
        seed_scores(api, patient, scores)
        mine = api.client.get("/v1/me/checkins/summary", headers=patient.headers).json()
        theirs = api.client.get(
            f"/v1/patients/{patient.id}/checkins/summary", headers=therapist.headers
        ).json()
        assert mine == theirs
        # 28 days = days -27..0: days -27..-23 give 5 + 5 + 5 + 6 + 4 = 25, then 4 (-20),
        # 3 (-10) and 3.5 x 3: 42.5 over 10 check-ins = 4.25
        assert mine["as_of"] == "2027-01-10"
        assert (mine["mean_7d"], mine["checkins_7d"]) == (3.5, 3)
        assert (mine["mean_28d"], mine["checkins_28d"]) == (4.25, 10)
        assert mine["baseline"] == 5.0
        assert mine["change_from_baseline"] == -1.5
        assert mine["band"] == "low"
        assert mine["streak_days"] == 3
        assert (mine["last_checkin_on"], mine["last_score"]) == ("2027-01-09", 3.5)
        api.client.put(
            "/v1/me/checkins/2027-01-10", json={"answers": answers(6)}, headers=patient.headers
        )
        after = api.client.get("/v1/me/checkins/summary", headers=patient.headers).json()
        assert after["streak_days"] == 4
        # (3.5 x 3 + 6) / 4 = 4.125
        assert (after["mean_7d"], after["band"]) == (4.125, "moderate")


def test_summary_of_a_new_patient_is_empty(api: Api) -> None:
    patient = api.patient()
    body = api.client.get("/v1/me/checkins/summary", headers=patient.headers).json()
    assert body["mean_7d"] is None
    assert body["baseline"] is None
    assert body["streak_days"] == 0
    assert body["last_checkin_on"] is None


def test_therapist_lists_a_linked_patients_check_ins(api: Api) -> None:
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        seed_scores(api, patient, {date(2027, 1, 1): 4.0, date(2027, 1, 5): 5.0})
        url = f"/v1/patients/{patient.id}/checkins"
        body = api.client.get(url, params={"from": "2027-01-02"}, headers=therapist.headers)
        assert [c["local_date"] for c in body.json()["data"]] == ["2027-01-05"]
        bad = api.client.get(
            url, params={"from": "2027-01-05", "to": "2027-01-01"}, headers=therapist.headers
        )
        assert bad.status_code == 422
