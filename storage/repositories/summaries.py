"""The dashboard's summary rows (StepDay, StepDoneDay, RequestDay): add to one, rebuild them
all, read a period's rows. Day columns are local dates of the dashboard's time zone."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import (
    Instance,
    InstanceStatus,
    Position,
    RequestDay,
    StepDay,
    StepDoneDay,
    WorkItem,
    WorkItemStatus,
)
from storage.repositories.dashboard import OPEN, Window

Summary = type[StepDay] | type[StepDoneDay] | type[RequestDay]
KEYS: dict[Any, tuple[str, ...]] = {
    StepDay: ("sop_id", "day", "sop_version_id", "activity_id", "unit_id", "position_id"),
    StepDoneDay: ("sop_id", "day", "sop_version_id", "unit_id"),
    RequestDay: ("sop_id", "day", "sop_version_id", "units"),
}
# What the rebuild reads of each completed step, in this order.
STEP_COLUMNS = (
    WorkItem.sop_id,
    WorkItem.ready_at,
    WorkItem.completed_at,
    WorkItem.sop_version_id,
    WorkItem.activity_id,
    WorkItem.unit_id,
    WorkItem.position_id,
    WorkItem.activity_name,
    WorkItem.lane,
    WorkItem.due_at,
    WorkItem.breached_at,
    WorkItem.wait_office_seconds,
    WorkItem.handle_office_seconds,
    WorkItem.standard_office_seconds,
)
REQUEST_COLUMNS = (
    Instance.id,
    Instance.sop_id,
    Instance.ended_at,
    Instance.sop_version_id,
    Instance.due_at,
    Instance.cycle_seconds,
    Instance.cycle_office_seconds,
    Instance.standard_office_seconds,
)


def lock_row(session: Session, model: Summary, key: dict[str, Any], empty: dict[str, Any]) -> Any:
    """The row of ``key``, created from ``empty`` if missing, locked until the transaction
    ends (two completions of the same day and activity add to it one after the other)."""
    query = select(model).filter_by(**key).with_for_update()
    row = session.scalars(query).first()
    if row is not None:
        return row
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(model)
        .values(**key, **empty)
        .on_conflict_do_nothing(index_elements=list(KEYS[model]))
    )
    return session.scalars(query.execution_options(populate_existing=True)).one()


def units_of(session: Session, instance_id: int) -> list[int]:
    """The units any step of a request belonged to."""
    query = select(WorkItem.unit_id).where(WorkItem.instance_id == instance_id).distinct()
    return sorted(session.scalars(query))


def _has_sop(model: Any) -> list[ColumnElement[bool]]:
    return [model.sop_id.is_not(None), model.sop_version_id.is_not(None)]


def completed_steps(session: Session, batch: int) -> Iterator[Sequence[Any]]:
    """Every completed step with a SOP (STEP_COLUMNS), streamed in batches."""
    query = select(*STEP_COLUMNS).where(
        WorkItem.status == WorkItemStatus.COMPLETED, *_has_sop(WorkItem)
    )
    yield from session.execute(query.execution_options(yield_per=batch)).partitions()


def completed_requests(session: Session, batch: int) -> Iterator[Sequence[Any]]:
    """Every completed request with a SOP (REQUEST_COLUMNS), streamed in batches."""
    query = select(*REQUEST_COLUMNS).where(
        Instance.status == InstanceStatus.COMPLETED, *_has_sop(Instance)
    )
    yield from session.execute(query.execution_options(yield_per=batch)).partitions()


def request_units(session: Session, batch: int) -> Iterator[Sequence[Any]]:
    """(request id, unit id) of every unit a step of a completed request belonged to."""
    query = (
        select(WorkItem.instance_id, WorkItem.unit_id)
        .join(Instance, Instance.id == WorkItem.instance_id)
        .where(Instance.status == InstanceStatus.COMPLETED)
        .distinct()
    )
    yield from session.execute(query.execution_options(yield_per=batch)).partitions()


def replace_all(session: Session, model: Summary, rows: Iterable[dict[str, Any]]) -> int:
    """Delete every row of a summary and insert ``rows`` instead; returns how many."""
    session.execute(delete(model))
    pending: list[dict[str, Any]] = []
    written = 0
    for row in rows:
        pending.append(row)
        if len(pending) >= 2000:
            session.execute(insert(model), pending)
            written, pending = written + len(pending), []
    if pending:
        session.execute(insert(model), pending)
        written += len(pending)
    return written


def totals(session: Session) -> tuple[int, int, int, int, int]:
    """Completed steps StepDay holds, StepDoneDay holds and there are; completed requests
    RequestDay holds and there are."""
    held = [
        int(session.scalar(select(func.coalesce(func.sum(model.completed), 0))) or 0)
        for model in (StepDay, StepDoneDay, RequestDay)
    ]
    steps = session.scalar(
        select(func.count()).where(WorkItem.status == WorkItemStatus.COMPLETED, *_has_sop(WorkItem))
    )
    requests = session.scalar(
        select(func.count()).where(Instance.status == InstanceStatus.COMPLETED, *_has_sop(Instance))
    )
    return held[0], held[1], int(steps or 0), held[2], int(requests or 0)


# --- Reading -----------------------------------------------------------------------------------


def _conditions(model: Summary, window: Window, first: date, last: date) -> list[Any]:
    conditions = [model.day >= first, model.day <= last]
    if window.sop_id is not None:
        conditions.append(model.sop_id == window.sop_id)
    if window.version_id is not None:
        conditions.append(model.sop_version_id == window.version_id)
    if window.unit_ids is not None and model is not RequestDay:
        conditions.append(model.unit_id.in_(window.unit_ids))
    return conditions


def steps_completed_in(session: Session, window: Window, first: date, last: date) -> int:
    """Completed steps of the window that became ready from ``first`` to ``last``."""
    query = select(func.coalesce(func.sum(StepDay.completed), 0)).where(
        *_conditions(StepDay, window, first, last)
    )
    return int(session.scalar(query) or 0)


def step_rows(session: Session, window: Window, first: date, last: date) -> list[Any]:
    """(activity, name, lane, position code, completed, measured, breached, spent, histogram)
    of the window's steps that became ready from ``first`` to ``last``."""
    query = (
        select(
            StepDay.activity_id,
            StepDay.activity_name,
            StepDay.lane,
            Position.code,
            StepDay.completed,
            StepDay.measured,
            StepDay.breached,
            StepDay.spent,
            StepDay.histogram,
        )
        .join(Position, Position.id == StepDay.position_id)
        .where(*_conditions(StepDay, window, first, last))
    )
    return list(session.execute(query))


def steps_on_time_per_sop(
    session: Session, window: Window, first: date, last: date
) -> dict[int, tuple[int, int]]:
    """Per SOP: steps completed from ``first`` to ``last`` with a standard, and those on time."""
    query = (
        select(StepDoneDay.sop_id, func.sum(StepDoneDay.measured), func.sum(StepDoneDay.on_time))
        .where(*_conditions(StepDoneDay, window, first, last))
        .group_by(StepDoneDay.sop_id)
    )
    return {sop_id: (int(measured), int(good)) for sop_id, measured, good in session.execute(query)}


def request_rows(session: Session, window: Window, first: date, last: date) -> list[Any]:
    """(SOP, day, units, completed, measured, on time, histogram) of the requests completed
    from ``first`` to ``last``, of the window's SOP and version; the caller keeps the units."""
    query = select(
        RequestDay.sop_id,
        RequestDay.day,
        RequestDay.units,
        RequestDay.completed,
        RequestDay.measured,
        RequestDay.on_time,
        RequestDay.histogram,
    ).where(*_conditions(RequestDay, window, first, last))
    return list(session.execute(query))


def unfinished_steps(session: Session, window: Window) -> list[Any]:
    """(activity, name, lane, position code, has due time, breached, standard office seconds)
    of the window's steps that became ready in the period and are still open or claimed.

    The period is applied to the fetched rows: asked in SQL, both databases read the SOP's
    every step of the period by ready time; without it, only its few unfinished steps, from
    the index on (status, completed_at, sop_id).
    """
    query = (
        select(
            WorkItem.ready_at,
            WorkItem.activity_id,
            WorkItem.activity_name,
            WorkItem.lane,
            Position.code,
            WorkItem.due_at.is_not(None),
            WorkItem.breached_at.is_not(None),
            WorkItem.standard_office_seconds,
        )
        .join(Position, Position.id == WorkItem.position_id)
        .where(WorkItem.status.in_(OPEN), WorkItem.completed_at.is_(None), *window.items())
    )
    return [
        tuple(row[1:])
        for row in session.execute(query)
        if window.start <= row.ready_at < window.end
    ]
