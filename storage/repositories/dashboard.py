"""The dashboard's SQL: counts, shares and percentiles of requests and steps, per group.

Every query is SQLAlchemy Core over two tables (``instance`` and ``work_item``, which carry
their SOP and version ids and their durations, see web.usecases.runtime.durations) and runs
unchanged on SQLite and PostgreSQL: percentiles are nearest-rank, from ROW_NUMBER() and
COUNT() windows;
weeks are CASE buckets over boundaries computed in Python, so no date function is needed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from storage.models import (
    Instance,
    InstanceStatus,
    Position,
    SopVersion,
    User,
    WorkItem,
    WorkItemStatus,
)
from storage.models.organization import user_position

OPEN = (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)


@dataclass(frozen=True)
class Window:
    """Resolved filters: a period [start, end) in UTC and what to keep.

    ``unit_ids`` None keeps every unit; requests are kept when one of their steps belonged
    to one of the units, steps when they did. ``days``: the first and last local day of the
    period, when it is whole days of the dashboard's time zone (what the summaries need).
    """

    start: datetime
    end: datetime
    sop_id: int | None = None
    version_id: int | None = None
    unit_ids: frozenset[int] | None = None
    days: tuple[date, date] | None = None

    def instances(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.sop_id is not None:
            conditions.append(Instance.sop_id == self.sop_id)
        if self.version_id is not None:
            conditions.append(Instance.sop_version_id == self.version_id)
        if self.unit_ids is not None:
            in_units = WorkItem.unit_id.in_(self.unit_ids)
            if self.sop_id is not None:
                # One SOP's requests: each probed for a step in the units, through the index
                # on (unit_id, instance_id). Across every SOP, collecting the units' requests
                # once is faster (SQLite, a manager's 3 units on 1M steps: 145 -> 24 ms for one
                # SOP over 90 days, but 154 -> 395 ms for all SOPs over 12 months).
                conditions.append(
                    select(WorkItem.id)
                    .where(WorkItem.instance_id == Instance.id, in_units)
                    .exists()
                )
            else:
                conditions.append(Instance.id.in_(select(WorkItem.instance_id).where(in_units)))
        return conditions

    def items(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.sop_id is not None:
            conditions.append(WorkItem.sop_id == self.sop_id)
        if self.version_id is not None:
            conditions.append(WorkItem.sop_version_id == self.version_id)
        if self.unit_ids is not None:
            conditions.append(WorkItem.unit_id.in_(self.unit_ids))
        return conditions


def within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def week_of(column: Any, boundaries: Sequence[datetime]) -> Any:
    """The index of the week ``column`` falls in, given the weeks' start instants (and end).

    A binary search written as nested CASEs: six comparisons a row for a year of weeks, where
    a flat CASE averaged twenty-six (the 12-month trend on SQLite: 561 -> ... ms).
    Values before the first start are counted in week 0, NULL and values from the end on in
    none, like the flat CASE did.
    """

    def search(low: int, high: int) -> Any:  # the week is in [low, high)
        if high - low == 1:
            return literal(low)
        middle = (low + high) // 2
        return case((column < boundaries[middle], search(low, middle)), else_=search(middle, high))

    weeks = len(boundaries) - 1
    return case((column.is_(None), None), (column >= boundaries[-1], None), else_=search(0, weeks))


def spreads(
    session: Session,
    groups: Sequence[Any],
    values: dict[str, Any],
    conditions: Sequence[ColumnElement[bool]],
) -> dict[tuple, dict[str, tuple[float | None, float | None, int]]]:
    """Median, 90th percentile and count of each of ``values`` per group (nearest rank).

    One window per measure: CUME_DIST() is the share of the group's values at or below a
    value, so the p-th percentile by nearest rank (the value at rank ceil(p * n)) is the
    smallest value whose CUME_DIST is at least p. NULLs are ranked apart and left out.
    Returns {group key: {name: (median, p90, n)}}.
    """
    columns: list[Any] = [group.label(f"g{index}") for index, group in enumerate(groups)]
    for name, value in values.items():
        partition = [*groups, case((value.is_(None), 0), else_=1)]
        columns += [
            value.label(f"{name}_v"),
            func.cume_dist().over(partition_by=partition, order_by=value).label(f"{name}_cd"),
        ]
    inner = select(*columns).where(*conditions).subquery()
    keys = [inner.c[f"g{index}"] for index in range(len(groups))]
    outer: list[Any] = list(keys)
    for name in values:
        v, cd = inner.c[f"{name}_v"], inner.c[f"{name}_cd"]
        outer += [
            func.min(case((and_(v.is_not(None), cd >= 0.5), v))),
            func.min(case((and_(v.is_not(None), cd >= 0.9), v))),
            func.count(v),
        ]
    result: dict[tuple, dict[str, tuple[float | None, float | None, int]]] = {}
    for row in session.execute(select(*outer).group_by(*keys)):
        key = tuple(row[: len(groups)])
        figures = row[len(groups) :]
        result[key] = {
            name: (figures[3 * i], figures[3 * i + 1], int(figures[3 * i + 2] or 0))
            for i, name in enumerate(values)
        }
    return result


# --- Overview ----------------------------------------------------------------------------------


def started_per_sop(session: Session, window: Window) -> dict[int, int]:
    query = (
        select(Instance.sop_id, func.count())
        .where(within(Instance.started_at, window.start, window.end), *window.instances())
        .group_by(Instance.sop_id)
    )
    return {sop_id: count for sop_id, count in session.execute(query)}


def open_at_end_condition(window: Window) -> ColumnElement[bool]:
    """Started before the end and not ended by then: still running, or ended after it.

    Said with the status (a request has an end time exactly when it is no longer running),
    each branch is a range of the index on (status, ended_at): the few running requests and
    those ended after the period, instead of every request started before its end.
    """
    return and_(
        Instance.started_at < window.end,
        or_(
            Instance.status == InstanceStatus.RUNNING,
            and_(
                Instance.status.in_((InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)),
                Instance.ended_at >= window.end,
            ),
        ),
    )


def open_per_sop(session: Session, window: Window) -> dict[int, int]:
    query = (
        select(Instance.sop_id, func.count())
        .where(open_at_end_condition(window), *window.instances())
        .group_by(Instance.sop_id)
    )
    return {sop_id: count for sop_id, count in session.execute(query)}


def completed_condition(window: Window) -> ColumnElement[bool]:
    return and_(
        Instance.status == InstanceStatus.COMPLETED,
        within(Instance.ended_at, window.start, window.end),
    )


def on_time(ended: Any, due: Any) -> Any:
    """1 when ended by the due time, 0 when later, NULL without a due time."""
    return case((due.is_(None), None), (ended <= due, 1), else_=0)


def completed_per_sop(session: Session, window: Window) -> dict[int, dict[str, Any]]:
    """Per SOP: completed count, requests measured / on time, and the cycle-time spreads."""
    conditions = [completed_condition(window), *window.instances()]
    punctual = on_time(Instance.ended_at, Instance.due_at)
    counts = session.execute(
        select(Instance.sop_id, func.count(), func.count(punctual), func.sum(punctual))
        .where(*conditions)
        .group_by(Instance.sop_id)
    )
    figures = spreads(
        session,
        [Instance.sop_id],
        {
            "cycle": Instance.cycle_seconds,
            "cycle_office": Instance.cycle_office_seconds,
            "standard_office": Instance.standard_office_seconds,
        },
        conditions,
    )
    return {
        sop_id: {
            "completed": completed,
            "measured": measured,
            "on_time": int(punctual_count or 0),
            **figures.get((sop_id,), {}),
        }
        for sop_id, completed, measured, punctual_count in counts
    }


def steps_completed_condition(window: Window) -> ColumnElement[bool]:
    return and_(
        WorkItem.status == WorkItemStatus.COMPLETED,
        within(WorkItem.completed_at, window.start, window.end),
    )


def steps_on_time_per_sop(session: Session, window: Window) -> dict[int, tuple[int, int]]:
    """Per SOP: steps completed in the period with a standard, and those on time."""
    punctual = on_time(WorkItem.completed_at, WorkItem.due_at)
    query = (
        select(WorkItem.sop_id, func.count(punctual), func.sum(punctual))
        .where(steps_completed_condition(window), *window.items())
        .group_by(WorkItem.sop_id)
    )
    return {sop_id: (measured, int(good or 0)) for sop_id, measured, good in session.execute(query)}


def weekly_started(
    session: Session, window: Window, boundaries: Sequence[datetime]
) -> dict[int, int]:
    """Per week index: requests started."""
    started_week = week_of(Instance.started_at, boundaries)
    started = session.execute(
        select(started_week, func.count())
        .where(within(Instance.started_at, window.start, window.end), *window.instances())
        .group_by(started_week)
    )
    return {week: count for week, count in started if week is not None}


def weekly_completed(
    session: Session, window: Window, boundaries: Sequence[datetime]
) -> dict[int, dict[str, Any]]:
    """Per week index: completed, on time of those, and their office cycle time."""
    result: dict[int, dict[str, Any]] = {}
    ended_week = week_of(Instance.ended_at, boundaries)
    conditions = [completed_condition(window), *window.instances()]
    punctual = on_time(Instance.ended_at, Instance.due_at)
    for week, count, measured, good in session.execute(
        select(ended_week, func.count(), func.count(punctual), func.sum(punctual))
        .where(*conditions)
        .group_by(ended_week)
    ):
        if week is not None:
            result.setdefault(week, {}).update(
                completed=count, measured=measured, on_time=int(good or 0)
            )
    for (week,), figures in spreads(
        session, [ended_week], {"cycle_office": Instance.cycle_office_seconds}, conditions
    ).items():
        if week is not None:
            result.setdefault(week, {}).update(figures)
    return result


# --- One SOP -----------------------------------------------------------------------------------


def activity_condition(window: Window) -> list[ColumnElement[bool]]:
    """Steps of the window's SOP that became ready in the period and were not withdrawn."""
    return [
        within(WorkItem.ready_at, window.start, window.end),
        WorkItem.status != WorkItemStatus.CANCELLED,
        *window.items(),
    ]


def activities(session: Session, window: Window) -> dict[str, dict[str, Any]]:
    """Per activity id: counts, breaches, office time spent, and the duration spreads."""
    conditions = activity_condition(window)
    is_open = case((WorkItem.status.in_(OPEN), 1), else_=0)
    is_done = case((WorkItem.status == WorkItemStatus.COMPLETED, 1), else_=0)
    breached = case((WorkItem.breached_at.is_not(None), 1), else_=0)
    spent = WorkItem.wait_office_seconds + WorkItem.handle_office_seconds
    rows = session.execute(
        select(
            WorkItem.activity_id,
            func.max(WorkItem.activity_name),
            func.max(WorkItem.lane),
            func.count(),
            func.sum(is_done),
            func.sum(is_open),
            func.count(WorkItem.due_at),
            func.sum(breached),
            func.sum(spent),
        )
        .where(*conditions)
        .group_by(WorkItem.activity_id)
    )
    result: dict[str, dict[str, Any]] = {}
    for activity, name, lane, items, done, open_, measured, late, total in rows:
        result[activity] = {
            "name": name,
            "lane": lane,
            "items": items,
            "completed": int(done or 0),
            "open": int(open_ or 0),
            "measured": measured,
            "breached": int(late or 0),
            "spent": int(total or 0),
            "positions": [],
        }
    for (activity,), figures in spreads(
        session,
        [WorkItem.activity_id],
        {
            "wait_office": WorkItem.wait_office_seconds,
            "handle_office": WorkItem.handle_office_seconds,
            "duration_office": spent,
            "standard_office": WorkItem.standard_office_seconds,
        },
        conditions,
    ).items():
        result[activity].update(figures)
    for activity, code in session.execute(
        select(WorkItem.activity_id, Position.code)
        .join(Position, Position.id == WorkItem.position_id)
        .where(*conditions)
        .group_by(WorkItem.activity_id, Position.code)
        .order_by(Position.code)
    ):
        result[activity]["positions"].append(code)
    return result


# --- Workload ----------------------------------------------------------------------------------


def _load(session: Session, window: Window, group: Any) -> dict[Any, dict[str, int]]:
    breached = case((WorkItem.breached_at.is_not(None), 1), else_=0)
    measured = case((WorkItem.due_at.is_not(None), 1), else_=0)
    rows = session.execute(
        select(
            group,
            func.count(),
            func.sum(WorkItem.handle_office_seconds),
            func.sum(measured),
            func.sum(breached),
        )
        .where(steps_completed_condition(window), *window.items())
        .group_by(group)
    )
    return {
        key: {
            "completed": count,
            "handled": int(handled or 0),
            "measured": int(with_due or 0),
            "breached": int(late or 0),
        }
        for key, count, handled, with_due, late in rows
    }


def held_intervals(session: Session, window: Window) -> list[tuple]:
    """(position, officer, claimed_at, completed_at, handle office seconds) of the steps
    completed in the window, by officer and claim time: what busy time is merged from."""
    query = (
        select(
            WorkItem.position_id,
            WorkItem.completed_by_id,
            WorkItem.claimed_at,
            WorkItem.completed_at,
            WorkItem.handle_office_seconds,
        )
        .where(steps_completed_condition(window), *window.items())
        .order_by(WorkItem.completed_by_id, WorkItem.claimed_at)
    )
    return [tuple(row) for row in session.execute(query)]


def load_per_position(session: Session, window: Window) -> dict[int, dict[str, int]]:
    return _load(session, window, WorkItem.position_id)


def load_per_officer(session: Session, window: Window) -> dict[int, dict[str, int]]:
    return _load(session, window, WorkItem.completed_by_id)


def open_per_position(session: Session, window: Window) -> dict[int, int]:
    """Steps open now per position (the inbox), in the window's SOP, version and units."""
    query = (
        select(WorkItem.position_id, func.count())
        .where(WorkItem.status.in_(OPEN), *window.items())
        .group_by(WorkItem.position_id)
    )
    return {key: count for key, count in session.execute(query)}


def claimed_per_officer(session: Session, window: Window) -> dict[int, int]:
    query = (
        select(WorkItem.claimed_by_id, func.count())
        .where(WorkItem.status == WorkItemStatus.CLAIMED, *window.items())
        .group_by(WorkItem.claimed_by_id)
    )
    return {key: count for key, count in session.execute(query)}


def holders_per_position(session: Session) -> dict[int, int]:
    query = (
        select(user_position.c.position_id, func.count())
        .join(User, User.id == user_position.c.user_id)
        .where(User.is_active.is_(True))
        .group_by(user_position.c.position_id)
    )
    return {key: count for key, count in session.execute(query)}


# --- Versions ----------------------------------------------------------------------------------


def _measured_requests(window: Window) -> list[ColumnElement[bool]]:
    """Completed requests with a measured cycle, in the window's units, at any time."""
    return [
        Instance.status == InstanceStatus.COMPLETED,
        Instance.cycle_office_seconds.is_not(None),
        *Window(window.start, window.end, unit_ids=window.unit_ids).instances(),
    ]


def cycle_values(session: Session, version_id: int, window: Window) -> list[tuple[int, int | None]]:
    """(office cycle seconds, on time 1/0/None) of every completed request of a version."""
    query = select(
        Instance.cycle_office_seconds, on_time(Instance.ended_at, Instance.due_at)
    ).where(Instance.sop_version_id == version_id, *_measured_requests(window))
    return [(int(cycle), punctual) for cycle, punctual in session.execute(query)]


def measured_versions(session: Session, sop_id: int, window: Window) -> list[int]:
    """Ids of an SOP's versions with a completed request in the window's units, newest first:
    the versions a comparison has figures for."""
    measured = (
        select(literal(1))
        .where(Instance.sop_version_id == SopVersion.id, *_measured_requests(window))
        .exists()
    )
    query = (
        select(SopVersion.id)
        .where(SopVersion.sop_id == sop_id, measured)
        .order_by(SopVersion.number.desc())
    )
    return list(session.scalars(query))


def step_values(session: Session, version_id: int, window: Window) -> list[tuple[str, int, int]]:
    """(activity id, office wait + handle seconds, breached 1/0) of a version's completed steps."""
    query = select(
        WorkItem.activity_id,
        WorkItem.wait_office_seconds + WorkItem.handle_office_seconds,
        case((WorkItem.breached_at.is_not(None), 1), else_=0),
    ).where(
        WorkItem.sop_version_id == version_id,
        WorkItem.status == WorkItemStatus.COMPLETED,
        WorkItem.handle_office_seconds.is_not(None),
        *Window(window.start, window.end, unit_ids=window.unit_ids).items(),
    )
    return [(activity, int(spent), late) for activity, spent, late in session.execute(query)]


def versions_of(session: Session, sop_id: int) -> list[tuple[int, int]]:
    """(id, number) of an SOP's versions that ran at least one request, newest first."""
    ran = select(literal(1)).where(Instance.sop_version_id == SopVersion.id).exists()
    query = (
        select(SopVersion.id, SopVersion.number)
        .where(SopVersion.sop_id == sop_id, ran)
        .order_by(SopVersion.number.desc())
    )
    return [(version_id, number) for version_id, number in session.execute(query)]
