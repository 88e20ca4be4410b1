"""Reading the per-day summaries for the dashboard's pages (web.usecases.dashboard.summaries
keeps them current).

Counts read from them are exact. Percentiles are exact, from the rows themselves, while a
period holds at most EXACT_LIMIT values; above that they come from the histograms, within 1 %
(web.usecases.dashboard.histogram), and the pages say so.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.repositories import dashboard as dashboard_repo
from storage.repositories import dashboard_activities
from storage.repositories import summaries as repo
from web.usecases.dashboard import histogram

EXACT_LIMIT = 5000
STANDARD = histogram.STEP_MEASURES.index("standard_office")


def _parse_units(units: str) -> frozenset[int]:
    return frozenset(int(part) for part in units.split())


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
        return dashboard_activities.activities(session, window), False
    first, last = window.days
    if repo.steps_completed_in(session, window, first, last) <= EXACT_LIMIT:
        return dashboard_activities.activities(session, window), False
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
