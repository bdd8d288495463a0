"""Who may read and acknowledge a risk alert (`app/care/access.py`): the gaps the mutation run of
1 December left (tests/README.md, "app/care/access.py" survivors). Each test names the mutant
it kills; each was checked by applying the mutant by hand."""

from __future__ import annotations

from typing import Any

import time_machine

from tests.checkin_helpers import relogin
from tests.factories import Actor, Api
from tests.measure_helpers import NOW, answer, put_on_call

DEADLINE = "2026-11-19T10:00:00Z"  # NOW + 24 h (the default MESTRING_RISK_ACK_HOURS)
JUST_AFTER = "2026-11-19T10:00:00.000001Z"


def _read(api: Api, therapist: Actor, patient: Actor) -> Any:
    return api.client.get(f"/v1/patients/{patient.id}/risk-alerts", headers=therapist.headers)


def _ack(api: Api, therapist: Actor, alert_id: str) -> Any:
    return api.client.post(
        f"/v1/risk-alerts/{alert_id}/acknowledge",
        json={"action_taken": "called_patient"},
        headers=therapist.headers,
    )


def _on_call_count(api: Api, therapist: Actor) -> int:
    response = api.client.get("/v1/risk-alerts/on-call", headers=therapist.headers)
    assert response.status_code == 200, response.text
    count: int = response.json()["count"]
    return count


@time_machine.travel(NOW, tick=False)
def test_a_therapist_with_a_patient_of_their_own_gets_no_other_patients_alert(api: Api) -> None:
    """Kills `x_ensure_alert_reader__mutmut_5` and `x_ensure_alert_access__mutmut_5`: the link
    check without its patient condition let any therapist with one active link read and
    acknowledge every patient's alerts."""
    mine, theirs = api.therapist(), api.therapist()
    own_patient = api.patient(mine)
    answer(api, own_patient, "phq9", 18, item9=1)
    other = api.patient(theirs)
    alert_id = answer(api, other, "phq9", 18, item9=1)["risk_alert"]["id"]

    assert _read(api, mine, own_patient).status_code == 200
    hidden = _read(api, mine, other)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "patient_not_found")
    refused = _ack(api, mine, alert_id)
    assert (refused.status_code, refused.json()["code"]) == (404, "risk_alert_not_found")
    # Untouched: its own therapist still acknowledges it.
    assert _ack(api, theirs, alert_id).status_code == 200


def test_on_call_opens_only_the_patient_and_the_alert_that_are_overdue(api: Api) -> None:
    """Kills `x_ensure_alert_reader__mutmut_21` (an overdue alert of any patient opened every
    patient's alerts to the on-call therapist). The refused acknowledgement of an alert not yet
    overdue is checked too, but it does not kill `x_ensure_alert_access__mutmut_34` (on call
    without the escalation condition): `acknowledge` re-checks the escalation in its UPDATE and
    answers the same 404, and a refused request logs nothing (tests/README.md)."""
    with time_machine.travel(NOW, tick=False):
        own = api.therapist()
        on_call = api.therapist()
        put_on_call(api, on_call)
        waiting, fresh = api.patient(own), api.patient(own)
        answer(api, waiting, "phq9", 18, item9=1)
    later = "2026-11-19T11:00:00Z"  # 25 h after NOW: `waiting`'s alert is overdue
    with time_machine.travel(later, tick=False):
        for actor in (own, on_call, waiting, fresh):
            relogin(api, actor)
        new_id = answer(api, fresh, "phq9", 18, later, item9=1)["risk_alert"]["id"]
        assert _on_call_count(api, on_call) == 1
        assert _read(api, on_call, waiting).status_code == 200
        hidden = _read(api, on_call, fresh)
        assert (hidden.status_code, hidden.json()["code"]) == (404, "patient_not_found")
        refused = _ack(api, on_call, new_id)
        assert (refused.status_code, refused.json()["code"]) == (404, "risk_alert_not_found")
        statuses = [a["status"] for a in _read(api, own, fresh).json()["data"]]
        assert statuses == ["open"]  # not acknowledged by the refused call
        # Nothing of `fresh` was opened to the on-call therapist, so nothing is logged.
        log = api.client.get("/v1/me/access-log", headers=fresh.headers).json()["data"]
        assert [e["reader_id"] for e in log if e["reader_id"] == str(on_call.id)] == []
        assert {e["reader_id"] for e in log} == {str(own.id)}


def test_an_alert_escalates_only_after_its_deadline_not_at_it(api: Api) -> None:
    """Kills `x_escalated_alerts__mutmut_5` (`<=` for `<`): exactly at created_at + 24 h the
    alert is still `open` (app/measures/alerts.py `_public`: overdue when overdue_at < now), so
    the on-call therapist neither sees nor acknowledges it; one microsecond later they do."""
    with time_machine.travel(NOW, tick=False):
        own, on_call = api.therapist(), api.therapist()
        put_on_call(api, on_call)
        patient = api.patient(own)
        answer(api, patient, "phq9", 18, item9=1)
        alert = _read(api, own, patient).json()["data"][0]
        assert (alert["created_at"], alert["overdue_at"]) == ("2026-11-18T10:00:00Z", DEADLINE)
    with time_machine.travel(DEADLINE, tick=False):
        for actor in (own, on_call):
            relogin(api, actor)
        assert [a["status"] for a in _read(api, own, patient).json()["data"]] == ["open"]
        assert _on_call_count(api, on_call) == 0
        assert _read(api, on_call, patient).status_code == 404
        assert _ack(api, on_call, alert["id"]).status_code == 404
    with time_machine.travel(JUST_AFTER, tick=False):
        for actor in (own, on_call):
            relogin(api, actor)
        assert [a["status"] for a in _read(api, own, patient).json()["data"]] == ["overdue"]
        assert _on_call_count(api, on_call) == 1
        assert _read(api, on_call, patient).status_code == 200
        done = _ack(api, on_call, alert["id"])
        assert (done.status_code, done.json()["access"]) == (200, "risk_escalation")
