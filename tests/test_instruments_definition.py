"""The shared instrument format: what a definition may say, what it must keep, and how it scores.

Scores below are worked out by hand from the answers given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.instruments.definition import InstrumentDefinition
from app.instruments.models import questionnaire_version_table
from app.instruments.scoring import AnswersMismatch, FiredAlert, band_for, score
from tests.factories import Api

DEFINITIONS = Path(__file__).resolve().parents[1] / "app" / "instruments" / "definitions"
FOUR = {str(v): f"v{v}" for v in range(5)}


def shipped(key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEFINITIONS / f"{key}.json").read_text(encoding="utf-8"))
    return data


class BarriersLike(InstrumentDefinition):
    """A stand-in with no locked profile, shaped like the barriers check (issue 13)."""

    key: Literal["barriers-example"] = "barriers-example"  # type: ignore[assignment]


def barriers_like(**changes: Any) -> BarriersLike:
    text = {"nb": "x", "en": "x"}
    data: dict[str, Any] = {
        "title": {"nb": "Hindringer", "en": "Barriers"},
        "scale": {"min": 0, "max": 4, "labels": {"nb": FOUR, "en": FOUR}},
        "domains": [
            {"id": "coping", "title": {"nb": "Mestring", "en": "Coping"}},
            {"id": "workplace", "title": {"nb": "Arbeidsplassen", "en": "The workplace"}},
        ],
        "items": [
            {"id": "own_belief", "text": text, "domain": "coping"},
            {"id": "rest_first", "text": text, "domain": "coping", "reverse": True},
            {"id": "conflict", "text": text, "domain": "workplace"},
            {"id": "harassment", "text": text, "domain": "workplace"},
            {"id": "manager_dialogue", "text": text, "domain": "workplace"},
        ],
        "scoring": {"method": "sum", "per_domain": "mean"},
        "bands": [],
        "alerts": [
            {"id": "workplace_conflict", "items": ["conflict", "harassment"], "at_least": 3}
        ],
        "highlight_at_least": 3,
        "metadata": {"illustrative": True},
    }
    data.update(changes)
    return BarriersLike.model_validate(data)


def test_a_barriers_shaped_instrument_scores_per_domain_with_highlights_and_alerts() -> None:
    definition = barriers_like()
    result = score(
        definition,
        {"own_belief": 2, "rest_first": 1, "conflict": 4, "harassment": 0, "manager_dialogue": 3},
    )
    # rest_first is reverse: 0 + 4 - 1 = 3. Total 2 + 3 + 4 + 0 + 3 = 12.
    assert result.score == 12.0
    # coping: mean(2, 3) = 2.5; workplace: mean(4, 0, 3) = 7 / 3 = 2.333333
    assert result.domains == {"coping": 2.5, "workplace": 2.333333}
    # highlights read the raw answers: rest_first answered 1 is not highlighted though it scores 3
    assert result.highlighted == ("conflict", "manager_dialogue")
    assert result.alerts == (FiredAlert(rule="workplace_conflict", item="conflict", answer=4),)
    assert result.band is None


def test_phq9_scores_as_the_sum_and_item_9_fires_the_alert() -> None:
    definition = InstrumentDefinition.model_validate(shipped("phq9"))
    answers = {f"phq9_{i}": v for i, v in enumerate([3, 2, 2, 1, 1, 1, 0, 0, 2], 1)}
    result = score(definition, answers)
    assert (result.score, result.band) == (12.0, "moderate")  # 3+2+2+1+1+1+0+0+2 = 12
    assert result.alerts == (FiredAlert(rule="self_harm", item="phq9_9", answer=2),)
    quiet = score(definition, {**answers, "phq9_9": 0})
    assert (quiet.score, quiet.band, quiet.alerts) == (10.0, "moderate", ())


@pytest.mark.parametrize(
    ("key", "cases"),
    [
        # PHQ-9: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe
        # (Kroenke, Spitzer & Williams 2001), each edge on both sides.
        (
            "phq9",
            [
                (0, "minimal"),
                (4, "minimal"),
                (5, "mild"),
                (9, "mild"),
                (10, "moderate"),
                (14, "moderate"),
                (15, "moderately_severe"),
                (19, "moderately_severe"),
                (20, "severe"),
                (27, "severe"),
            ],
        ),
        # GAD-7: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe (Spitzer et al. 2006).
        (
            "gad7",
            [
                (0, "minimal"),
                (4, "minimal"),
                (5, "mild"),
                (9, "mild"),
                (10, "moderate"),
                (14, "moderate"),
                (15, "severe"),
                (21, "severe"),
            ],
        ),
    ],
)
def test_bands_of_the_shipped_measures(key: str, cases: list[tuple[int, str]]) -> None:
    definition = InstrumentDefinition.model_validate(shipped(key))
    assert definition.score_range() == (0.0, 3.0 * len(definition.items))
    assert [(total, band_for(definition, total)) for total, _ in cases] == cases


def test_answers_must_cover_every_item_on_the_scale() -> None:
    definition = InstrumentDefinition.model_validate(shipped("gad7"))
    full = {f"gad7_{i}": 1 for i in range(1, 8)}
    with pytest.raises(AnswersMismatch, match="missing"):
        score(definition, {k: v for k, v in full.items() if k != "gad7_7"})
    with pytest.raises(AnswersMismatch, match="extra"):
        score(definition, {**full, "gad7_8": 1})
    with pytest.raises(AnswersMismatch, match=r"0\.\.3"):
        score(definition, {**full, "gad7_3": 4})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bands": [{"id": "a", "min": 1, "label": {"nb": "a", "en": "a"}}]}, "lowest score, 0"),
        (
            {
                "bands": [
                    {"id": "a", "min": 0, "label": {"nb": "a", "en": "a"}},
                    {"id": "b", "min": 0, "label": {"nb": "b", "en": "b"}},
                ]
            },
            "must rise",
        ),
        (
            {
                "bands": [
                    {"id": "a", "min": 0, "label": {"nb": "a", "en": "a"}},
                    {"id": "b", "min": 2.5, "label": {"nb": "b", "en": "b"}},
                ]
            },
            "whole numbers",
        ),
        ({"alerts": [{"id": "x", "items": ["nope"], "at_least": 3}]}, "does not exist"),
        ({"alerts": [{"id": "x", "items": ["conflict"], "at_least": 0}]}, "above the scale"),
        ({"highlight_at_least": 5}, "on the scale"),
        ({"domains": []}, "none are defined"),
        ({"scoring": {"method": "sum", "per_domain": "nope"}}, "per_domain"),
    ],
)
def test_the_format_refuses_definitions_that_contradict_themselves(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        barriers_like(**changes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["alerts"].clear(), "keeps its alert rules"),
        (lambda d: d["alerts"][0].update(at_least=2), "keeps its alert rules"),
        (lambda d: d["alerts"][0].update(items=["phq9_8"]), "keeps its alert rules"),
        (lambda d: d["bands"][2].update(min=11), "keeps its bands"),
        (lambda d: d.update(scoring={"method": "mean", "per_domain": None}), "scored as"),
        (lambda d: d["items"].reverse(), "in this order"),
        (lambda d: d["items"][0].update(reverse=True), "in this order"),
        (lambda d: d["items"].pop(), "phq9_9"),
    ],
)
def test_a_clinic_file_cannot_change_what_phq9_scoring_and_its_alert_rest_on(
    change: Any, message: str
) -> None:
    data = shipped("phq9")
    change(data)
    with pytest.raises(ValidationError, match=message):
        InstrumentDefinition.model_validate(data)


def test_a_clinic_file_may_change_every_text_and_omit_the_locked_parts() -> None:
    data = shipped("phq9")
    for part in ("scoring", "bands", "alerts"):
        del data[part]
    for item in data["items"]:
        item["text"] = {"nb": f"Offisiell {item['id']}", "en": f"Official {item['id']}"}
    data["metadata"] = {"illustrative": False, "licence": "Clinic's copy of the official text"}
    definition = InstrumentDefinition.model_validate(data)
    assert [band.id for band in definition.bands][-1] == "severe"
    assert definition.alerts[0].items == ["phq9_9"]
    answers = {f"phq9_{i}": 1 for i in range(1, 10)}
    assert score(definition, answers).score == 9.0  # texts never enter the score


def test_the_rtw_se_version_stored_before_the_shared_format_still_reads() -> None:
    """Version 1 of RTW-SE was stored without scoring, bands or alerts: the profile fills them."""
    labels = {str(v): "x" for v in range(1, 7)}
    legacy: dict[str, Any] = {
        "key": "rtw-se",
        "title": {"nb": "T", "en": "T"},
        "scale": {"min": 1, "max": 6, "labels": {"nb": labels, "en": labels}},
        "items": [{"id": "rtw01", "text": {"nb": "a", "en": "a"}, "reverse": False}],
        "metadata": {"illustrative": True, "source": None, "licence": None},
    }
    definition = InstrumentDefinition.model_validate(legacy)
    assert definition.scoring.method == "mean"
    assert [(b.id, b.min) for b in definition.bands] == [
        ("low", 1.0),
        ("moderate", 3.7),
        ("high", 4.6),
    ]
    other_scale = {"min": 0, "max": 4, "labels": {"nb": FOUR, "en": FOUR}}
    with pytest.raises(ValidationError, match="scale from 1 to 6"):
        InstrumentDefinition.model_validate(legacy | {"scale": other_scale})


def test_the_seeded_versions_equal_the_shipped_files(api: Api) -> None:
    """The migration carries its own copy of the data; it must not drift from the files."""

    async def stored(session: AsyncSession) -> dict[str, Any]:
        q = questionnaire_version_table.c
        rows = await session.execute(
            select(q.key, q.definition).where(q.version == 1, q.key.in_(["phq9", "gad7"]))
        )
        return {key: definition for key, definition in rows}

    found = api.db(stored)
    assert set(found) == {"phq9", "gad7"}
    for key, definition in found.items():
        assert definition == shipped(key)
        assert InstrumentDefinition.model_validate(definition).metadata.illustrative is True


# Issue 21: mutation survivors of app/instruments/scoring.py, each pinned by hand.


def test_phq9_item_9_answered_exactly_one_fires_the_alert() -> None:
    # The alert's `at_least` is 1: "several days" is already a risk signal (DESIGN.md rule 7).
    definition = InstrumentDefinition.model_validate(shipped("phq9"))
    answers = {f"phq9_{i}": 0 for i in range(1, 10)} | {"phq9_9": 1}
    result = score(definition, answers)
    assert (result.score, result.band) == (1.0, "minimal")
    assert result.alerts == (FiredAlert(rule="self_harm", item="phq9_9", answer=1),)


def test_domains_scored_as_sums_and_bands_compared_at_six_decimals() -> None:
    label = {"nb": "x", "en": "x"}
    definition = barriers_like(
        scoring={"method": "mean", "per_domain": "sum"},
        bands=[
            {"id": "lower", "min": 0, "label": label},
            {"id": "upper", "min": 2.3, "label": label},
        ],
    )
    answers = {
        "own_belief": 2,
        "rest_first": 1,
        "conflict": 4,
        "harassment": 0,
        "manager_dialogue": 3,
    }
    result = score(definition, answers)
    # total: mean(2, 3, 4, 0, 3) = 12 / 5 = 2.4; coping 2 + 3 = 5; workplace 4 + 0 + 3 = 7
    assert (result.score, result.band) == (2.4, "upper")  # not rounded to a whole 2 first
    assert result.domains == {"coping": 5.0, "workplace": 7.0}
    assert band_for(definition, 2.2999996) == "upper"  # 2.3 at 6 decimals
    assert band_for(definition, 2.2999994) == "lower"
