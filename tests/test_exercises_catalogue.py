"""The catalogue: five kinds, in the caller's language, describing the fields a log takes."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from app.exercises.catalogue import resolve_locale
from app.exercises.log_schemas import (
    AttentionalRefocusingLog,
    AttentionTrainingLog,
    DetachedMindfulnessLog,
    RuminationPostponementLog,
    WorryPostponementLog,
)
from tests.factories import Api

KINDS = [
    "worry_postponement",
    "rumination_postponement",
    "attention_training",
    "detached_mindfulness",
    "attentional_refocusing",
]
SCHEMAS: dict[str, type[BaseModel]] = {
    "worry_postponement": WorryPostponementLog,
    "rumination_postponement": RuminationPostponementLog,
    "attention_training": AttentionTrainingLog,
    "detached_mindfulness": DetachedMindfulnessLog,
    "attentional_refocusing": AttentionalRefocusingLog,
}
COMMON = {"id", "exercise_kind", "assignment_id", "started_at", "duration_seconds"}


def test_catalogue_follows_the_account_locale_and_the_query_override(api: Api) -> None:
    norwegian = api.patient(locale="nb")
    english = api.therapist(locale="en")
    nb = api.client.get("/v1/exercises", headers=norwegian.headers).json()
    en = api.client.get("/v1/exercises", headers=english.headers).json()
    assert [item["kind"] for item in nb["data"]] == KINDS == [item["kind"] for item in en["data"]]
    assert nb["data"][0]["title"] == "Utsettelse av bekymring"
    assert en["data"][0]["title"] == "Worry postponement"
    # Rumination postponement (MCT for depression) has its own words in both languages.
    assert (nb["data"][1]["title"], en["data"][1]["title"]) == (
        "Utsettelse av grubling",
        "Rumination postponement",
    )
    rumination = {f["name"]: f["label"] for f in en["data"][1]["log_fields"]}
    worry = {f["name"]: f["label"] for f in en["data"][0]["log_fields"]}
    assert rumination.keys() == worry.keys()
    assert rumination["worries_noticed"] == "Brooding starts noticed"
    assert nb["data"][1]["instructions"] != nb["data"][0]["instructions"]
    assert {item["locale"] for item in nb["data"]} == {"nb"}
    # The stored locale wins over the header; ?locale= wins over both.
    headers = {**norwegian.headers, "Accept-Language": "en-GB,en;q=0.9"}
    assert api.client.get("/v1/exercises", headers=headers).json() == nb
    long_header = {**norwegian.headers, "Accept-Language": "x-private;q=0.1, " * 100}
    assert api.client.get("/v1/exercises", headers=long_header).json() == nb
    override = api.client.get("/v1/exercises", params={"locale": "en"}, headers=norwegian.headers)
    assert override.json()["data"] == [{**item} for item in en["data"]]
    bad = api.client.get("/v1/exercises", params={"locale": "de"}, headers=norwegian.headers)
    assert bad.status_code == 422


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_every_kind_has_steps_minutes_and_the_schema_fields(api: Api, locale: str) -> None:
    user = api.admin()
    items = api.client.get("/v1/exercises", params={"locale": locale}, headers=user.headers).json()
    for item in items["data"]:
        assert len(item["instructions"]) >= 4
        assert all(step.strip() for step in item["instructions"])
        assert 1 <= item["default_minutes"] <= 20
        names = {field["name"] for field in item["log_fields"]}
        assert names == set(SCHEMAS[item["kind"]].model_fields) - COMMON
        assert all(field["label"] for field in item["log_fields"])
    att = next(item for item in items["data"] if item["kind"] == "attention_training")
    assert att["default_minutes"] == 12
    focus = next(f for f in att["log_fields"] if f["name"] == "self_focus_before")
    assert (focus["minimum"], focus["maximum"]) == (-3, 3)


@pytest.mark.parametrize(
    ("explicit", "stored", "header", "expected"),
    [
        (None, "en", "nb", "en"),
        ("nb", "en", None, "nb"),
        (None, "de", "de-DE, en;q=0.5, nb;q=0.8", "nb"),
        (None, "de", "sv, no;q=0.7, en;q=0.6", "nb"),
        (None, None, "fr, en-US;q=0.3", "en"),
        (None, None, "fr, en;q=0", "nb"),
        (None, None, None, "nb"),
    ],
)
def test_locale_resolution_order(
    explicit: str | None, stored: str | None, header: str | None, expected: str
) -> None:
    assert resolve_locale(explicit=explicit, stored=stored, accept_language=header) == expected
