"""GET /v1/reports/outcomes: the de-identified monthly or quarterly outcome report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from app.core.deps import SessionDep
from app.core.schemas import Id, error_responses
from app.reports import service
from app.reports.deps import ReportReader
from app.reports.periods import PERIOD_PATTERN
from app.reports.render import CSV_TYPE, chosen_format, to_csv
from app.reports.schemas import OutcomeReport, ReportFormat

router = APIRouter(tags=["reports"])

_CSV_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The report (JSON, or CSV with `format=csv` or `Accept: text/csv`).",
        "content": {CSV_TYPE: {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/reports/outcomes",
    response_model=OutcomeReport,
    responses={**_CSV_RESPONSE, **error_responses(401, 403, 404)},
)
async def outcomes(
    reader: ReportReader,
    session: SessionDep,
    period: Annotated[
        str,
        Query(
            pattern=PERIOD_PATTERN,
            max_length=7,
            description="A month `YYYY-MM` or quarter `YYYY-Qn`.",
        ),
    ],
    therapist_id: Annotated[
        Id | None, Query(description="One therapist's caseload (a therapist: only their own).")
    ] = None,
    format: Annotated[ReportFormat | None, Query(description="Overrides `Accept`.")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> OutcomeReport | Response:
    """Figures of the caseload (the clinic, or one therapist's) for a month or a quarter,
    each with the number of patients it is based on; small cells suppressed as `suppression`
    states."""
    report = await service.outcome_report(
        session,
        period=period,
        therapist_id=therapist_id,
        caller_id=reader.id,
        caller_role=reader.role,
    )
    if chosen_format(format, accept) == "csv":
        return Response(to_csv(report), media_type=f"{CSV_TYPE}; charset=utf-8")
    return report
