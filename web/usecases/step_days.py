"""Per-day summaries of completed steps, so one SOP's page does not sort a year of steps.

A completed step never changes again, so its counts and its durations' histogram buckets are
added to the step_day row of its activity and ready day in the transaction that completes it
(``step_completed``). ``rebuild`` recomputes every row from the work items; ``ensure`` (run by
``alur db upgrade``) rebuilds when the rows do not add up to the completed steps.

``activities`` answers the one-SOP page: exact, from the work items, while the period holds
at most EXACT_LIMIT completed steps; above that from the summaries plus the steps still open,
with counts exact and percentiles within 1 % (web.usecases.histogram).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.models import WorkItem
from storage.repositories import dashboard as dashboard_repo
from storage.repositories import step_days as repo
from web.usecases import histogram
from web.usecases.calendars import calendar_of, first_organization
from web.usecases.context import Context

EXACT_LIMIT = 20_000
REBUILD_BATCH = 5000
STANDARD = histogram.MEASURES.index("standard_office")


def summary_zone(session: Session, ctx: Context) -> ZoneInfo:
    """The dashboard's time zone (its periods are local days): the organization's calendar's."""
    organization = first_organization(session)
    if organization is None:
        return ZoneInfo("UTC")
    return calendar_of(ctx, organization).zone


def _measures(wait: int | None, handle: int | None, standard: int | None) -> list[int | None]:
    spent = None if wait is None or handle is None else wait + handle
    return [wait, handle, spent, standard]


def step_completed(session: Session, ctx: Context, item: WorkItem) -> None:
    """Add a step that was just completed (its durations stored) to its day's row."""
    if item.sop_id is None or item.sop_version_id is None:
        return
    key = {
        "sop_id": item.sop_id,
        "day": item.ready_at.astimezone(summary_zone(session, ctx)).date(),
        "sop_version_id": item.sop_version_id,
        "activity_id": item.activity_id,
        "unit_id": item.unit_id,
        "position_id": item.position_id,
    }
    row = repo.lock_row(session, key, item.activity_name, item.lane)
    values = _measures(
        item.wait_office_seconds, item.handle_office_seconds, item.standard_office_seconds
    )
    row.completed += 1
    row.measured += item.due_at is not None
    row.breached += item.breached_at is not None
    row.spent += values[2] or 0
    row.histogram = histogram.encode(histogram.decode(row.histogram) + histogram.row_counts(values))
    row.activity_name, row.lane = item.activity_name, item.lane


@dataclass
class _Day:
    name: str
    lane: str | None
    completed: int = 0
    measured: int = 0
    breached: int = 0
    spent: int = 0
    counts: Any = field(default_factory=dict)


def _summarise(session: Session, zone: ZoneInfo, progress: Callable[[int], None] | None) -> dict:
    days: dict[tuple, _Day] = {}
    seen = 0
    for batch in repo.completed_steps(session, REBUILD_BATCH):
        for (
            _id,
            sop_id,
            ready_at,
            version_id,
            activity,
            unit_id,
            position_id,
            name,
            lane,
            due_at,
            breached_at,
            wait,
            handle,
            standard,
        ) in batch:
            key = (sop_id, ready_at.astimezone(zone).date(), version_id, activity, unit_id)
            key += (position_id,)
            day = days.get(key)
            if day is None:
                day = days[key] = _Day(name, lane)
            values = _measures(wait, handle, standard)
            day.completed += 1
            day.measured += due_at is not None
            day.breached += breached_at is not None
            day.spent += values[2] or 0
            for measure, value in enumerate(values):
                if value is not None:
                    bucket = histogram.key(measure, value)
                    day.counts[bucket] = day.counts.get(bucket, 0) + 1
        seen += len(batch)
        if progress:
            progress(seen)
    return days


def _rows(days: dict[tuple, _Day]) -> Iterator[dict[str, Any]]:
    for key, day in days.items():
        yield {
            **dict(zip(repo.KEY, key, strict=True)),
            "activity_name": day.name,
            "lane": day.lane,
            "completed": day.completed,
            "measured": day.measured,
            "breached": day.breached,
            "spent": day.spent,
            "histogram": histogram.encode(day.counts),
        }


def rebuild(ctx: Context, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every summary row from the completed steps, in one transaction.

    ``progress`` is called with the number of steps read so far. Returns the rows written.
    """
    with ctx.transaction() as session:
        days = _summarise(session, summary_zone(session, ctx), progress)
        return repo.replace_all(session, _rows(days))


def totals(ctx: Context) -> tuple[int, int]:
    """(completed steps the summaries hold, completed steps there are)."""
    with ctx.reading() as session:
        return repo.totals(session)


def ensure(ctx: Context, progress: Callable[[int], None] | None = None) -> int | None:
    """Rebuild when the summaries do not add up to the completed steps (after the upgrade
    that added them, or work items imported by hand). Returns the rows written, or None when
    they were current. A change of time zone is not detected: ``rebuild`` then."""
    summarised, steps = totals(ctx)
    if summarised == steps:
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
    merged: histogram.Merged = field(default_factory=histogram.Merged)


def _local_days(window: dashboard_repo.Window, zone: ZoneInfo) -> tuple[date, date]:
    """The local days the window spans (its ends are local midnights)."""
    last = datetime.fromtimestamp(window.end.timestamp() - 1, zone).date()
    return window.start.astimezone(zone).date(), last


def activities(
    session: Session, ctx: Context, window: dashboard_repo.Window
) -> tuple[dict[str, dict[str, Any]], bool]:
    """Per activity id of the window's SOP: the figures of repo.dashboard.activities.

    Returns them and whether the percentiles are approximate (read from the summaries).
    """
    first, last = _local_days(window, summary_zone(session, ctx))
    if repo.completed_in(session, window, first, last) <= EXACT_LIMIT:
        return dashboard_repo.activities(session, window), False
    return _from_summaries(session, window, first, last), True


def _from_summaries(
    session: Session, window: dashboard_repo.Window, first: date, last: date
) -> dict[str, dict[str, Any]]:
    found: dict[str, _Activity] = {}

    def activity(key: str, name: str, lane: str | None) -> _Activity:
        if key not in found:
            found[key] = _Activity(name, lane)
        current = found[key]
        current.name, current.lane = max(current.name, name), max(current.lane or "", lane or "")
        return current

    for key, name, lane, code, completed, measured, breached, spent, blob in repo.summary_rows(
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
