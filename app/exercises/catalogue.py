"""The exercise catalogue: texts are data (catalogue/<locale>.json), loaded once per process.

Which language: an explicit `?locale=` wins; otherwise the caller's stored locale (always nb or
en, a check constraint sees to that); `Accept-Language` is consulted only if the stored locale
were ever one we have no texts for; bokmål is the last resort.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from app.exercises.kinds import ATT_PHASES, LOG_FIELDS, ExerciseKind
from app.exercises.schemas import ExercisePublic, LogField

SUPPORTED_LOCALES = ("nb", "en")
DEFAULT_LOCALE = "nb"


def _from_accept_language(header: str | None) -> str | None:
    """The first supported language in the header, by quality (`no`/`nn`/`nb-NO` mean nb)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:500].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        primary = "nb" if primary in {"no", "nn", "nb"} else primary
        if primary in SUPPORTED_LOCALES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def resolve_locale(*, explicit: str | None, stored: str | None, accept_language: str | None) -> str:
    """Pick the catalogue language (see the module docstring for the order)."""
    for candidate in (explicit, stored):
        if candidate in SUPPORTED_LOCALES:
            return str(candidate)
    return _from_accept_language(accept_language) or DEFAULT_LOCALE


@cache
def _texts(locale: str) -> dict[str, Any]:
    raw = (
        resources.files("app.exercises").joinpath("catalogue", f"{locale}.json").read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(raw)
    return data


@cache
def catalogue(locale: str) -> tuple[ExercisePublic, ...]:
    """Every exercise kind in `locale`, built once per process."""
    texts = _texts(locale)
    items = []
    for kind in ExerciseKind:
        entry = texts[kind.value]
        fields = [
            LogField(
                name=name,
                label=entry["fields"][name],
                type=kind_type,  # type: ignore[arg-type]
                minimum=minimum,
                maximum=maximum,
                options=list(ATT_PHASES) if kind_type == "phases" else None,
            )
            for name, (kind_type, minimum, maximum) in LOG_FIELDS[kind].items()
        ]
        items.append(
            ExercisePublic(
                kind=kind,
                locale=locale,  # type: ignore[arg-type]
                title=entry["title"],
                summary=entry["summary"],
                instructions=list(entry["instructions"]),
                default_minutes=int(entry["default_minutes"]),
                log_fields=fields,
            )
        )
    return tuple(items)
