"""The dashboard's SQL: counts, shares and percentiles of requests and steps, per group.

Every query is SQLAlchemy Core over two tables (``instance`` and ``work_item``, which carry
their SOP and version ids and their durations, see web.usecases.runtime.durations) and runs
unchanged on SQLite and PostgreSQL: percentiles are nearest-rank, from ROW_NUMBER() and
COUNT() windows;
weeks are CASE buckets over boundaries computed in Python, so no date function is needed.
This module holds the windows, the shared helpers and the overview's queries; one SOP's
activities, the workload and the version comparison have theirs in dashboard_activities,
dashboard_workload and dashboard_versions.
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
    WorkItem,
    WorkItemStatus,
)

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
