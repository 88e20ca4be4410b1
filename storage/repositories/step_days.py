"""The step_day summary rows: add one completed step, rebuild them all, read one SOP's period."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Position, StepDay, WorkItem, WorkItemStatus
from storage.repositories.dashboard import OPEN, Window

KEY = ("sop_id", "day", "sop_version_id", "activity_id", "unit_id", "position_id")
# What the rebuild reads of each completed step, in this order.
STEP_COLUMNS = (
    WorkItem.id,
    WorkItem.sop_id,
    WorkItem.ready_at,
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


def lock_row(session: Session, key: dict[str, Any], name: str, lane: str | None) -> StepDay:
    """The row of ``key``, created empty if missing, locked until the transaction ends."""
    query = select(StepDay).filter_by(**key).with_for_update()
    row = session.scalars(query).first()
    if row is not None:
        return row
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(StepDay)
        .values(
            **key,
            activity_name=name,
            lane=lane,
            completed=0,
            measured=0,
            breached=0,
            spent=0,
            histogram=b"",
        )
        .on_conflict_do_nothing(index_elements=list(KEY))
    )
    return session.scalars(query.execution_options(populate_existing=True)).one()


def completed_steps(session: Session, batch: int) -> Iterator[Sequence[Any]]:
    """Every completed step with a SOP (STEP_COLUMNS), streamed in batches."""
    result = session.execute(
        select(*STEP_COLUMNS)
        .where(
            WorkItem.status == WorkItemStatus.COMPLETED,
            WorkItem.sop_id.is_not(None),
            WorkItem.sop_version_id.is_not(None),
        )
        .execution_options(yield_per=batch)
    )
    yield from result.partitions()


def replace_all(session: Session, rows: Iterable[dict[str, Any]], batch: int = 2000) -> int:
    """Delete every summary row and insert ``rows`` instead; returns how many."""
    session.execute(delete(StepDay))
    pending: list[dict[str, Any]] = []
    written = 0
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            session.execute(insert(StepDay), pending)
            written, pending = written + len(pending), []
    if pending:
        session.execute(insert(StepDay), pending)
        written += len(pending)
    return written


def totals(session: Session) -> tuple[int, int]:
    """(completed steps the summaries hold, completed steps with a SOP there are)."""
    summarised = session.scalar(select(func.coalesce(func.sum(StepDay.completed), 0)))
    steps = session.scalar(
        select(func.count()).where(
            WorkItem.status == WorkItemStatus.COMPLETED,
            WorkItem.sop_id.is_not(None),
            WorkItem.sop_version_id.is_not(None),
        )
    )
    return int(summarised or 0), int(steps or 0)


def _conditions(window: Window, first: date, last: date) -> list[ColumnElement[bool]]:
    conditions = [StepDay.sop_id == window.sop_id, StepDay.day >= first, StepDay.day <= last]
    if window.version_id is not None:
        conditions.append(StepDay.sop_version_id == window.version_id)
    if window.unit_ids is not None:
        conditions.append(StepDay.unit_id.in_(window.unit_ids))
    return conditions


def completed_in(session: Session, window: Window, first: date, last: date) -> int:
    """How many completed steps of the window's SOP became ready from ``first`` to ``last``."""
    query = select(func.coalesce(func.sum(StepDay.completed), 0)).where(
        *_conditions(window, first, last)
    )
    return int(session.scalar(query) or 0)


def summary_rows(session: Session, window: Window, first: date, last: date) -> list[Any]:
    """(activity, name, lane, position code, completed, measured, breached, spent, histogram)
    of the window's SOP, one per day, version, unit and position."""
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
        .where(*_conditions(window, first, last))
    )
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
