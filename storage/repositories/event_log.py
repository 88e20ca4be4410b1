"""The event log of one SOP: its work items with what a process-mining export needs, streamed."""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, Row, select
from sqlalchemy.orm import Session, aliased

from storage.models import Instance, Position, Sop, SopVersion, Unit, User, WorkItem

# Rows fetched per round trip; PostgreSQL streams them through a server-side cursor.
BATCH = 1000


def event_log_rows(
    session: Session,
    sop_key: str,
    start: datetime,
    end: datetime,
    version: int | None = None,
    visible: ColumnElement[bool] | None = None,
) -> Iterator[Row]:
    """Work items of ``sop_key`` that became ready in [start, end), by request then time;
    with ``visible``, only those of the requests it holds for (the reader's scope).

    Each row has ``reference``, ``sop_key``, ``sop_version``, ``instance_id``, ``item_id``,
    ``activity_id``, ``activity_name``, ``status``, ``ready_at``, ``claimed_at``,
    ``completed_at``, ``position_code``, ``position_name``, ``unit_code``, ``unit_name``,
    ``claimed_by`` and ``completed_by`` (usernames). Only one batch is held in memory.
    """
    claimer, completer = aliased(User), aliased(User)
    query = (
        select(
            Instance.reference,
            Sop.key.label("sop_key"),
            SopVersion.number.label("sop_version"),
            WorkItem.instance_id,
            WorkItem.id.label("item_id"),
            WorkItem.activity_id,
            WorkItem.activity_name,
            WorkItem.status,
            WorkItem.ready_at,
            WorkItem.claimed_at,
            WorkItem.completed_at,
            Position.code.label("position_code"),
            Position.name.label("position_name"),
            Unit.code.label("unit_code"),
            Unit.name.label("unit_name"),
            claimer.username.label("claimed_by"),
            completer.username.label("completed_by"),
        )
        .join(Instance, Instance.id == WorkItem.instance_id)
        .join(SopVersion, SopVersion.id == Instance.sop_version_id)
        .join(Sop, Sop.id == SopVersion.sop_id)
        .join(Position, Position.id == WorkItem.position_id)
        .join(Unit, Unit.id == WorkItem.unit_id)
        .outerjoin(claimer, claimer.id == WorkItem.claimed_by_id)
        .outerjoin(completer, completer.id == WorkItem.completed_by_id)
        .where(Sop.key == sop_key, WorkItem.ready_at >= start, WorkItem.ready_at < end)
        .order_by(WorkItem.instance_id, WorkItem.ready_at, WorkItem.id)
    )
    if version is not None:
        query = query.where(SopVersion.number == version)
    if visible is not None:
        query = query.where(visible)
    result = session.execute(query.execution_options(yield_per=BATCH))
    try:
        yield from result
    finally:
        result.close()
