"""What the dashboard's charts and the diagram's heatmap draw, as JSON for dashboard.js."""

from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from web.pages import dashboard_tables as tables
from web.usecases.dashboard.views import Overview, SopDetail, Workload


def week_label(day: date) -> str:
    return format_date(day, "d MMM yyyy")


def _scaled(seconds: list[float | None]) -> tuple[list[float | None], str]:
    """Durations in hours, or in minutes when even the longest is under two hours."""
    longest = max((value for value in seconds if value is not None), default=0)
    unit, label = (
        (60, _("minutes in office time")) if longest < 7200 else (3600, _("hours in office time"))
    )
    return [None if value is None else round(value / unit, 2) for value in seconds], label


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


def trend(overview: Overview) -> dict[str, Any]:
    """Per week: completed requests (bars), median office cycle hours and % on time (lines)."""
    points = overview.trend
    cycle, unit = _scaled([point.cycle_office.median for point in points])
    return {
        "labels": [week_label(point.week_start) for point in points],
        "completed": [point.completed for point in points],
        "cycle": cycle,
        "on_time": [_percent(point.requests_on_time.ratio) for point in points],
        "text": {
            "completed": _("Completed requests"),
            "cycle": _("Cycle time in office hours, median"),
            "on_time": _("Requests on time (%)"),
            "hours": unit,
        },
    }


def load(workload: Workload) -> dict[str, Any]:
    """Hours of work per week per position, outliers apart."""
    return {
        "labels": [row.name for row in workload.positions],
        "hours": [round(row.hours_per_week, 2) for row in workload.positions],
        "outlier": [row.outlier for row in workload.positions],
        "text": {"hours": _("Hours of work per week")},
    }


# Levels of the heatmap. Times run and durations are only more or less (a blue scale);
# the traffic-light tones are kept for breaches, so red on the diagram always means late.
HEAT = ("low", "mid", "high")
BREACH_HEAT = ("ok", "warn", "bad")
BREACH_LEVELS = (0.10, 0.25)  # a step late this often is warn, then bad, on the heatmap


def _relative(values: list[float | None]) -> list[str | None]:
    """Thirds of the range from the smallest to the largest value: low, mid, high
    (None where nothing was measured)."""
    measured = [value for value in values if value is not None]
    low, high = min(measured, default=0), max(measured, default=0)
    return [
        None
        if value is None
        else HEAT[min(2, int(3 * (value - low) / (high - low)))]
        if high > low
        else HEAT[0]
        for value in values
    ]


def heatmap(detail: SopDetail) -> dict[str, Any]:
    """What the diagram shows per activity in each mode: a label and a level (low/mid/high
    for times run and durations, ok/warn/bad for breaches)."""
    rows = detail.activities
    counts = [float(row.items) for row in rows]
    durations = [row.duration_office.median for row in rows]
    breaches = [row.breaches.ratio for row in rows]
    levels = {
        "count": _relative(counts),
        "duration": _relative(durations),
        "breach": [
            None if r is None else BREACH_HEAT[sum(r >= limit for limit in BREACH_LEVELS)]
            for r in breaches
        ],
    }
    labels = {
        "count": [tables.number(row.items) for row in rows],
        "duration": [tables.span(value, days=False) for value in durations],
        "breach": [tables.percent(value) for value in breaches],
    }
    waits = [row.wait_office.median for row in rows]
    handles = [row.handle_office.median for row in rows]
    both, unit = _scaled(waits + handles)
    return {
        mode: {
            row.activity_id: {"text": labels[mode][i], "level": levels[mode][i]}
            for i, row in enumerate(rows)
        }
        for mode in levels
    } | {
        "chart": {
            "labels": [row.name for row in rows],
            "wait": both[: len(rows)],
            "handle": both[len(rows) :],
            "text": {
                "wait": _("Waiting time, median"),
                "handle": _("Working time, median"),
                "hours": unit,
            },
        }
    }
