"""A new questionnaire version starts a new baseline, and `illustrative` follows the version.

Source: issue 10 §3 (the baseline is computed from check-ins of the same questionnaire version
as the window's; until that version has its 7 check-ins the drop rule does not fire and the
reason says "no baseline yet for version N") and §5 (score and band responses carry
`illustrative: true` while the seeded illustrative items are in use). Runs on a database of
its own: loading a version changes the current version for everyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins.questionnaire import current_version
from app.core.migrate import upgrade
from app.instruments.definition import Metadata
from app.instruments.store import add_version
from app.main import create_app
from tests.checkin_helpers import answers, seed_scores
from tests.conftest import make_settings
from tests.factories import Api

NOW = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
TODAY = date(2027, 3, 20)


@pytest.fixture
def own_api(empty_database: str) -> Iterator[Api]:
    upgrade(empty_database)
    with TestClient(create_app(make_settings(empty_database))) as client:
        yield Api(client)


def load_licensed_version(api: Api) -> int:
    async def work(session: AsyncSession) -> int:
        seeded = await current_version(session)
        licensed = seeded.definition.model_copy(
            update={"metadata": Metadata(illustrative=False, licence="Clinic licence")}
        )
        return (await add_version(session, definition=licensed)).version

    return api.db(work)


def test_a_new_version_starts_a_new_baseline_and_is_not_illustrative(own_api: Api) -> None:
    api = own_api
    with time_machine.travel(NOW, tick=False):
        therapist = api.therapist()
        patient = api.patient(therapist)
        seed_scores(api, patient, {TODAY - timedelta(days=20 - i): 5.5 for i in range(7)})
        summary = api.client.get("/v1/me/checkins/summary", headers=patient.headers).json()
        assert (summary["baseline"], summary["baseline_version"]) == (5.5, 1)
        assert summary["illustrative"] is True

        assert load_licensed_version(api) == 2
        seed_scores(api, patient, {TODAY - timedelta(days=d): 4.5 for d in (2, 1)})
        url = f"/v1/me/checkins/{TODAY}"
        saved = api.client.put(url, json={"answers": answers(4)}, headers=patient.headers)
        assert saved.status_code == 201, saved.text
        body = saved.json()
        # (4.5 + 4.5 + 4) / 3 = 4.333333: 1.166667 below version 1's baseline of 5.5, but
        # version 2 has only 3 check-ins: no baseline yet, so no drop and no request.
        assert (body["questionnaire_version"], body["illustrative"]) == (2, False)
        assert body["booster_request"] is None
        summary = api.client.get("/v1/me/checkins/summary", headers=patient.headers).json()
        assert (summary["baseline"], summary["baseline_version"]) == (None, None)
        assert summary["change_from_baseline"] is None
        assert summary["illustrative"] is False

        low = api.client.put(url, json={"answers": answers(2)}, headers=patient.headers).json()
        # (4.5 + 4.5 + 2) / 3 = 3.666667 < 3.7
        assert low["booster_request"]["reason"] == (
            "7-day mean 3.666667 < 3.7 (3 check-ins); no baseline yet for version 2"
        )

        listed = api.client.get(
            "/v1/me/checkins", params={"from": "2027-02-28"}, headers=patient.headers
        ).json()["data"]
        assert [(c["questionnaire_version"], c["illustrative"]) for c in listed] == [
            *[(1, True)] * 7,
            *[(2, False)] * 3,
        ]
        (row,) = api.client.get("/v1/patients", headers=therapist.headers).json()["data"]
        assert row["illustrative"] is False


def test_a_check_in_is_scored_against_the_version_current_when_it_is_written(
    own_api: Api,
) -> None:
    """The writer scores against the version it last saw as current and lets the upsert check
    that guess; a version loaded since must be the one a check-in is scored and stored with."""
    api = own_api
    with time_machine.travel(NOW, tick=False):
        patient = api.patient(api.therapist())
        url = f"/v1/me/checkins/{TODAY}"
        first = api.client.put(url, json={"answers": answers(4)}, headers=patient.headers)
        assert first.json()["questionnaire_version"] == 1

        async def load_shorter(session: AsyncSession) -> int:
            seeded = await current_version(session)
            shorter = seeded.definition.model_copy(update={"items": seeded.definition.items[:-1]})
            return (await add_version(session, definition=shorter)).version

        assert api.db(load_shorter) == 2
        # All 11 answers fit version 1 but not version 2, which is current now: refused, and
        # the day keeps its version-1 check-in.
        stale = api.client.put(url, json={"answers": answers(4)}, headers=patient.headers)
        assert (stale.status_code, stale.json()["code"]) == (422, "answers_mismatch")
        listed = api.client.get("/v1/me/checkins", headers=patient.headers).json()["data"]
        assert [(c["local_date"], c["questionnaire_version"]) for c in listed] == [
            (TODAY.isoformat(), 1)
        ]
        ten = {key: 2 for key in list(answers(2))[:-1]}
        saved = api.client.put(url, json={"answers": ten}, headers=patient.headers)
        assert saved.status_code == 200, saved.text
        assert (saved.json()["questionnaire_version"], saved.json()["score"]) == (2, 2.0)
        again = api.client.put(url, json={"answers": ten}, headers=patient.headers)
        assert again.json()["questionnaire_version"] == 2
