"""The dashboard's figures recomputed in plain Python from a Log's rows (see dashboard_log).

Each function follows the definitions in web.usecases.dashboard.views, written from scratch:
sorted lists, nearest-rank percentiles (rank ceil(p * n)), periods in local time.
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from storage.models import Instance, InstanceStatus, WorkItem, WorkItemStatus
from tests.web.usecases.dashboard.dashboard_log import NOW, THREE_WEEKS, WIB, Log, t
from web.usecases.dashboard.views import (
    ActivityRow,
    Filters,
    Share,
    SopOverviewRow,
    Spread,
    WeekPoint,
)

OPEN = (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)
DONE = WorkItemStatus.COMPLETED


@dataclass(frozen=True)
class Scope:
    """A period [start, end) in UTC and what the filters keep."""

    start: datetime
    end: datetime
    sop_id: int | None
    version_id: int | None
    units: set[int] | None


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), WIB).astimezone(UTC)


def subtree(log: Log, unit_id: int) -> set[int]:
    found = {unit_id}
    while True:
        more = {unit for unit, parent in log.parents.items() if parent in found} - found
        if not more:
            return found
        found |= more


def scope_of(log: Log, filters: Filters, managed: list[str] | None = None) -> Scope:
    """``managed``: unit codes a manager holds positions in (None for an analyst)."""
    units = None
    if filters.unit_id is not None:
        units = subtree(log, filters.unit_id)
    elif managed is not None:
        units = set().union(*(subtree(log, log.units[code]) for code in managed))
    end = midnight(filters.end + timedelta(days=1))
    return Scope(midnight(filters.start), end, filters.sop_id, filters.version_id, units)


def inside(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


def spread(values: list) -> Spread:
    values = [value for value in values if value is not None]
    if not values:
        return Spread()
    return Spread(nearest_rank(values, 0.5), nearest_rank(values, 0.9), len(values))


def seconds(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else round((end - start).total_seconds())


def office(log: Log, start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return round(log.calendar.working_time(start, end).total_seconds())


# --- steps and requests, one at a time ----------------------------------------------------------


def wait_office(log: Log, item: WorkItem) -> int | None:
    return office(log, item.ready_at, item.claimed_at) if item.status == DONE else None


def handle_office(log: Log, item: WorkItem) -> int | None:
    return office(log, item.claimed_at, item.completed_at) if item.status == DONE else None


def spent(log: Log, item: WorkItem) -> int | None:
    if item.status != DONE:
        return None
    return wait_office(log, item) + handle_office(log, item)


def step_late(item: WorkItem) -> bool:
    return item.status == DONE and item.due_at is not None and item.completed_at > item.due_at


def breached(item: WorkItem) -> bool:
    """Completed late, or still open past its due time when the sweep ran (NOW)."""
    overdue = item.status in OPEN and item.due_at is not None and item.due_at < t(NOW)
    return step_late(item) or overdue


def steps_of(log: Log, instance: Instance) -> list[WorkItem]:
    return [item for item in log.items if item.instance_id == instance.id]


def path_standard(log: Log, instance: Instance) -> int:
    """The sum of the office-time standards of the steps on the request's path."""
    return sum(
        office(log, item.ready_at, item.due_at)
        for item in steps_of(log, instance)
        if item.status != WorkItemStatus.CANCELLED and item.due_at is not None
    )


def completed(instance: Instance) -> bool:
    return instance.status == InstanceStatus.COMPLETED


def punctual(instance: Instance) -> bool | None:
    return None if instance.due_at is None else instance.ended_at <= instance.due_at


# --- what the filters keep --------------------------------------------------------------------


def _chosen(scope: Scope, row: Instance | WorkItem) -> bool:
    """The SOP and version filters, which requests and steps both carry."""
    return scope.sop_id in (None, row.sop_id) and scope.version_id in (None, row.sop_version_id)


def steps(log: Log, scope: Scope) -> list[WorkItem]:
    """Steps of the chosen SOP and version, in the chosen units."""
    units = scope.units
    return [i for i in log.items if _chosen(scope, i) and (units is None or i.unit_id in units)]


def requests(log: Log, scope: Scope) -> list[Instance]:
    """Requests of the chosen SOP and version one of whose steps was in the chosen units."""
    units = scope.units
    return [
        instance
        for instance in log.instances
        if _chosen(scope, instance)
        and (units is None or any(i.unit_id in units for i in steps_of(log, instance)))
    ]


def started_in(log: Log, scope: Scope) -> list[Instance]:
    return [i for i in requests(log, scope) if inside(i.started_at, scope.start, scope.end)]


def completed_in(log: Log, scope: Scope) -> list[Instance]:
    return [
        i
        for i in requests(log, scope)
        if completed(i) and inside(i.ended_at, scope.start, scope.end)
    ]


def open_at_end(log: Log, scope: Scope) -> list[Instance]:
    return [
        i
        for i in requests(log, scope)
        if i.started_at < scope.end and (i.ended_at is None or i.ended_at >= scope.end)
    ]


def steps_done_in(log: Log, scope: Scope) -> list[WorkItem]:
    return [
        item
        for item in steps(log, scope)
        if item.status == DONE and inside(item.completed_at, scope.start, scope.end)
    ]


def ready_in(log: Log, scope: Scope) -> list[WorkItem]:
    """A SOP page's steps: ready in the period and not withdrawn."""
    return [
        item
        for item in steps(log, scope)
        if inside(item.ready_at, scope.start, scope.end) and item.status != WorkItemStatus.CANCELLED
    ]


# --- the pages --------------------------------------------------------------------------------


def overview_rows(log: Log, scope: Scope) -> list[SopOverviewRow]:
    rows = []
    for sop_id in sorted(log.sop_names, key=log.sop_names.get):
        one = Scope(scope.start, scope.end, sop_id, scope.version_id, scope.units)
        if scope.sop_id not in (None, sop_id):
            continue
        started, done = started_in(log, one), completed_in(log, one)
        still_open, finished_steps = open_at_end(log, one), steps_done_in(log, one)
        if not (started or done or still_open or finished_steps):
            continue
        measured = [i for i in done if punctual(i) is not None]
        measured_steps = [item for item in finished_steps if item.due_at is not None]
        rows.append(
            SopOverviewRow(
                sop_id=sop_id,
                sop_key=next(key for key, found in log.sops.items() if found == sop_id),
                sop_name=log.sop_names[sop_id],
                started=len(started),
                completed=len(done),
                open=len(still_open),
                cycle=spread([seconds(i.started_at, i.ended_at) for i in done]),
                cycle_office=spread([office(log, i.started_at, i.ended_at) for i in done]),
                standard_office=spread([path_standard(log, i) for i in done]),
                requests_on_time=Share(sum(1 for i in measured if punctual(i)), len(measured)),
                steps_on_time=Share(
                    sum(1 for item in measured_steps if not step_late(item)), len(measured_steps)
                ),
            )
        )
    return rows


def mondays(filters: Filters) -> list[date]:
    first = filters.start - timedelta(days=filters.start.weekday())
    return [first + timedelta(weeks=n) for n in range((filters.end - first).days // 7 + 1)]


def trend(log: Log, scope: Scope, filters: Filters) -> list[WeekPoint]:
    points = []
    for monday in mondays(filters):
        week = (midnight(monday), midnight(monday + timedelta(days=7)))
        started = [i for i in started_in(log, scope) if inside(i.started_at, *week)]
        done = [i for i in completed_in(log, scope) if inside(i.ended_at, *week)]
        measured = [i for i in done if punctual(i) is not None]
        points.append(
            WeekPoint(
                week_start=monday,
                started=len(started),
                completed=len(done),
                cycle_office=spread([office(log, i.started_at, i.ended_at) for i in done]),
                requests_on_time=Share(sum(1 for i in measured if punctual(i)), len(measured)),
            )
        )
    return points


def activity_rows(log: Log, scope: Scope, order: list[str]) -> list[ActivityRow]:
    """One SOP's activities (``scope.sop_id``), in the diagram's ``order``."""
    found = ready_in(log, scope)
    activities = sorted(
        {item.activity_id for item in found},
        key=lambda key: (order.index(key) if key in order else len(order), key),
    )
    time_in = {
        key: sum(spent(log, i) or 0 for i in found if i.activity_id == key) for key in activities
    }
    total = sum(time_in.values())
    ranked = sorted((key for key in activities if time_in[key]), key=lambda key: -time_in[key])
    rows = []
    for key in activities:
        mine = [item for item in found if item.activity_id == key]
        standards = [office(log, i.ready_at, i.due_at) for i in mine if i.due_at is not None]
        rows.append(
            ActivityRow(
                activity_id=key,
                name=mine[0].activity_name,
                # The factory names lane "lane_x" "X"; the page shows the name.
                lane=mine[0].lane.removeprefix("lane_").title() if mine[0].lane else None,
                positions=sorted({log.positions[i.position_id].code for i in mine}),
                items=len(mine),
                completed=sum(1 for i in mine if i.status == DONE),
                open=sum(1 for i in mine if i.status in OPEN),
                wait_office=spread([wait_office(log, i) for i in mine]),
                handle_office=spread([handle_office(log, i) for i in mine]),
                duration_office=spread([spent(log, i) for i in mine]),
                standard_office=spread(standards).median,
                breaches=Share(
                    sum(1 for i in mine if breached(i)),
                    sum(1 for i in mine if i.due_at is not None),
                ),
                load_share=time_in[key] / total if total else None,
                bottleneck_rank=ranked.index(key) + 1 if key in ranked else None,
            )
        )
    return rows


def choices(log: Log) -> list[tuple[str, str, Filters, list[str] | None]]:
    """Filter choices whose boundaries matter: (name, viewer, filters, units a manager holds)."""
    izin, surat = log.sops["izin"], log.sops["surat"]
    return [
        ("three weeks", "eka", Filters(*THREE_WEEKS), None),
        ("Wednesday to Wednesday", "eka", Filters(date(2026, 8, 5), date(2026, 8, 19)), None),
        ("one week", "eka", Filters(date(2026, 8, 10), date(2026, 8, 16)), None),
        ("one day", "eka", Filters(date(2026, 8, 11), date(2026, 8, 11)), None),
        ("the whole of August", "eka", Filters(date(2026, 8, 1), date(2026, 8, 31)), None),
        ("unit DINAS", "eka", Filters(*THREE_WEEKS, unit_id=log.units["DINAS"]), None),
        ("unit KEC and below", "eka", Filters(*THREE_WEEKS, unit_id=log.units["KEC"]), None),
        ("SOP surat", "admin", Filters(*THREE_WEEKS, sop_id=surat), None),
        (
            "izin version 1",
            "eka",
            Filters(*THREE_WEEKS, sop_id=izin, version_id=log.versions["izin", 1]),
            None,
        ),
        (
            "izin version 2, no SOP chosen",
            "eka",
            Filters(*THREE_WEEKS, version_id=log.versions["izin", 2]),
            None,
        ),
        ("manager, own units", "citra", Filters(*THREE_WEEKS), ["KEL"]),
        (
            "manager, KEL, mid-week",
            "citra",
            Filters(date(2026, 8, 5), date(2026, 8, 19), unit_id=log.units["KEL"]),
            ["KEL"],
        ),
    ]
