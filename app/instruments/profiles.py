"""What the code relies on in each known instrument: its role, and the parts no clinic may change.

An instrument is data, but the code is built around a few of them: the check-in's bands feed the
booster rule, and PHQ-9's item 9 opens a risk alert. A loaded version may change every text
(title, instructions, items, scale labels, band labels) and its metadata; the parts listed here
are locked, so a clinic file can never drop the item-9 alert or move a cut-off by accident.
A definition that omits `scoring`, `bands` or `alerts` gets the profile's (the RTW-SE version 1
stored before the format had them, and clinic files that only carry wording).

Sources: PHQ-9 severity bands 0-4 / 5-9 / 10-14 / 15-19 / 20-27 (Kroenke, Spitzer & Williams
2001, J Gen Intern Med 16:606-613); GAD-7 bands 0-4 / 5-9 / 10-14 / 15-21 (Spitzer et al. 2006,
Arch Intern Med 166:1092-1097); RTW-SE cut-offs 3.7 and 4.6 (DESIGN.md, "Domain in brief").
The barriers check (issue 13) is our own instrument: each item 0 (not at all in the way) .. 4
(very much in the way), mean per domain, items rated 3-4 highlighted, and the workplace rule
(conflict or harassment rated 3 or more) that raises the worklist flag `workplace_conflict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["checkin", "measure", "barriers"]
MeasureKey = Literal["phq9", "gad7"]
MEASURE_KEYS: tuple[MeasureKey, ...] = ("phq9", "gad7")
BARRIERS_KEY = "barriers"
# The barriers check's workplace rule: the worklist flag `workplace_conflict` rests on it.
WORKPLACE_RULE = "workplace_conflict"
WORKPLACE_ITEMS = ("conflict", "harassment")
WORKPLACE_AT_LEAST = 3


@dataclass(frozen=True, slots=True)
class Profile:
    key: str
    role: Role
    scale: tuple[int, int]
    scoring: dict[str, Any]
    bands: tuple[tuple[str, float], ...]
    band_labels: dict[str, dict[str, str]]
    alerts: tuple[tuple[str, tuple[str, ...], int], ...]
    items: tuple[str, ...] | None  # locked item ids in order, or None when a clinic may choose
    highlight_at_least: int | None = None  # locked when set: which answers are highlighted

    def defaults(self) -> dict[str, Any]:
        """The JSON of the locked parts, filled into a definition that leaves them out."""
        highlight = (
            {}
            if self.highlight_at_least is None
            else {"highlight_at_least": self.highlight_at_least}
        )
        return {
            **highlight,
            "scoring": dict(self.scoring),
            "bands": [
                {"id": band_id, "min": low, "label": self.band_labels[band_id]}
                for band_id, low in self.bands
            ],
            "alerts": [
                {"id": rule_id, "items": list(items), "at_least": at_least}
                for rule_id, items, at_least in self.alerts
            ],
        }


def _labels(**pairs: tuple[str, str]) -> dict[str, dict[str, str]]:
    return {band_id: {"nb": nb, "en": en} for band_id, (nb, en) in pairs.items()}


PROFILES: dict[str, Profile] = {
    "rtw-se": Profile(
        key="rtw-se",
        role="checkin",
        scale=(1, 6),
        scoring={"method": "mean", "per_domain": None},
        bands=(("low", 1.0), ("moderate", 3.7), ("high", 4.6)),
        band_labels=_labels(
            low=("Lav", "Low"), moderate=("Middels", "Moderate"), high=("Høy", "High")
        ),
        alerts=(),
        items=None,
    ),
    "phq9": Profile(
        key="phq9",
        role="measure",
        scale=(0, 3),
        scoring={"method": "sum", "per_domain": None},
        bands=(
            ("minimal", 0.0),
            ("mild", 5.0),
            ("moderate", 10.0),
            ("moderately_severe", 15.0),
            ("severe", 20.0),
        ),
        band_labels=_labels(
            minimal=("Minimalt", "Minimal"),
            mild=("Mildt", "Mild"),
            moderate=("Moderat", "Moderate"),
            moderately_severe=("Moderat til alvorlig", "Moderately severe"),
            severe=("Alvorlig", "Severe"),
        ),
        # Item 9 (thoughts of death or self-harm): any answer above "not at all" is a signal.
        alerts=(("self_harm", ("phq9_9",), 1),),
        items=tuple(f"phq9_{n}" for n in range(1, 10)),
    ),
    "gad7": Profile(
        key="gad7",
        role="measure",
        scale=(0, 3),
        scoring={"method": "sum", "per_domain": None},
        bands=(("minimal", 0.0), ("mild", 5.0), ("moderate", 10.0), ("severe", 15.0)),
        band_labels=_labels(
            minimal=("Minimalt", "Minimal"),
            mild=("Mildt", "Mild"),
            moderate=("Moderat", "Moderate"),
            severe=("Alvorlig", "Severe"),
        ),
        alerts=(),
        items=tuple(f"gad7_{n}" for n in range(1, 8)),
    ),
    BARRIERS_KEY: Profile(
        key=BARRIERS_KEY,
        role="barriers",
        scale=(0, 4),
        scoring={"method": "mean", "per_domain": "mean"},
        bands=(),
        band_labels={},
        alerts=((WORKPLACE_RULE, WORKPLACE_ITEMS, WORKPLACE_AT_LEAST),),
        items=None,
        highlight_at_least=3,
    ),
}
