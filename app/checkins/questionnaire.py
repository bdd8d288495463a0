"""The RTW-SE questionnaire: its current version (from the shared instrument store) and its
public form in the caller's locale."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins.definition import RTW_SE_KEY
from app.checkins.schemas import (
    QuestionnaireItemPublic,
    QuestionnairePublic,
    ScaleLabelPublic,
    ScalePublic,
)
from app.instruments import store
from app.instruments.store import LoadedVersion

__all__ = ["LoadedVersion", "current_version", "read_current"]


async def current_version(session: AsyncSession, *, key: str = RTW_SE_KEY) -> LoadedVersion:
    """The current version of the RTW-SE questionnaire (or of `key`)."""
    return await store.current_version(session, key=key)


async def read_current(session: AsyncSession, *, locale: str) -> QuestionnairePublic:
    """The current RTW-SE version in `locale` (English when the locale is unknown)."""
    loaded = await current_version(session)
    d = loaded.definition
    lang = "nb" if locale == "nb" else "en"
    labels = d.scale.labels.nb if lang == "nb" else d.scale.labels.en
    return QuestionnairePublic(
        id=loaded.id,
        key=d.key,
        version=loaded.version,
        locale=lang,
        title=d.title.nb if lang == "nb" else d.title.en,
        items=[
            QuestionnaireItemPublic(
                id=item.id,
                text=item.text.nb if lang == "nb" else item.text.en,
                reverse=item.reverse,
            )
            for item in d.items
        ],
        scale=ScalePublic(
            min=d.scale.min,
            max=d.scale.max,
            labels=[ScaleLabelPublic(value=int(v), text=t) for v, t in sorted(labels.items())],
        ),
        illustrative=d.metadata.illustrative,
    )
