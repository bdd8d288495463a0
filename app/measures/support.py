"""What a patient is shown at once when an answer opened a risk alert."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.config import CrisisResource
from app.measures.schemas import CrisisResourcePublic, SupportPublic

MESSAGE = {
    "nb": (
        "Takk for at du svarte. Terapeuten din vil se dette svaret. Appen blir ikke fulgt med "
        "på hele døgnet, så er du i en akutt situasjon, ring et av numrene nedenfor."
    ),
    "en": (
        "Thank you for answering. Your therapist will see this answer. The app is not watched "
        "around the clock, so if you are in an acute situation, call one of the numbers below."
    ),
}


def support(resources: Sequence[CrisisResource], *, locale: str) -> SupportPublic:
    """The message and the deployment's crisis numbers in `locale` (English unless nb)."""
    lang = "nb" if locale == "nb" else "en"
    return SupportPublic(
        message=MESSAGE[lang],
        resources=[
            CrisisResourcePublic(number=r.number, label=r.nb if lang == "nb" else r.en)
            for r in resources
        ],
    )
