"""The console's pages in-process (issue 18): worklist, patient page, access checks and logging,
and the skeleton every page shares."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.time import utcnow
from app.privacy.models import access_log_table
from tests.checkin_helpers import seed_scores
from tests.console_helpers import signed_in
from tests.dashboard_helpers import assign
from tests.factories import Actor, Api
from tests.measure_helpers import answer


def access_rows(api: Api, patient: Actor) -> list[tuple[str, str]]:
    """(reader id, kind) of every access-log row about `patient`."""

    async def work(session: AsyncSession) -> list[tuple[str, str]]:
        log = access_log_table.c
        rows = await session.execute(
            select(log.reader_id, log.kind).where(log.patient_id == patient.id)
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    return api.db(work)


def row_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-patient-id="([^"]+)">', html)


def skeleton_ok(html: str, lang: str = "nb") -> None:
    """What every page has: the language, one h1, the main landmark and its skip link."""
    assert f'<html lang="{lang}">' in html
    assert html.count("<h1") == 1
    assert '<main id="main"' in html
    assert 'href="#main"' in html
    assert "<script>" not in html
    assert " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None


def patient_with_data(api: Api, therapist: Actor, name: str = "Åse") -> Actor:
    patient = api.patient(therapist, name=name)
    today = utcnow().date()
    seed_scores(api, patient, {today - timedelta(days=d): 3.0 + d * 0.1 for d in range(5)})
    assign(
        api,
        therapist,
        patient,
        exercise_kind="attention_training",
        times_per_day=1,
        starts_on=(today - timedelta(days=10)).isoformat(),
    )
    return patient


def open_booster(api: Api, patient: Actor) -> dict[str, Any]:
    asked = api.client.post("/v1/me/booster-requests", json={}, headers=patient.headers)
    assert asked.status_code == 201, asked.text
    body: dict[str, Any] = asked.json()
    return body


def test_worklist_shows_own_patients_with_their_flags(api: Api) -> None:
    therapist = api.therapist()
    mine = api.patient(therapist, name="Mine")
    other_therapist = api.therapist()
    theirs = api.patient(other_therapist, name="Theirs")
    open_booster(api, mine)
    client = signed_in(api, therapist)
    page = client.get("/console/worklist")
    assert page.status_code == 200
    skeleton_ok(page.text)
    assert row_ids(page.text) == [str(mine.id)]
    assert str(theirs.id) not in page.text
    assert 'data-flag="booster_open"' in page.text
    assert f'class="patient-link" href="/console/patients/{mine.id}"' in page.text
    assert 'id="worklist-filter"' in page.text
    assert "Sist oppdatert" in page.text
    # The same access-log row as GET /v1/patients: one per patient shown, kind "worklist".
    assert access_rows(api, mine) == [(str(therapist.id), "worklist")]
    assert access_rows(api, theirs) == []


def test_worklist_filter_and_paging(api: Api) -> None:
    therapist = api.therapist()
    flagged = api.patient(therapist, name="Anna")
    open_booster(api, flagged)
    others = [api.patient(therapist, name=f"Pasient {n:02d}") for n in range(26)]
    client = signed_in(api, therapist)
    only = client.get("/console/worklist", params={"flag": "booster_open"})
    assert row_ids(only.text) == [str(flagged.id)]
    # A filter looked at every linked patient: a row (0 records) for each of them too.
    assert (str(therapist.id), "worklist") in access_rows(api, others[0])
    first = client.get("/console/worklist", params={"sort": "name"})
    ids = row_ids(first.text)
    assert len(ids) == 25
    assert ids[0] == str(flagged.id)  # "Anna" first by name
    found = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert found is not None
    second = client.get(found.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    rest = row_ids(second.text)
    assert len(rest) == 2
    assert set(ids) | set(rest) == {str(flagged.id), *(str(p.id) for p in others)}
    assert 'rel="next"' not in second.text
    for query in ({"flag": "no_such_flag"}, {"sort": "age"}, {"cursor": "x" * 600}, {"x": "1"}):
        bad = client.get("/console/worklist", params=query)
        assert bad.status_code == 422, query
        assert 'role="alert"' in bad.text
    assert client.get("/console/worklist", params={"cursor": "garbage"}).status_code == 422


def test_patient_page_sections_and_chart_tables(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    open_booster(api, patient)
    client = signed_in(api, therapist)
    page = client.get(f"/console/patients/{patient.id}")
    assert page.status_code == 200, page.text
    html = page.text
    skeleton_ok(html)
    for section in (
        "summary",
        "charts",
        "homework",
        "checkins",
        "work",
        "boosters",
        "follow-ups",
        "consents",
    ):
        assert f'<section id="{section}"' in html, section
    assert 'id="work-focus"' not in html  # no work-focused records yet
    for chart in ("chart-rtwse", "chart-adherence", "chart-hours"):
        figure = re.search(rf'<figure class="chart" id="{chart}">(.*?)</figure>', html, re.S)
        assert figure is not None, chart
        assert '<svg role="img" aria-labelledby=' in figure.group(1)
        assert "<title" in figure.group(1)
        assert '<table class="chart-data">' in figure.group(1)
        assert "<thead>" in figure.group(1)
    assert 'id="chart-measures"' not in html  # no measures answered
    rtw = re.search(r'id="chart-rtwse">(.*?)</figure>', html, re.S)
    assert rtw is not None
    dates = re.findall(r'<tr><th scope="row">(\d{4}-\d\d-\d\d)</th>', rtw.group(1))
    today = utcnow().date()
    assert len(dates) == 5
    assert dates == sorted(dates)
    assert dates[-1] == today.isoformat()
    assert rtw.group(1).count('class="cut"') == 2  # the 3.7 and 4.6 lines
    assert 'data-value="3.7"' in rtw.group(1)
    assert 'data-value="4.6"' in rtw.group(1)
    adherence = re.search(r'id="chart-adherence">(.*?)</figure>', html, re.S)
    assert adherence is not None
    assert re.search(r'<th scope="row">\d{4}-W\d\d</th>', adherence.group(1))
    assert 'class="booster-request"' in html
    assert 'data-status="open"' in html
    assert 'name="scheduled_for" type="datetime-local"' in html
    assert '<button type="submit" name="action" value="schedule">' in html
    assert '<button type="submit" name="action" value="decline">' in html
    assert 'value="complete"' not in html  # not legal for an open request
    assert '<table id="assignments">' in html
    assert len(re.findall(r'<tr data-assignment-id="', html)) == 1
    assert f'id="assign-homework" href="/console/patients/{patient.id}/assignments/new"' in html


def test_patient_page_logs_reads_like_the_api(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    client = signed_in(api, therapist)
    before = len(access_rows(api, patient))
    assert client.get(f"/console/patients/{patient.id}").status_code == 200
    kinds = [kind for reader, kind in access_rows(api, patient)[before:]]
    assert {"profile", "checkins", "assignments", "adherence", "booster-requests"} <= set(kinds)
    assert all(reader == str(therapist.id) for reader, _kind in access_rows(api, patient))


def test_another_therapists_patient_is_not_found_and_not_logged(api: Api) -> None:
    therapist = api.therapist()
    api.patient(therapist)
    stranger = patient_with_data(api, api.therapist())
    client = signed_in(api, therapist)
    for path in (
        f"/console/patients/{stranger.id}",
        f"/console/patients/{stranger.id}/access-log",
        f"/console/patients/{stranger.id}/assignments/new",
        f"/console/patients/{uuid.uuid4()}",
        "/console/patients/not-a-uuid",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert 'role="alert"' in answer.text
        skeleton_ok(answer.text)
    assert [row for row in access_rows(api, stranger) if row[0] == str(therapist.id)] == []


def test_access_log_page_shows_only_my_entries(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    client = signed_in(api, therapist)
    client.get(f"/console/patients/{patient.id}")
    page = client.get(f"/console/patients/{patient.id}/access-log")
    assert page.status_code == 200
    skeleton_ok(page.text)
    mine = [row for row in access_rows(api, patient) if row[0] == str(therapist.id)]
    # The page lists the entries written before it (its own read is logged after it answers).
    listed = re.findall(r'<tr data-entry-id="', page.text)
    assert len(listed) == len(mine) - 2
    assert "<td>profile</td>" in page.text


def test_pages_in_english(api: Api) -> None:
    therapist = api.therapist(locale="en")
    patient = patient_with_data(api, therapist)
    client = signed_in(api, therapist)
    for path in (
        "/console/worklist",
        f"/console/patients/{patient.id}",
        f"/console/patients/{patient.id}/assignments/new",
        f"/console/patients/{patient.id}/access-log",
        "/console/invitations",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        skeleton_ok(page.text, "en")
        assert '<nav aria-label="Console">' in page.text
        assert '<form id="logout-form" method="post" action="/console/logout">' in page.text


def test_measures_chart_appears_once_answered(api: Api) -> None:
    therapist = api.therapist()
    patient = patient_with_data(api, therapist)
    client = signed_in(api, therapist)
    assert 'id="chart-measures"' not in client.get(f"/console/patients/{patient.id}").text
    answered_at = utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z")
    answer(api, patient, "phq9", 12, answered_at)
    html = client.get(f"/console/patients/{patient.id}").text
    figure = re.search(r'<figure class="chart" id="chart-measures">(.*?)</figure>', html, re.S)
    assert figure is not None
    assert re.search(r"<td>PHQ-9</td><td>12</td>", figure.group(1))
