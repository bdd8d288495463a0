"""The console's chart geometry (app/console/charts.py), against numbers worked out by hand.

The default plot box runs from x 44 to 624 and from y 14 (top) to 206 (bottom): 580 wide and
192 high inside the 640 x 240 view box."""

from __future__ import annotations

from app.console.charts import Box, line_chart, points_text, scale, x_positions, y_of
from app.console.patient_charts import stage_starts


def test_scale_is_linear_and_centres_a_flat_range() -> None:
    assert scale(5, 0, 10, 100, 200) == 150
    assert scale(0, 0, 10, 100, 200) == 100
    assert scale(2.5, 0, 10, 0, -40) == -10
    assert scale(7, 7, 7, 10, 30) == 20


def test_categories_spread_from_edge_to_edge() -> None:
    assert x_positions(1) == [334.0]  # (44 + 624) / 2
    assert x_positions(2) == [44.0, 624.0]
    assert x_positions(5) == [44.0, 189.0, 334.0, 479.0, 624.0]  # steps of 580 / 4 = 145


def test_values_map_high_to_the_top_and_are_clamped() -> None:
    # RTW-SE 1..6 over 192 px: 38.4 px per point.
    assert y_of(6, 1, 6) == 14
    assert y_of(1, 1, 6) == 206
    assert round(y_of(3.7, 1, 6), 6) == 102.32  # 206 - 2.7 x 38.4
    assert round(y_of(4.6, 1, 6), 6) == 67.76  # 206 - 3.6 x 38.4
    assert y_of(9, 1, 6) == 14
    assert y_of(-2, 1, 6) == 206
    small = Box(left=0, top=0, right=100, bottom=50)
    assert y_of(25, 0, 100, small) == 37.5


def test_rtw_se_chart_points_lines_and_ticks() -> None:
    chart = line_chart(
        ["2026-11-28", "2026-11-29", "2026-11-30"],
        [("RTW-SE", [4.0, None, 6.0])],
        lo=1,
        hi=6,
        references=(3.7, 4.6),
        y_step=1,
    )
    (series,) = chart.series
    # x 44 and 624; y 206 - 3 x 38.4 = 90.8 and 14; the missing middle day leaves no point.
    assert [(x, round(y, 6)) for x, y in series.points] == [(44.0, 90.8), (624.0, 14.0)]
    assert series.polyline == "44.0,90.8 624.0,14.0"
    assert [(r.label, round(r.y, 2)) for r in chart.references] == [("3.7", 102.32), ("4.6", 67.76)]
    assert [t.label for t in chart.y_ticks] == ["1", "2", "3", "4", "5", "6"]
    assert [round(t.y, 1) for t in chart.y_ticks] == [206.0, 167.6, 129.2, 90.8, 52.4, 14.0]
    assert [t.label for t in chart.x_ticks] == ["2026-11-28", "2026-11-29", "2026-11-30"]


def test_many_categories_thin_their_labels_and_a_second_series_is_dashed() -> None:
    labels = [f"d{i}" for i in range(20)]
    chart = line_chart(labels, [("a", [1.0] * 20), ("b", [2.0] * 20)], lo=0, hi=4)
    # ceil(20 / 8) = 3: every third label
    assert [t.label for t in chart.x_ticks] == ["d0", "d3", "d6", "d9", "d12", "d15", "d18"]
    assert [s.css for s in chart.series] == ["series", "series-2"]
    # five steps by default: 0, 0.8, ... 4
    assert [t.label for t in chart.y_ticks] == ["0", "0.8", "1.6", "2.4", "3.2", "4"]


def test_points_text_has_one_decimal() -> None:
    assert points_text([(1, 2), (3.14159, 2.71828)]) == "1.0,2.0 3.1,2.7"
    assert points_text([]) == ""


def test_stage_markers_sit_on_their_weeks() -> None:
    chart = line_chart(
        ["w1", "w2", "w3"], [("h", [0.0, 10.0, 20.0])], lo=0, hi=40, markers=[(1, "60 %"), (7, "x")]
    )
    assert [(m.label, m.x, m.y) for m in chart.markers] == [
        ("60 %", 334.0, 14.0)
    ]  # out of range dropped


def test_stage_starts_where_the_percentage_changes() -> None:
    assert stage_starts([None, 100, 100, 60, 60, 40, None, 40]) == [
        (1, "100 %"),
        (3, "60 %"),
        (5, "40 %"),
        (7, "40 %"),
    ]
