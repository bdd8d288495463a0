"""The outcome report as the API and the CLI give it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

ReportFormat = Literal["json", "csv"]
ReportScope = Literal["clinic", "therapist"]


class ReportFigure(BaseModel):
    """One figure; a suppressed one has `value`, `n` and `share` null."""

    key: str = Field(description="Stable key, e.g. `rtw.end.partial_40_79`.")
    label: str = Field(description="What the figure counts or summarises.")
    value: int | float | None = Field(description="The figure; null when suppressed.")
    n: int | None = Field(
        description="Patients the figure is based on; null when suppressed (for counts of "
        "patients it equals the value)."
    )
    of: str | None = Field(description="The key of the total this count is a part of.")
    share: float | None = Field(description="value ÷ the total's value, 3 decimals.")
    suppressed: bool


class SuppressionRule(BaseModel):
    threshold: int = Field(description="Cells based on fewer patients than this are suppressed.")
    rule: str


class OutcomeReport(BaseModel):
    """De-identified figures of one month or quarter: no names, ids, birth dates, free text."""

    period: str = Field(description="`YYYY-MM` or `YYYY-Qn`, as asked for.")
    first_day: date
    last_day: date
    as_of: date = Field(description="The last day, or today while the period is running.")
    complete: bool = Field(description="False while the period is still running.")
    scope: ReportScope = Field(description="The whole clinic, or one therapist's caseload.")
    suppression: SuppressionRule
    figures: list[ReportFigure]
