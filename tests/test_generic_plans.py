"""Statements run many times on one pooled connection.

asyncpg prepares every statement and keeps it per connection; PostgreSQL plans the first five
executions of a prepared statement with the bound values (custom plans) and may then switch to
one generic plan, planned without them (`plan_cache_mode = auto`). A statement whose meaning
depends on a value at planning time breaks only then, on the sixth run on one connection: the
booster request's `ON CONFLICT (patient_id) WHERE status = $4` could not be matched to the
partial unique index `WHERE status = 'open'` once `$4` was unknown, and the sixth check-in
that opened a request on a connection answered 500 ("there is no unique or exclusion
constraint matching the ON CONFLICT specification"). One connection (pool of one) makes the
sixth run certain.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import time_machine
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from tests.checkin_helpers import answers, seed_scores
from tests.factories import Api
from tests.race_helpers import sent

NOW = datetime(2027, 5, 10, 10, 0, tzinfo=UTC)
TODAY = date(2027, 5, 10)
RUNS = 7  # past the five custom plans PostgreSQL makes before it may go generic


def test_check_ins_open_booster_requests_past_the_fifth_run_on_one_connection(
    api: Api, settings: Settings
) -> None:
    with time_machine.travel(NOW, tick=True):
        patients = [api.patient() for _ in range(RUNS)]
        for patient in patients:
            # Two low days before: today's low check-in opens a request through the rule.
            seed_scores(api, patient, {TODAY - timedelta(days=d): 2.0 for d in (2, 1)})
        one = settings.model_copy(update={"db_pool_size": 1})
        with TestClient(create_app(one)) as client, sent(client) as statements:
            for n, patient in enumerate(patients, start=1):
                saved = client.put(
                    f"/v1/me/checkins/{TODAY}",
                    json={"answers": answers(2)},
                    headers=patient.headers,
                )
                assert saved.status_code == 201, (n, saved.text)
                assert saved.json()["booster_request"]["source"] == "checkin_rule", n
        opened = [s for s in statements if s.startswith("INSERT INTO booster_requests ")]
        assert len(opened) == RUNS  # the same statement, once per check-in, on one connection
        for patient in patients:
            listed = api.client.get("/v1/me/booster-requests", headers=patient.headers)
            assert [r["status"] for r in listed.json()["data"]] == ["open"], listed.text
