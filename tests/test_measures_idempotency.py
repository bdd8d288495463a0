"""A measure answer under both retry schemes at once: the Idempotency-Key (issue 11: the stored
answer is completed in the data's own transaction) and the client's response id (issue 15).

The answer, its risk alert and the stored answer on the key commit together or not at all; a
retry with the same key gets the first answer again; a retry with a new key but the same id
and body gets the stored response (200); anything else that reuses the id or the key is refused,
and nothing is ever written twice.
"""

from __future__ import annotations

from typing import Any

import time_machine
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.idempotency.models import idempotency_key_table
from app.measures.models import measure_response_table, risk_alert_table
from tests.factories import Actor, Api
from tests.measure_helpers import NOW, body

URL = "/v1/me/measures/phq9/responses"


def _post(api: Api, patient: Actor, payload: dict[str, Any], key: str) -> Any:
    return api.client.post(URL, json=payload, headers=patient.headers | {"Idempotency-Key": key})


def _rows(api: Api) -> tuple[int, int, int]:
    """(responses, risk alerts, idempotency keys) stored."""

    async def work(session: AsyncSession) -> tuple[int, int, int]:
        counts = [
            int(await session.scalar(select(func.count()).select_from(table)) or 0)
            for table in (measure_response_table, risk_alert_table, idempotency_key_table)
        ]
        return counts[0], counts[1], counts[2]

    return api.db(work)


@time_machine.travel(NOW, tick=False)
def test_the_answer_its_alert_and_the_stored_answer_commit_together(api: Api) -> None:
    patient = api.patient(api.therapist())
    payload = body("phq9", 13, item9=1)
    engine = api.services.engine.sync_engine

    def lose_the_database(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("UPDATE idempotency_keys"):
            raise ConnectionResetError("the database went away")

    event.listen(engine, "before_cursor_execute", lose_the_database)
    try:
        lost = _post(api, patient, payload, "answer-1")
    finally:
        event.remove(engine, "before_cursor_execute", lose_the_database)
    assert (lost.status_code, lost.json()["code"]) == (503, "database_unavailable")
    assert _rows(api) == (0, 0, 0)  # no answer, no alert, no claim

    first = _post(api, patient, payload, "answer-1")
    assert first.status_code == 201, first.text
    assert first.json()["risk_alert"]["status"] == "open"
    assert first.json()["support"] is not None
    assert _rows(api) == (1, 1, 1)

    replayed = _post(api, patient, payload, "answer-1")
    assert (replayed.status_code, replayed.headers["idempotent-replayed"]) == (201, "true")
    assert replayed.json() == first.json()

    # A new key (the phone lost the first key with the answer): the client id finds the stored
    # response, alert and crisis numbers included.
    again = _post(api, patient, payload, "answer-2")
    assert again.status_code == 200, again.text
    assert "idempotent-replayed" not in again.headers
    assert again.json() == first.json()

    other = {**payload, "answers": body("phq9", 5)["answers"]}
    reused_key = _post(api, patient, other, "answer-1")
    assert (reused_key.status_code, reused_key.json()["code"]) == (422, "idempotency_key_reused")
    reused_id = _post(api, patient, other, "answer-3")
    assert (reused_id.status_code, reused_id.json()["code"]) == (
        409,
        "measure_response_id_conflict",
    )
    # One response, one alert; the keys of the two successful requests (a refused one keeps none).
    assert _rows(api) == (1, 1, 2)
