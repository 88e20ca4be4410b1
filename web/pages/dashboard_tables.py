"""The dashboard's tables: every figure formatted for the page, linked to the requests behind it,
and the same rows as raw numbers for CSV (durations in hours, shares in percent)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from babel.numbers import format_decimal, format_percent
from flask import url_for
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _

from web.pages.display import INSTANCE_STATUS, when
from web.usecases.dashboard.views import (
    Difference,
    Filters,
    LoadRow,
    Overview,
    Share,
    SopDetail,
    VersionComparison,
)

NONE = "–"
HOUR = 3600


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return NONE
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=get_locale())


def percent(ratio: float | None) -> str:
    return NONE if ratio is None else format_percent(ratio, "#,##0.0%", locale=get_locale())


def span(seconds: float | None, days: bool = True) -> str:
    """A duration for people: "3 d 4 h", "2 h 15 min". Office time is shown in hours only,
    since its days are working days of a few hours, not 24."""
    if seconds is None:
        return NONE
    minutes = round(seconds / 60)
    if minutes < 1:
        return _("< 1 min")
    whole_days, minutes = divmod(minutes, 24 * 60) if days else (0, minutes)
    hours, minutes = divmod(minutes, 60)
    parts = [_("%(num)s d", num=number(whole_days))] if whole_days else []
    if hours:
        parts.append(_("%(num)s h", num=number(hours)))
    if minutes and not whole_days:
        parts.append(_("%(num)s min", num=number(minutes)))
    return " ".join(parts)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / HOUR, 2)


@dataclass(frozen=True)
class Cell:
    text: str
    raw: Any  # what the CSV holds: a number, or the text itself
    href: str | None = None  # the requests behind the figure (none behind "–")
    tone: str | None = None  # shown as a badge: ok, warn, bad
    numeric: bool = True

    def __post_init__(self) -> None:
        if self.text == NONE:
            object.__setattr__(self, "href", None)


@dataclass(frozen=True)
class Column:
    header: str
    unit: str | None = None  # added to the CSV header, where the values are raw numbers

    def csv_header(self) -> str:
        return f"{self.header} ({self.unit})" if self.unit else str(self.header)


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    css: str = ""


@dataclass(frozen=True)
class Table:
    name: str  # the ``table=`` of its CSV download
    caption: str
    columns: list[Column]
    rows: list[Row]

    def csv_rows(self) -> Iterable[list[Any]]:
        yield [column.csv_header() for column in self.columns]
        for row in self.rows:
            yield ["" if cell.raw is None else cell.raw for cell in row.cells]


@dataclass(frozen=True)
class Drill:
    """Links from a figure to the list of requests behind it, under the page's filters."""

    filters: Filters

    def __call__(self, figure: str, **extra: Any) -> str:
        args = {**self.filters.as_args(), "figure": figure}
        args.update({key: str(value) for key, value in extra.items() if value is not None})
        return url_for("dashboard_pages.requests", **args)

    def sop(self, sop_id: int) -> "Drill":
        if sop_id == self.filters.sop_id:
            return self
        return Drill(replace(self.filters, sop_id=sop_id, version_id=None))


def count(value: int, href: str | None = None) -> Cell:
    return Cell(number(value), value, href)


def share(value: Share, href: str | None = None) -> Cell:
    ratio = value.ratio
    return Cell(percent(ratio), None if ratio is None else round(ratio * 100, 2), href)


def duration(seconds: float | None, href: str | None = None, days: bool = True) -> Cell:
    return Cell(span(seconds, days), hours(seconds), href)


def text(value: str, href: str | None = None) -> Cell:
    return Cell(value, value, href, numeric=False)


def flag(on: bool, yes: str, no: str, tone: str) -> Cell:
    shown = yes if on else no
    return Cell(shown, None if shown == NONE else shown, tone=tone if on else None, numeric=False)


H = lazy_gettext("hours")
PCT = "%"
SOP_COLUMNS = [
    Column(lazy_gettext("SOP")),
    Column(lazy_gettext("Started")),
    Column(lazy_gettext("Completed")),
    Column(lazy_gettext("Still open")),
    Column(lazy_gettext("Cycle time, median"), H),
    Column(lazy_gettext("Cycle time, 90th percentile"), H),
    Column(lazy_gettext("Cycle time in office hours, median"), H),
    Column(lazy_gettext("Cycle time in office hours, 90th percentile"), H),
    Column(lazy_gettext("Time standard, median"), H),
    Column(lazy_gettext("Requests on time"), PCT),
    Column(lazy_gettext("Late requests")),
    Column(lazy_gettext("Steps on time"), PCT),
]


def sop_table(overview: Overview, drill: Drill) -> Table:
    rows = []
    for row in overview.rows:
        link = drill.sop(row.sop_id)
        done = link("completed")
        page = url_for("dashboard_pages.sop", sop_id=row.sop_id, **link.filters.as_args())
        late = row.requests_on_time.whole - row.requests_on_time.part
        cells = [
            text(row.sop_name, page),
            count(row.started, link("started")),
            count(row.completed, done),
            count(row.open, link("open")),
            duration(row.cycle.median, done),
            duration(row.cycle.p90, done),
            duration(row.cycle_office.median, done, days=False),
            duration(row.cycle_office.p90, done, days=False),
            duration(row.standard_office.median, done, days=False),
            share(row.requests_on_time, link("on_time")),
            count(late, link("late")),
            share(row.steps_on_time, link("steps_late")),
        ]
        rows.append(Row(cells))
    return Table("sops", _("Requests per SOP in the period"), SOP_COLUMNS, rows)


WEEK_COLUMNS = [
    Column(lazy_gettext("Week from")),
    Column(lazy_gettext("Started")),
    Column(lazy_gettext("Completed")),
    Column(lazy_gettext("Cycle time in office hours, median"), H),
    Column(lazy_gettext("Requests on time"), PCT),
]


def week_table(overview: Overview, drill: Drill, label: Callable[[Any], str]) -> Table:
    rows = []
    for point in overview.trend:
        week = point.week_start.isoformat()
        done = drill("completed", week=week)
        cells = [
            Cell(label(point.week_start), week, numeric=False),
            count(point.started, drill("started", week=week)),
            count(point.completed, done),
            duration(point.cycle_office.median, done, days=False),
            share(point.requests_on_time, drill("on_time", week=week)),
        ]
        rows.append(Row(cells))
    return Table("weeks", _("Trend per week"), WEEK_COLUMNS, rows)


ACTIVITY_COLUMNS = [
    Column(lazy_gettext("Bottleneck rank")),
    Column(lazy_gettext("Step")),
    Column(lazy_gettext("Performers")),
    Column(lazy_gettext("Position code")),
    Column(lazy_gettext("Times run")),
    Column(lazy_gettext("Completed")),
    Column(lazy_gettext("Open")),
    Column(lazy_gettext("Waiting time, median"), H),
    Column(lazy_gettext("Waiting time, 90th percentile"), H),
    Column(lazy_gettext("Working time, median"), H),
    Column(lazy_gettext("Working time, 90th percentile"), H),
    Column(lazy_gettext("Time standard"), H),
    Column(lazy_gettext("Late"), PCT),
    Column(lazy_gettext("Share of the time"), PCT),
]
TOP_BOTTLENECKS = 3


def activity_table(detail: SopDetail, drill: Drill) -> Table:
    rows = []
    for row in detail.activities:
        every = drill("activity", activity=row.activity_id)
        done = drill("activity_completed", activity=row.activity_id)
        rank = row.bottleneck_rank
        top = rank is not None and rank <= TOP_BOTTLENECKS
        cells = [
            Cell(number(rank), rank, tone="bad" if top else None),
            text(row.name, every),
            text(row.lane or NONE),
            text(", ".join(row.positions) or NONE),
            count(row.items, every),
            count(row.completed, done),
            count(row.open, drill("activity_open", activity=row.activity_id)),
            duration(row.wait_office.median, done, days=False),
            duration(row.wait_office.p90, done, days=False),
            duration(row.handle_office.median, done, days=False),
            duration(row.handle_office.p90, done, days=False),
            duration(row.standard_office, days=False),
            share(row.breaches, drill("activity_breached", activity=row.activity_id)),
            Cell(
                percent(row.load_share),
                None if row.load_share is None else round(row.load_share * 100, 2),
                done,
            ),
        ]
        rows.append(Row(cells, "bottleneck" if top else ""))
    return Table("activities", _("Steps of the SOP"), ACTIVITY_COLUMNS, rows)


def load_table(name: str, rows: list[LoadRow], drill: Drill) -> Table:
    """Positions (``name="positions"``) or officers (``"officers"``) and their workload."""
    officers = name == "officers"
    figure, ident = ("officer", "user_id") if officers else ("position", "position_id")
    columns = [
        Column(lazy_gettext("Officer name") if officers else lazy_gettext("Position")),
        Column(lazy_gettext("Unit")),
        Column(lazy_gettext("Holders")),
        Column(lazy_gettext("Completed steps")),
        Column(lazy_gettext("Hours of work per week")),
        Column(lazy_gettext("Steps per working day")),
        Column(lazy_gettext("Open steps")),
        Column(lazy_gettext("Late"), PCT),
        Column(lazy_gettext("Far above peers")),
    ]
    body = []
    for row in rows:
        extra = {"position" if not officers else "user": getattr(row, ident)}
        every = drill(figure, **extra)
        cells = [
            text(row.name, every),
            text(row.unit),
            count(row.holders),
            count(row.completed, every),
            Cell(number(row.hours_per_week, 1), round(row.hours_per_week, 2), every),
            Cell(number(row.items_per_day, 1), round(row.items_per_day, 2), every),
            count(row.open, drill(f"{figure}_open", **extra)),
            share(row.breaches, drill(f"{figure}_breached", **extra)),
            flag(row.outlier, _("Far above peers"), NONE, "bad"),
        ]
        body.append(Row(cells, "outlier" if row.outlier else ""))
    caption = _("Workload per officer") if officers else _("Workload per position")
    return Table(name, caption, columns, body)


MEASURES = {
    "cycle_office": (lazy_gettext("Cycle time in office hours, median"), "duration"),
    "requests_on_time": (lazy_gettext("Requests on time"), "share"),
    "step_duration_office": (lazy_gettext("Time of the step, median"), "duration"),
    "step_breach_rate": (lazy_gettext("Late"), "share"),
}
DIFFERENCE_COLUMNS = [
    Column(lazy_gettext("Measure")),
    Column(lazy_gettext("Step")),
    Column(lazy_gettext("Before")),
    Column(lazy_gettext("After")),
    Column(lazy_gettext("Change")),
    Column(lazy_gettext("p-value")),
    Column(lazy_gettext("Verdict")),
]


def _measure_cell(kind: str, value: float | None, href: str | None) -> Cell:
    if kind == "share":
        return Cell(percent(value), None if value is None else round(value * 100, 2), href)
    return Cell(span(value, days=False), hours(value), href)


def _change_cell(kind: str, value: float | None) -> Cell:
    """A difference with its sign: "+1 h 5 min", "−5.3 points"."""
    if value is None:
        return Cell(NONE, None)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if kind == "share":
        shown = _("%(num)s points", num=sign + number(abs(value) * 100, 1))
        return Cell(shown, round(value * 100, 2))
    size = span(abs(value), days=False)
    return Cell(size if abs(value) < 60 else sign + size, hours(value))


def _verdict(item: Difference) -> Cell:
    if item.too_few:
        return text(_("Too few requests"))
    return flag(item.significant, _("More than chance"), _("Could be chance"), "ok")


def difference_table(comparison: VersionComparison, drill: Drill, names: dict[str, str]) -> Table:
    before, after = (
        Drill(replace(drill.filters, sop_id=comparison.sop_id, version_id=version[0]))
        for version in (comparison.before_version, comparison.after_version)
    )
    rows = []
    for item in comparison.differences:
        label, kind = MEASURES.get(item.measure, (item.measure, "duration"))
        links = []
        for side in (before, after):
            # The comparison measures each version over its whole life: so do its lists.
            if item.activity_id:
                links.append(side("activity_completed", activity=item.activity_id, lifetime=1))
            else:
                links.append(side("completed", lifetime=1))
        cells = [
            text(str(label)),
            text(names.get(item.activity_id, item.activity_id) if item.activity_id else NONE),
            _measure_cell(kind, item.before, links[0]),
            _measure_cell(kind, item.after, links[1]),
            _change_cell(kind, item.change),
            Cell(number(item.p_value, 3), item.p_value),
            _verdict(item),
        ]
        rows.append(Row(cells))
    return Table("differences", _("Before and after"), DIFFERENCE_COLUMNS, rows)


REQUEST_COLUMNS = [
    Column(lazy_gettext("Reference")),
    Column(lazy_gettext("SOP")),
    Column(lazy_gettext("Status")),
    Column(lazy_gettext("Started")),
    Column(lazy_gettext("Ended")),
    Column(lazy_gettext("Cycle time in office hours"), H),
    Column(lazy_gettext("Due")),
]


def request_table(instances: Iterable[Any]) -> Table:
    rows = []
    for instance in instances:
        status, tone = INSTANCE_STATUS[instance.status]
        cells = [
            text(instance.reference, url_for("requests.detail", instance_id=instance.id)),
            text(instance.sop_version.sop.name),
            Cell(str(status), str(status), tone=tone or None, numeric=False),
            Cell(when(instance.started_at), _iso(instance.started_at), numeric=False),
            Cell(when(instance.ended_at), _iso(instance.ended_at), numeric=False),
            duration(instance.cycle_office_seconds, days=False),
            Cell(when(instance.due_at), _iso(instance.due_at), numeric=False),
        ]
        rows.append(Row(cells))
    return Table("requests", _("Requests"), REQUEST_COLUMNS, rows)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None
