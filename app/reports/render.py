"""The report as CSV (one row per figure, the report's own facts first), and format choice."""

from __future__ import annotations

import csv
import io

from app.reports.schemas import OutcomeReport, ReportFormat

COLUMNS = ("key", "label", "value", "n", "of", "share", "suppressed")
CSV_TYPE = "text/csv"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(report: OutcomeReport, *, newline: str = "\r\n") -> str:
    """The report as CSV: `report.*` rows (period, days, scope, rule), then every figure;
    lines end in CRLF (RFC 4180) unless asked otherwise (the CLI prints plain lines)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(COLUMNS)
    facts = {
        "report.period": report.period,
        "report.first_day": report.first_day.isoformat(),
        "report.last_day": report.last_day.isoformat(),
        "report.as_of": report.as_of.isoformat(),
        "report.complete": _text(report.complete),
        "report.scope": report.scope,
        "report.suppression_rule": report.suppression.rule,
    }
    for key, label in facts.items():
        writer.writerow((key, label, "", "", "", "", ""))
    for figure in report.figures:
        writer.writerow(
            [
                _text(value)
                for value in (
                    figure.key,
                    figure.label,
                    figure.value,
                    figure.n,
                    figure.of,
                    figure.share,
                    figure.suppressed,
                )
            ]
        )
    return out.getvalue()


def _quality(part: str) -> tuple[str, float]:
    media, *params = [piece.strip() for piece in part.split(";")]
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
    return media.lower(), q


def chosen_format(asked: ReportFormat | None, accept: str | None) -> ReportFormat:
    """`format=` wins; else CSV when `Accept` prefers text/csv to JSON; else JSON."""
    if asked is not None:
        return asked
    ranked = dict(_quality(part) for part in (accept or "").split(",") if part.strip())
    csv_q = ranked.get(CSV_TYPE, 0.0)
    json_q = max(ranked.get("application/json", 0.0), ranked.get("*/*", 0.0) - 0.001)
    return "csv" if csv_q > 0 and csv_q >= json_q else "json"
