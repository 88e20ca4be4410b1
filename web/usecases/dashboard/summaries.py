"""Per-day summaries of completed steps and requests, so the dashboard does not sort a year.

A completed step or request never changes again, so the transaction that completes it adds
it to its day's rows (``step_completed``, ``request_completed``): StepDay (by ready day, per
activity, with a histogram of its durations), StepDoneDay (by completion day: compliance) and
RequestDay (by end day, with a histogram of cycle times). ``rebuild`` recomputes them all from
the work items and requests; ``ensure`` (run by ``alur db upgrade``) rebuilds when they do not
add up.

Counts read from them are exact. Percentiles are exact, from the rows themselves, while a
period holds at most EXACT_LIMIT values; above that they come from the histograms, within 1 %
(web.usecases.dashboard.histogram), and the pages say so.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.models import Instance, RequestDay, StepDay, StepDoneDay, WorkItem
from storage.repositories import dashboard as dashboard_repo
from storage.repositories import summaries as repo
from web.usecases.context import Context
from web.usecases.dashboard import histogram
from web.usecases.organization.calendars import calendar_of, first_organization

EXACT_LIMIT = 5000
REBUILD_BATCH = 5000
STANDARD = histogram.STEP_MEASURES.index("standard_office")


def summary_zone(session: Session, ctx: Context) -> ZoneInfo:
    """The dashboard's time zone (its periods are local days): the organization's calendar's."""
    organization = first_organization(session)
    if organization is None:
        return ZoneInfo("UTC")
    return calendar_of(ctx, organization).zone


def _step_measures(wait: int | None, handle: int | None, standard: int | None) -> list:
    spent = None if wait is None or handle is None else wait + handle
    return [wait, handle, spent, standard]


def _on_time(ended: datetime, due: datetime | None) -> int:
    return int(due is not None and ended <= due)


def _units_key(unit_ids: list[int]) -> str:
    return " " + " ".join(str(unit_id) for unit_id in sorted(set(unit_ids))) + " "


def _parse_units(units: str) -> frozenset[int]:
    return frozenset(int(part) for part in units.split())


# --- Keeping them current ----------------------------------------------------------------------


def step_completed(session: Session, ctx: Context, item: WorkItem) -> None:
    """Add a step that was just completed (its durations stored) to its days' rows."""
    if item.sop_id is None or item.sop_version_id is None or item.completed_at is None:
        return
    zone = summary_zone(session, ctx)
    values = _step_measures(
        item.wait_office_seconds, item.handle_office_seconds, item.standard_office_seconds
    )
    day = repo.lock_row(
        session,
        StepDay,
        {
            "sop_id": item.sop_id,
            "day": item.ready_at.astimezone(zone).date(),
            "sop_version_id": item.sop_version_id,
            "activity_id": item.activity_id,
            "unit_id": item.unit_id,
            "position_id": item.position_id,
        },
        {"activity_name": item.activity_name, "lane": item.lane, "completed": 0, "measured": 0}
        | {"breached": 0, "spent": 0, "histogram": b""},
    )
    day.completed += 1
    day.measured += item.due_at is not None
    day.breached += item.breached_at is not None
    day.spent += values[2] or 0
    day.histogram = histogram.encode(histogram.decode(day.histogram) + histogram.row_counts(values))
    day.activity_name, day.lane = item.activity_name, item.lane
    done = repo.lock_row(
        session,
        StepDoneDay,
        {
            "sop_id": item.sop_id,
            "day": item.completed_at.astimezone(zone).date(),
            "sop_version_id": item.sop_version_id,
            "unit_id": item.unit_id,
        },
        {"completed": 0, "measured": 0, "on_time": 0},
    )
    done.completed += 1
    done.measured += item.due_at is not None
    done.on_time += _on_time(item.completed_at, item.due_at)


def request_completed(session: Session, ctx: Context, instance: Instance) -> None:
    """Add a request that was just completed (its cycle times stored) to its day's row."""
    if instance.sop_id is None or instance.ended_at is None:
        return
    row = repo.lock_row(
        session,
        RequestDay,
        {
            "sop_id": instance.sop_id,
            "day": instance.ended_at.astimezone(summary_zone(session, ctx)).date(),
            "sop_version_id": instance.sop_version_id,
            "units": _units_key(repo.units_of(session, instance.id)),
        },
        {"completed": 0, "measured": 0, "on_time": 0, "histogram": b""},
    )
    row.completed += 1
    row.measured += instance.due_at is not None
    row.on_time += _on_time(instance.ended_at, instance.due_at)
    values = [
        instance.cycle_seconds,
        instance.cycle_office_seconds,
        instance.standard_office_seconds,
    ]
    row.histogram = histogram.encode(histogram.decode(row.histogram) + histogram.row_counts(values))


# --- Rebuilding --------------------------------------------------------------------------------


@dataclass
class _Totals:
    """One summary row being rebuilt: counters by column name and histogram counts."""

    fixed: dict[str, Any]
    counters: dict[str, int] = field(default_factory=dict)
    counts: dict[int, int] | None = None

    def add(self, values: list | None = None, **increments: int) -> None:
        for name, amount in increments.items():
            self.counters[name] = self.counters.get(name, 0) + amount
        if values is not None:
            counts = self.counts = self.counts if self.counts is not None else {}
            for measure, value in enumerate(values):
                if value is not None:
                    bucket = histogram.key(measure, value)
                    counts[bucket] = counts.get(bucket, 0) + 1

    def row(self, key: tuple, model: Any) -> dict[str, Any]:
        row = dict(zip(repo.KEYS[model], key, strict=True)) | self.fixed | self.counters
        if self.counts is not None:
            row["histogram"] = histogram.encode(self.counts)
        return row


def _rows(model: Any, found: dict[tuple, _Totals]) -> Iterator[dict[str, Any]]:
    return (totals.row(key, model) for key, totals in found.items())


def _summarise_steps(session: Session, zone: ZoneInfo, progress: Callable | None) -> tuple:
    ready: dict[tuple, _Totals] = {}
    done: dict[tuple, _Totals] = {}
    seen = 0
    for batch in repo.completed_steps(session, REBUILD_BATCH):
        for row in batch:
            (sop_id, ready_at, completed_at, version_id, activity, unit_id, position_id) = row[:7]
            name, lane, due_at, breached_at, wait, handle, standard = row[7:]
            key = (sop_id, ready_at.astimezone(zone).date(), version_id, activity, unit_id)
            key += (position_id,)
            if key not in ready:
                ready[key] = _Totals({"activity_name": name, "lane": lane})
            values = _step_measures(wait, handle, standard)
            ready[key].add(
                values,
                completed=1,
                measured=due_at is not None,
                breached=breached_at is not None,
                spent=values[2] or 0,
            )
            key = (sop_id, completed_at.astimezone(zone).date(), version_id, unit_id)
            if key not in done:
                done[key] = _Totals({})
            done[key].add(
                completed=1,
                measured=due_at is not None,
                on_time=_on_time(completed_at, due_at),
            )
        seen += len(batch)
        if progress:
            progress(seen)
    return ready, done, seen


def _summarise_requests(
    session: Session, zone: ZoneInfo, progress: Callable | None, seen: int
) -> dict[tuple, _Totals]:
    units: dict[int, list[int]] = {}
    for batch in repo.request_units(session, REBUILD_BATCH):
        for instance_id, unit_id in batch:
            units.setdefault(instance_id, []).append(unit_id)
    found: dict[tuple, _Totals] = {}
    for batch in repo.completed_requests(session, REBUILD_BATCH):
        for instance_id, sop_id, ended_at, version_id, due_at, *cycles in batch:
            key = (sop_id, ended_at.astimezone(zone).date(), version_id)
            key += (_units_key(units.get(instance_id, [])),)
            if key not in found:
                found[key] = _Totals({})
            found[key].add(
                cycles,
                completed=1,
                measured=due_at is not None,
                on_time=_on_time(ended_at, due_at),
            )
        seen += len(batch)
        if progress:
            progress(seen)
    return found


def rebuild(ctx: Context, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every summary row from the completed steps and requests, in one transaction.

    ``progress`` is called with the number of steps and requests read so far (steps first).
    Returns the rows written.
    """
    with ctx.transaction() as session:
        zone = summary_zone(session, ctx)
        ready, done, seen = _summarise_steps(session, zone, progress)
        requests = _summarise_requests(session, zone, progress, seen)
        return (
            repo.replace_all(session, StepDay, _rows(StepDay, ready))
            + repo.replace_all(session, StepDoneDay, _rows(StepDoneDay, done))
            + repo.replace_all(session, RequestDay, _rows(RequestDay, requests))
        )


def stale(ctx: Context) -> tuple[bool, int]:
    """Whether the summaries do not add up to the completed steps and requests (every table
    counted apart), and how many completed steps and requests there are."""
    with ctx.reading() as session:
        step_days, done_days, steps, request_days, requests = repo.totals(session)
    return (step_days, done_days, request_days) != (steps, steps, requests), steps + requests


def ensure(ctx: Context, progress: Callable[[int], None] | None = None) -> int | None:
    """Rebuild when the summaries do not add up (after the upgrade that added them, or rows
    imported by hand). Returns the rows written, or None when they were current. A change of
    time zone is not detected: ``rebuild`` then."""
    if not stale(ctx)[0]:
        return None
    return rebuild(ctx, progress)


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class _Activity:
    name: str
    lane: str | None
    items: int = 0
    completed: int = 0
    open: int = 0
    measured: int = 0
    breached: int = 0
    spent: int = 0
    positions: set[str] = field(default_factory=set)
    merged: histogram.Merged = field(
        default_factory=lambda: histogram.Merged(histogram.STEP_MEASURES)
    )


def activities(
    session: Session, window: dashboard_repo.Window
) -> tuple[dict[str, dict[str, Any]], bool]:
    """Per activity id of the window's SOP: the figures of repo.dashboard.activities.

    Returns them and whether the percentiles are approximate (read from the summaries).
    """
    if window.days is None or window.sop_id is None:
        return dashboard_repo.activities(session, window), False
    first, last = window.days
    if repo.steps_completed_in(session, window, first, last) <= EXACT_LIMIT:
        return dashboard_repo.activities(session, window), False
    return _activities_from_summaries(session, window, first, last), True


def _activities_from_summaries(
    session: Session, window: dashboard_repo.Window, first: date, last: date
) -> dict[str, dict[str, Any]]:
    found: dict[str, _Activity] = {}

    def activity(key: str, name: str, lane: str | None) -> _Activity:
        if key not in found:
            found[key] = _Activity(name, lane)
        current = found[key]
        current.name, current.lane = max(current.name, name), max(current.lane or "", lane or "")
        return current

    for key, name, lane, code, completed, measured, breached, spent, blob in repo.step_rows(
        session, window, first, last
    ):
        current = activity(key, name, lane)
        current.items += completed
        current.completed += completed
        current.measured += measured
        current.breached += breached
        current.spent += spent
        current.positions.add(code)
        current.merged.add_blob(blob)
    unfinished: dict[str, list[int | None]] = {}
    for key, name, lane, code, has_due, breached, standard in repo.unfinished_steps(
        session, window
    ):
        current = activity(key, name, lane)
        current.items += 1
        current.open += 1
        current.measured += bool(has_due)
        current.breached += bool(breached)
        current.positions.add(code)
        unfinished.setdefault(key, []).append(standard)
    result = {}
    for key, current in found.items():
        current.merged.add_values(STANDARD, unfinished.get(key, []))
        result[key] = {
            "name": current.name,
            "lane": current.lane or None,
            "items": current.items,
            "completed": current.completed,
            "open": current.open,
            "measured": current.measured,
            "breached": current.breached,
            "spent": current.spent,
            "positions": sorted(current.positions),
            **current.merged.spreads(),
        }
    return result


def steps_on_time_per_sop(
    session: Session, window: dashboard_repo.Window
) -> dict[int, tuple[int, int]]:
    """Per SOP: steps completed in the period with a standard, and those on time (exact)."""
    if window.days is None:
        return dashboard_repo.steps_on_time_per_sop(session, window)
    return repo.steps_on_time_per_sop(session, window, *window.days)


def request_rows(session: Session, window: dashboard_repo.Window) -> list[Any] | None:
    """The window's RequestDay rows (units kept), or None when the window is not whole days.

    Read once per page and handed to completed_per_sop and weekly_completed."""
    if window.days is None:
        return None
    rows = repo.request_rows(session, window, *window.days)
    if window.unit_ids is None:
        return rows
    parsed: dict[str, bool] = {}
    kept = []
    for row in rows:
        if row.units not in parsed:
            parsed[row.units] = not _parse_units(row.units).isdisjoint(window.unit_ids)
        if parsed[row.units]:
            kept.append(row)
    return kept


def _merge_requests(rows: list[Any], group: Callable[[Any], Any]) -> dict[Any, dict[str, Any]]:
    found: dict[Any, dict[str, Any]] = {}
    merged: dict[Any, histogram.Merged] = {}
    for row in rows:
        key = group(row)
        if key not in found:
            found[key] = {"completed": 0, "measured": 0, "on_time": 0}
            merged[key] = histogram.Merged(histogram.REQUEST_MEASURES)
        found[key]["completed"] += row.completed
        found[key]["measured"] += row.measured
        found[key]["on_time"] += row.on_time
        merged[key].add_blob(row.histogram)
    for key, figures in found.items():
        figures.update(merged[key].spreads())
    return found


def completed_per_sop(
    session: Session, window: dashboard_repo.Window, rows: list[Any] | None
) -> tuple[dict[int, dict[str, Any]], bool]:
    """Per SOP: completed requests, measured / on time, cycle-time spreads (as
    repo.dashboard.completed_per_sop), and whether the spreads are approximate."""
    if rows is None or sum(row.completed for row in rows) <= EXACT_LIMIT:
        return dashboard_repo.completed_per_sop(session, window), False
    return _merge_requests(rows, lambda row: row.sop_id), True


def weekly_completed(
    session: Session,
    window: dashboard_repo.Window,
    rows: list[Any] | None,
    boundaries: list[datetime],
    weeks: list[date],
) -> tuple[dict[int, dict[str, Any]], bool]:
    """Per week index (weeks: their local Mondays): completed, on time, office cycle time."""
    if rows is None or sum(row.completed for row in rows) <= EXACT_LIMIT:
        return dashboard_repo.weekly_completed(session, window, boundaries), False
    first = weeks[0]
    found = _merge_requests(rows, lambda row: (row.day - first).days // 7)
    for figures in found.values():
        figures.pop("cycle", None)
        figures.pop("standard_office", None)
    return found, True
