"""The patient page's four charts, built from what the services returned: each a computed SVG
(`app.console.charts`) and the data table that stands in for it."""

from __future__ import annotations

from dataclasses import dataclass

from app.checkins.definition import HIGH_CUTOFF, LOW_CUTOFF
from app.checkins.schemas import CheckinPublic
from app.console.charts import Chart, line_chart
from app.console.labels import KIND_LABELS, N_
from app.exercises.schemas import AdherencePublic
from app.measures.schemas import MeasureHistory
from app.work.schemas import WorkSummary

RTW_SE_SCALE = (1.0, 6.0)
PHQ9_MAX = 27.0
MEASURE_NAMES = {"phq9": "PHQ-9", "gad7": "GAD-7"}


@dataclass(frozen=True, slots=True)
class ChartBlock:
    """One figure: id, title and description (catalogue msgids), the drawing and its table.

    `series_names` are either msgids or literal names (translated when the catalogue has them);
    each row is the category first, then the cells as text."""

    id: str
    title: str
    description: str
    chart: Chart
    series_names: list[str]
    columns: list[str]
    rows: list[list[str]]


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return ""
    return f"{round(value, digits):g}"


def rtw_se_chart(checkins: list[CheckinPublic]) -> ChartBlock:
    ordered = sorted(checkins, key=lambda c: c.local_date)
    labels = [c.local_date.isoformat() for c in ordered]
    chart = line_chart(
        labels,
        [(N_("RTW-SE score"), [c.score for c in ordered])],
        lo=RTW_SE_SCALE[0],
        hi=RTW_SE_SCALE[1],
        references=(LOW_CUTOFF, HIGH_CUTOFF),
        y_step=1.0,
    )
    return ChartBlock(
        "chart-rtwse",
        N_("RTW-SE over the last four weeks"),
        N_("Daily check-in scores from 1 to 6; dashed lines at 3.7 and 4.6."),
        chart,
        [N_("RTW-SE score")],
        [N_("Date"), N_("RTW-SE score"), N_("Band")],
        [[c.local_date.isoformat(), _num(c.score), c.band] for c in ordered],
    )


def adherence_chart(adherence: AdherencePublic) -> ChartBlock:
    weeks = sorted({w.week for a in adherence.assignments for w in a.by_week})
    series: list[tuple[str, list[float | None]]] = []
    rows: list[list[str]] = []
    for item in adherence.assignments:
        by_week = {w.week: w for w in item.by_week}
        name = KIND_LABELS.get(item.exercise_kind, item.exercise_kind)
        series.append(
            (
                name,
                [
                    None
                    if by_week.get(w) is None or by_week[w].rate is None
                    else round((by_week[w].rate or 0) * 100, 1)
                    for w in weeks
                ],
            )
        )
        for w in item.by_week:
            rate = "" if w.rate is None else f"{round(w.rate * 100)} %"
            rows.append([w.week, name, str(w.prescribed), str(w.completed), rate])
    rows.sort(key=lambda row: row[0])
    chart = line_chart(weeks, series, lo=0.0, hi=100.0, y_step=20.0)
    return ChartBlock(
        "chart-adherence",
        N_("Homework adherence per week"),
        N_("Share of prescribed practices done, per assignment and ISO week."),
        chart,
        [name for name, _values in series],
        [N_("Week"), N_("Assignment"), N_("Prescribed"), N_("Done"), N_("Adherence")],
        rows,
    )


def hours_chart(summary: WorkSummary) -> ChartBlock:
    weeks = summary.weeks
    labels = [w.week for w in weeks]
    top = max([w.hours_worked for w in weeks] + [w.planned_hours for w in weeks] + [1.0])
    hi = float(max(10, -(-int(top * 1.1) // 5) * 5))
    chart = line_chart(
        labels,
        [
            (N_("Hours worked"), [w.hours_worked for w in weeks]),
            (N_("Hours planned"), [w.planned_hours for w in weeks]),
        ],
        lo=0.0,
        hi=hi,
        markers=stage_starts([w.sick_leave_percent for w in weeks]),
    )
    rows = [
        [
            w.week,
            _num(w.hours_worked, 1),
            _num(w.planned_hours, 1),
            "" if w.sick_leave_percent is None else f"{w.sick_leave_percent} %",
            "" if w.actual_grade is None else f"{w.actual_grade} %",
        ]
        for w in weeks
    ]
    return ChartBlock(
        "chart-hours",
        N_("Hours worked and planned per week"),
        N_(
            "Hours from the work diary against the plan; vertical lines mark where a "
            "sick-leave stage of the plan begins."
        ),
        chart,
        [N_("Hours worked"), N_("Hours planned")],
        [N_("Week"), N_("Hours worked"), N_("Hours planned"), N_("Sick leave"), N_("Work grade")],
        rows,
    )


def stage_starts(percents: list[int | None]) -> list[tuple[int, str]]:
    """Where the plan's sick-leave percentage changes from one week to the next: (index,
    "NN %"), the first week with a stage included."""
    starts: list[tuple[int, str]] = []
    previous: int | None = None
    for index, percent in enumerate(percents):
        if percent is not None and percent != previous:
            starts.append((index, f"{percent} %"))
        previous = percent
    return starts


def measures_chart(measures: dict[str, MeasureHistory]) -> ChartBlock | None:
    """PHQ-9 and GAD-7 over time, only when the patient has answered either."""
    if not measures:
        return None
    dates = sorted({r.local_date for h in measures.values() for r in h.data})
    labels = [d.isoformat() for d in dates]
    series: list[tuple[str, list[float | None]]] = []
    rows: list[list[str]] = []
    for key, found in measures.items():
        scores = {r.local_date: r.score for r in found.data}
        series.append((MEASURE_NAMES.get(key, key), [scores.get(d) for d in dates]))
        rows.extend(
            [r.local_date.isoformat(), MEASURE_NAMES.get(key, key), _num(r.score), r.band or ""]
            for r in found.data
        )
    rows.sort(key=lambda row: row[0])
    chart = line_chart(labels, series, lo=0.0, hi=PHQ9_MAX, y_step=3.0)
    return ChartBlock(
        "chart-measures",
        N_("Symptom measures"),
        N_("PHQ-9 (0 to 27) and GAD-7 (0 to 21) total scores."),
        chart,
        [name for name, _values in series],
        [N_("Date"), N_("Measure"), N_("Score"), N_("Band")],
        rows,
    )
