"""Workload (beban kerja) per position and per officer: busy hours, steps per day, breaches."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import select

from engine.calendar import WorkingCalendar
from storage.models import Position, User
from storage.repositories import dashboard_workload as repo
from web.usecases.context import Actor, Context
from web.usecases.dashboard.overview import org_calendar, reading, resolve_window
from web.usecases.dashboard.views import Filters, LoadRow, Share, Workload

OUTLIER_MADS = 3.0


def _working_days(calendar: WorkingCalendar, filters: Filters) -> int:
    days = (filters.end - filters.start).days + 1
    return sum(
        1 for offset in range(days) if calendar.is_working_day(filters.start + timedelta(offset))
    )


def _outliers(values: dict[int, float]) -> set[int]:
    """Keys whose value is above median + 3 scaled MADs (and above 1.5 x the median)."""
    if len(values) < 3:
        return set()
    middle = median(values.values())
    spread = 1.4826 * median(abs(value - middle) for value in values.values())
    limit = max(middle + OUTLIER_MADS * spread, 1.5 * middle)
    return {key for key, value in values.items() if value > limit and value > 0}


def _union_office(calendar: WorkingCalendar, intervals: list[tuple]) -> int:
    """Office seconds in which at least one of ``intervals`` (start, end, office seconds)
    was open: steps held at the same time count once. Sorted by start."""
    total = 0
    start = end = None
    alone: int | None = None  # the office seconds of a merged run made of one interval
    for begin, finish, office in intervals:
        if begin is None or finish is None:
            continue
        if end is not None and begin < end:
            end, alone = max(end, finish), None
            continue
        if end is not None:
            total += alone if alone is not None else _office(calendar, start, end)
        start, end, alone = begin, finish, office
    if end is not None:
        total += alone if alone is not None else _office(calendar, start, end)
    return total


def _office(calendar: WorkingCalendar, start: datetime, end: datetime) -> int:
    return round(calendar.working_time(start, end).total_seconds())


def _busy(calendar: WorkingCalendar, rows: list[tuple]) -> tuple[dict[int, int], dict[int, int]]:
    """Busy office seconds per position (summed over its officers) and per officer."""
    per_pair: dict[tuple[int, int | None], list[tuple]] = {}
    per_officer: dict[int, list[tuple]] = {}
    for position_id, user_id, claimed, completed, office in rows:
        per_pair.setdefault((position_id, user_id), []).append((claimed, completed, office))
        if user_id is not None:
            per_officer.setdefault(user_id, []).append((claimed, completed, office))
    positions: dict[int, int] = {}
    for (position_id, _user), intervals in per_pair.items():
        intervals.sort(key=lambda interval: interval[0])
        positions[position_id] = positions.get(position_id, 0) + _union_office(calendar, intervals)
    officers = {
        user_id: _union_office(calendar, sorted(intervals, key=lambda interval: interval[0]))
        for user_id, intervals in per_officer.items()
    }
    return positions, officers


def workload(ctx: Context, actor: Actor, filters: Filters) -> Workload:
    """Hours of work per week and steps per day, per position (per holder) and per officer."""
    with reading(ctx) as session:
        window = resolve_window(session, ctx, actor, filters)
        calendar = org_calendar(session, ctx)
        weeks = ((filters.end - filters.start).days + 1) / 7
        working_days = max(1, _working_days(calendar, filters))
        holders = repo.holders_per_position(session)
        busy_positions, busy_officers = _busy(calendar, repo.held_intervals(session, window))
        per_position = {
            pid: {**figures, "handled": busy_positions.get(pid, 0)}
            for pid, figures in repo.load_per_position(session, window).items()
        }
        open_items = repo.open_per_position(session, window)
        position_ids = set(per_position) | set(open_items)
        positions = {
            position.id: position
            for position in session.scalars(select(Position).where(Position.id.in_(position_ids)))
        }
        position_rows = [
            _load_row(
                per_position.get(pid, {}),
                open_items.get(pid, 0),
                max(1, holders.get(pid, 0)),
                weeks,
                working_days,
                key=positions[pid].code,
                name=positions[pid].name,
                unit=positions[pid].unit.name,
                holders=holders.get(pid, 0),
                position_id=pid,
            )
            for pid in position_ids
        ]
        per_officer = {
            user_id: {**figures, "handled": busy_officers.get(user_id, 0)}
            for user_id, figures in repo.load_per_officer(session, window).items()
            if user_id is not None
        }
        claimed = repo.claimed_per_officer(session, window)
        user_ids = set(per_officer) | {key for key in claimed if key is not None}
        users = {
            user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
        officer_rows = [
            _load_row(
                per_officer.get(uid, {}),
                claimed.get(uid, 0),
                1,
                weeks,
                working_days,
                key=users[uid].username,
                name=users[uid].full_name,
                unit=", ".join(sorted({p.unit.name for p in users[uid].positions})),
                holders=1,
                user_id=uid,
            )
            for uid in user_ids
        ]
        return Workload(
            filters,
            weeks,
            working_days,
            _mark_outliers(position_rows),
            _mark_outliers(officer_rows),
        )


def _load_row(
    figures: Mapping[str, int],
    open_count: int,
    per: int,
    weeks: float,
    working_days: int,
    **identity: object,
) -> LoadRow:
    return LoadRow(
        completed=figures.get("completed", 0),
        hours_per_week=figures.get("handled", 0) / 3600 / weeks / per,
        items_per_day=figures.get("completed", 0) / working_days / per,
        open=open_count,
        breaches=Share(figures.get("breached", 0), figures.get("measured", 0)),
        outlier=False,
        **identity,  # type: ignore[arg-type]
    )


def _mark_outliers(rows: list[LoadRow]) -> list[LoadRow]:
    flagged = _outliers({index: row.hours_per_week for index, row in enumerate(rows)})
    marked = [
        LoadRow(**{**row.__dict__, "outlier": index in flagged}) for index, row in enumerate(rows)
    ]
    return sorted(marked, key=lambda row: (-row.hours_per_week, row.key))
