"""The queries behind the database check: rows that break the invariants of steps and requests."""

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload, undefer

from storage.models import OPEN_STATUSES, Event, Instance, InstanceStatus, WorkItem, WorkItemStatus

COMPLETED_EVENT = "work_item_completed"


def take_snapshot(session: Session) -> None:
    """Make every later query of the transaction read one snapshot (PostgreSQL).

    A check run while officers work must not report a request caught half-way between two
    of its queries. SQLite's reading transaction already sees one snapshot.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Only before the transaction's first query; the pool resets it when the session ends.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def open_items_with_completion_time(session: Session) -> Sequence[Any]:
    """(work item, instance id) of open or claimed steps that carry a completion time."""
    return session.execute(
        select(WorkItem.id, WorkItem.instance_id, WorkItem.status)
        .where(WorkItem.status.in_(OPEN_STATUSES), WorkItem.completed_at.is_not(None))
        .order_by(WorkItem.id)
    ).all()


def completion_events_off(session: Session) -> Sequence[Any]:
    """(work item, instance id, status, completion events) of completed steps without exactly
    one completion event, and of steps not completed that have one."""
    events = func.count(Event.id)
    completed = WorkItem.status == WorkItemStatus.COMPLETED
    return session.execute(
        select(WorkItem.id, WorkItem.instance_id, WorkItem.status, events)
        .outerjoin(Event, and_(Event.work_item_id == WorkItem.id, Event.type == COMPLETED_EVENT))
        .group_by(WorkItem.id, WorkItem.instance_id, WorkItem.status)
        .having(or_(and_(completed, events != 1), and_(~completed, events > 0)))
        .order_by(WorkItem.id)
    ).all()


def open_items_of_ended_instances(session: Session) -> Sequence[Any]:
    """(work item, instance id, instance status) of open steps of requests no longer running."""
    return session.execute(
        select(WorkItem.id, WorkItem.instance_id, Instance.status)
        .join(Instance, Instance.id == WorkItem.instance_id)
        .where(WorkItem.status.in_(OPEN_STATUSES), Instance.status != InstanceStatus.RUNNING)
        .order_by(WorkItem.id)
    ).all()


def running_instances(session: Session, batch: int) -> Iterator[list[Instance]]:
    """Running requests with their state and version, ``batch`` at a time, oldest first."""
    ids = list(
        session.scalars(
            select(Instance.id)
            .where(Instance.status == InstanceStatus.RUNNING)
            .order_by(Instance.id)
        )
    )
    for start in range(0, len(ids), batch):
        yield list(
            session.scalars(
                select(Instance)
                .where(Instance.id.in_(ids[start : start + batch]))
                .options(undefer(Instance.state), selectinload(Instance.sop_version))
                .order_by(Instance.id)
            )
        )


def open_task_ids(session: Session, instance_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per instance, the engine task ids of its open and claimed steps (repeats kept)."""
    found: dict[int, list[str]] = {instance_id: [] for instance_id in instance_ids}
    rows = session.execute(
        select(WorkItem.instance_id, WorkItem.task_id).where(
            WorkItem.instance_id.in_(instance_ids), WorkItem.status.in_(OPEN_STATUSES)
        )
    )
    for instance_id, task_id in rows:
        found[instance_id].append(task_id)
    return found


def references(session: Session, instance_ids: Sequence[int]) -> dict[int, str]:
    """The reference numbers of ``instance_ids``."""
    if not instance_ids:
        return {}
    rows = session.execute(
        select(Instance.id, Instance.reference).where(Instance.id.in_(sorted(set(instance_ids))))
    )
    return {instance_id: reference for instance_id, reference in rows}
