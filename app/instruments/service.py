"""Reading an instrument's current version in the caller's locale."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.instruments.schemas import (
    InstrumentAlertPublic,
    InstrumentBandPublic,
    InstrumentDomainPublic,
    InstrumentItemPublic,
    InstrumentPublic,
    InstrumentScaleLabel,
    InstrumentScalePublic,
    InstrumentScoringPublic,
)
from app.instruments.store import LoadedVersion, current_version


def public(loaded: LoadedVersion, *, locale: str) -> InstrumentPublic:
    """One stored version in `locale` (English for anything but nb)."""
    d = loaded.definition
    lang = "nb" if locale == "nb" else "en"
    labels = d.scale.labels.nb if lang == "nb" else d.scale.labels.en
    low, high = d.score_range()
    return InstrumentPublic(
        id=loaded.id,
        key=d.key,
        version=loaded.version,
        locale=lang,
        title=d.title.get(lang),
        instructions=d.instructions.get(lang) if d.instructions else None,
        items=[
            InstrumentItemPublic(
                id=item.id, text=item.text.get(lang), reverse=item.reverse, domain=item.domain
            )
            for item in d.items
        ],
        scale=InstrumentScalePublic(
            min=d.scale.min,
            max=d.scale.max,
            labels=[
                InstrumentScaleLabel(value=int(value), text=text)
                for value, text in sorted(labels.items(), key=lambda pair: int(pair[0]))
            ],
        ),
        scoring=InstrumentScoringPublic(
            method=d.scoring.method, per_domain=d.scoring.per_domain, min=low, max=high
        ),
        bands=[
            InstrumentBandPublic(id=band.id, min=band.min, label=band.label.get(lang))
            for band in d.bands
        ],
        domains=[
            InstrumentDomainPublic(id=domain.id, title=domain.title.get(lang))
            for domain in d.domains
        ],
        alerts=[
            InstrumentAlertPublic(id=rule.id, items=list(rule.items), at_least=rule.at_least)
            for rule in d.alerts
        ],
        illustrative=d.metadata.illustrative,
        source=d.metadata.source,
        licence=d.metadata.licence,
    )


async def read_current(session: AsyncSession, *, key: str, locale: str) -> InstrumentPublic:
    """The current version of `key` in `locale`."""
    return public(await current_version(session, key=key), locale=locale)
